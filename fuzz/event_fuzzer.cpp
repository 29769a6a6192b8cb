// The reader of the canonical event encoding (core/trace/event_encoding) and of a bare-metal boot's serial output
// with its compact trace records (core/trace/compact_record.hpp, sim/metal/compact_trace.hpp), on any bytes: what
// the host does with everything the kernel writes. decode_event must never read past the bytes; an accepted event
// encodes to the very same bytes and every field of it can be named. The serial reader must give the same text,
// error and digest whether the output comes whole or in two pieces split anywhere, and expands all of it unless it
// reports an error.
#include <fuzz/fuzz_check.hpp>

#include <core/trace/event_encoding.hpp>
#include <core/trace/event_fields.hpp>
#include <sim/metal/compact_trace.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

using namespace grove;
using grove::fuzz::require;

namespace {

void check_event(u8 const* bytes, usize size) {
    // A copy of exactly the input's size, so that AddressSanitizer sees any read past it.
    std::unique_ptr<u8[]> const copy(new u8[size == 0 ? 1 : size]);
    if (size != 0) std::memcpy(copy.get(), bytes, size);
    Result<Event> const event = decode_event(copy.get(), size);
    if (event.is_error()) return;
    EncodedEvent const again = encode_event(event.value());
    require(again.size == size && std::memcmp(again.bytes, bytes, size) == 0,
            "an accepted encoding is what encode_event writes");
    require(event_kind_name(event.value().kind) != nullptr, "an accepted kind has a name");
    for_each_event_field(event.value(), [](EventField const& field) {
        require(field.name != nullptr, "every field has a name");
        if (field.type == EventField::Type::Name) require(field.text != nullptr, "a named field has a text");
    });
}

void check_serial(u8 const* bytes, usize size) {
    std::string const output(reinterpret_cast<char const*>(bytes), size);
    metal_host::ExpandedSerial const whole = metal_host::expand_compact_records(output);
    require(whole.readable <= whole.serial.size(), "the readable part is part of the text");
    require(!whole.error.empty() || whole.readable == whole.serial.size(), "without an error all of it is readable");
    usize const split = size == 0 ? 0 : bytes[0] % (size + 1);
    metal_host::SerialExpander pieces;
    pieces.feed(std::string_view(output).substr(0, split));
    std::string text = pieces.take_text();
    pieces.feed(std::string_view(output).substr(split));
    pieces.finish();
    text += pieces.take_text();
    require(text == whole.serial && pieces.error() == whole.error && pieces.digest() == whole.digest &&
                pieces.readable() == whole.readable,
            "output read in two pieces reads as a whole");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size) {
    check_event(data, size);
    check_serial(data, size);
    return 0;
}

// The reader of the canonical event encoding (core/trace/event_encoding) and of a bare-metal boot's serial output
// with its compact trace records (core/trace/compact_record.hpp, sim/metal/compact_trace.hpp), on any bytes: what
// the host does with everything the kernel writes. decode_event must never read past the bytes; an accepted event
// encodes to the very same bytes and every field of it can be named. The serial reader must give the same text,
// error, digest, event count and readable part whether the output comes whole or in three pieces split anywhere.
#include <fuzz/fuzz_check.hpp>

#include <core/base/hash.hpp>
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

// The output fed in pieces that end at `splits` (ascending, each at most its size); `shown` gets the text.
metal_host::SerialExpander read_in_pieces(std::string const& output, usize const* splits, usize count,
                                          std::string& shown) {
    metal_host::SerialExpander expander;
    usize from = 0;
    for (usize i = 0; i <= count; ++i) {
        usize const to = i < count ? splits[i] : output.size();
        expander.feed(std::string_view(output).substr(from, to - from));
        shown += expander.take_text();
        from = to;
    }
    expander.finish();
    shown += expander.take_text();
    return expander;
}

void check_serial(u8 const* bytes, usize size) {
    std::string const output(reinterpret_cast<char const*>(bytes), size);
    metal_host::ExpandedSerial const whole = metal_host::expand_compact_records(output);
    require(whole.readable <= whole.serial.size(), "the readable part is part of the text");
    // Split points that do not depend on any one byte: every one for a short output, else three from its hash.
    Fnv1a64 hash;
    hash.update_wide(bytes, size);
    u64 const h = hash.digest();
    usize const tries = size <= 32 ? size + 1 : 3;
    for (usize t = 0; t < tries; ++t) {
        usize splits[2] = {size <= 32 ? t : static_cast<usize>((h >> (16 * t)) % (size + 1)), size};
        if (size > 32) splits[1] = splits[0] + static_cast<usize>((h >> 48) % (size - splits[0] + 1));
        std::string shown;
        metal_host::SerialExpander const pieces = read_in_pieces(output, splits, 2, shown);
        require(shown == whole.serial && pieces.error() == whole.error && pieces.digest() == whole.digest &&
                    pieces.events() == whole.events && pieces.readable() == whole.readable,
                "output read in pieces reads as a whole");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size) {
    check_event(data, size);
    check_serial(data, size);
    return 0;
}

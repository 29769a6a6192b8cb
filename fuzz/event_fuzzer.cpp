// The reader of the canonical event encoding (core/trace/event_encoding) and of the hex of a compact trace record
// (core/trace/compact_record.hpp), on any bytes: what the host does with every `@e` line the bare-metal kernel
// writes. decode_event must never read past the bytes; an accepted event encodes to the very same bytes and every
// field of it can be named; parse_hex refuses what is not hex and, for what it reads, writing it back gives the same
// digits (in lower case).
#include <fuzz/fuzz_check.hpp>

#include <core/trace/compact_record.hpp>
#include <core/trace/event_encoding.hpp>
#include <core/trace/event_fields.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

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

void check_hex(u8 const* bytes, usize size) {
    char const* text = reinterpret_cast<char const*>(bytes);
    u8 out[MaxEncodedEventSize];
    Result<usize> const read = compact::parse_hex(text, size, out, sizeof out);
    if (read.is_error()) return;
    require(read.value() * 2 == size, "hex reads two digits a byte");
    char back[2 * MaxEncodedEventSize];
    compact::put_hex(out, read.value(), back);
    for (usize i = 0; i < size; ++i) {
        char const c = text[i];
        char const lower = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
        require(back[i] == lower, "hex written back gives the same digits");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size) {
    check_event(data, size);
    check_hex(data, size);
    return 0;
}

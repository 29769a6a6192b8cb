#pragma once
#include <core/base/result.hpp>
#include <core/base/std.hpp>

namespace grove::compact {

// The compact records of a trace on a serial line: the bare-metal kernel writes each kernel event as the hex of
// its canonical encoding (event_encoding.hpp) instead of a JSON line, and the host expands it into the JSON line
// the event stands for (sim/metal/compact_trace.hpp). An event costs the kernel a copy of its encoding, where its
// JSON line costs several instructions per byte of formatting. Two kinds of line, each ended by "\r\n":
//
//   @e<hex>   an event: the bytes of encode_event, two lowercase hex digits per byte
//   @n<hex>   what a serial is called from here on: u32 serial (little-endian) followed by the grove's name
//             (no bytes: no grove has that serial now, and its events are written with generation 0)
//
// A name record comes before an event that names a serial (its grove, or one of its fields) when the host has not
// been told that serial's name since the set of groves last changed (or the kernel's small table of told serials
// lost it to another); every other line of the serial output (boot messages, "# "
// console text, JSON lines) starts with another character.
inline constexpr char Mark = '@';
inline constexpr char EventTag = 'e';
inline constexpr char NameTag = 'n';

inline constexpr char HexDigits[] = "0123456789abcdef";

// The two hex digits of every byte value as one little-endian 16-bit word (the high digit in the low byte, so that
// it is stored first): a byte costs one load of it, one table load and one two-byte store.
struct HexPairs {
    u16 digits[256];
};
constexpr HexPairs make_hex_pairs() {
    HexPairs pairs{};
    for (usize b = 0; b < 256; ++b)
        pairs.digits[b] = static_cast<u16>(static_cast<u8>(HexDigits[b >> 4]) |
                                           static_cast<u16>(static_cast<u8>(HexDigits[b & 0xf])) << 8);
    return pairs;
}
inline constexpr HexPairs Pairs = make_hex_pairs();
static_assert(Pairs.digits[0x9a] == ('9' | 'a' << 8), "the high digit first");

// Writes 2 * size hex digits to out.
inline void put_hex(u8 const* bytes, usize size, char* out) {
    for (usize i = 0; i < size; ++i) __builtin_memcpy(out + 2 * i, &Pairs.digits[bytes[i]], 2);
}

// The bytes of `length` hex digits (either case) into out; InvalidArgument for an odd length, a character that is
// no hex digit, or more than `capacity` bytes.
inline Result<usize> parse_hex(char const* text, usize length, u8* out, usize capacity) {
    if (length % 2 != 0 || length / 2 > capacity) return Error::InvalidArgument;
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (usize i = 0; i < length / 2; ++i) {
        int const high = digit(text[2 * i]);
        int const low = digit(text[2 * i + 1]);
        if (high < 0 || low < 0) return Error::InvalidArgument;
        out[i] = static_cast<u8>(high * 16 + low);
    }
    return length / 2;
}

} // namespace grove::compact

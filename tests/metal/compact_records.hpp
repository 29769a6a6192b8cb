#pragma once
// The lines the bare-metal kernel writes for its events (core/trace/compact_record.hpp), for stand-ins of a boot.
#include <core/trace/compact_record.hpp>
#include <core/trace/event_encoding.hpp>
#include <core/trace/trace_digest.hpp>

#include <string>

namespace grove::test {

inline std::string hex_of(u8 const* bytes, usize size) {
    std::string text(2 * size, '?');
    compact::put_hex(bytes, size, text.data());
    return text;
}

// "@e<hex>\r\n", as the kernel writes an event.
inline std::string event_record(Event const& event) {
    EncodedEvent const encoded = encode_event(event);
    return "@e" + hex_of(encoded.bytes, encoded.size) + "\r\n";
}

// "@n<hex>\r\n", as the kernel names a serial.
inline std::string name_record(u32 serial, std::string const& name) {
    std::string bytes;
    for (usize i = 0; i < 4; ++i) bytes += static_cast<char>(serial >> (8 * i));
    bytes += name;
    return "@n" + hex_of(reinterpret_cast<u8 const*>(bytes.data()), bytes.size()) + "\r\n";
}

} // namespace grove::test

#pragma once
// The records the bare-metal kernel writes for its events (core/trace/compact_record.hpp), for stand-ins of a boot.
#include <core/trace/compact_record.hpp>
#include <core/trace/event_encoding.hpp>
#include <core/trace/trace_digest.hpp>

#include <stdexcept>
#include <string>

namespace grove::test {

// The mark, the tag, the size and the bytes (at most compact::MaxRecordBytes).
inline std::string record(char tag, std::string const& bytes) {
    if (bytes.size() > compact::MaxRecordBytes) throw std::length_error("a record holds at most 255 bytes");
    return std::string{compact::Mark, tag, static_cast<char>(bytes.size())} + bytes;
}

// An event's record, as the kernel writes it.
inline std::string event_record(Event const& event) {
    EncodedEvent const encoded = encode_event(event);
    return record(compact::EventTag, std::string(reinterpret_cast<char const*>(encoded.bytes), encoded.size));
}

// The record that names a serial, as the kernel writes it.
inline std::string name_record(u32 serial, std::string const& name) {
    std::string bytes;
    for (usize i = 0; i < 4; ++i) bytes += static_cast<char>(serial >> (8 * i));
    return record(compact::NameTag, bytes + name);
}

} // namespace grove::test

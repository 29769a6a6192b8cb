#include <core/grove/grove_name.hpp>
#include <core/trace/compact_record.hpp>
#include <core/trace/event_encoding.hpp>
#include <sim/metal/compact_trace.hpp>
#include <sim/scenario/core_event.hpp>

#include <fmt/format.h>

#include <utility>

namespace grove::metal_host {

namespace {

// The mark, the tag and at most `bound` hex digits of the bytes: how a record is quoted.
std::string quoted(char tag, std::string_view bytes, usize bound) {
    std::string text{compact::Mark, tag};
    for (usize i = 0; i < bytes.size() && 2 * i < bound; ++i) text += fmt::format("{:02x}", static_cast<u8>(bytes[i]));
    if (2 * bytes.size() > bound) text += "...";
    return text;
}

} // namespace

void SerialExpander::feed(std::string_view bytes) {
    if (!m_error.empty()) {
        m_text += bytes; // as it came
        return;
    }
    m_pending += bytes;
    expand_pending();
}

void SerialExpander::expand_pending() {
    usize start = 0; // the first byte of m_pending not yet read; always the start of a line or a record
    while (m_error.empty() && start < m_pending.size()) {
        std::string_view const rest = std::string_view(m_pending).substr(start);
        if (rest[0] == compact::Mark) {
            if (rest.size() < compact::HeaderSize) break;
            usize const size = static_cast<u8>(rest[2]);
            if (rest.size() < compact::HeaderSize + size) break;
            std::string_view const record = rest.substr(compact::HeaderSize, size);
            std::string const line = expand_record(rest[1], record);
            if (!m_error.empty()) break; // fail() took the rest
            if (!line.empty()) {
                m_text += line;
                m_text += '\n';
            }
            start += compact::HeaderSize + size;
            ++m_line;
            continue;
        }
        usize const newline = rest.find('\n');
        if (newline == std::string_view::npos) break;
        bool const returned = newline > 0 && rest[newline - 1] == '\r';
        m_text.append(rest.data(), returned ? newline - 1 : newline);
        m_text += '\n';
        start += newline + 1;
        ++m_line;
    }
    if (m_error.empty()) m_pending.erase(0, start);
}

void SerialExpander::finish() {
    if (!m_error.empty() || m_pending.empty()) return;
    if (m_pending[0] == compact::Mark && m_pending.size() >= 2) {
        usize const came = m_pending.size() < compact::HeaderSize ? 0 : m_pending.size() - compact::HeaderSize;
        m_text += quoted(m_pending[1], std::string_view(m_pending).substr(m_pending.size() - came), 2 * came);
    } else {
        m_text += m_pending;
    }
    m_pending.clear();
}

std::string SerialExpander::take_text() {
    m_taken += m_text.size();
    return std::exchange(m_text, std::string());
}

void SerialExpander::fail(std::string const& why, char tag, std::string_view bytes) {
    constexpr usize Quoted = 80;
    m_error = fmt::format("serial line {}: {}: {}", m_line, why, quoted(tag, bytes, Quoted));
    m_readable = m_taken + m_text.size();
    // From the failed record on, the output is passed on as it came.
    usize const at = static_cast<usize>(bytes.data() - m_pending.data()) - compact::HeaderSize;
    m_text.append(m_pending, at, std::string::npos);
    m_pending.clear();
}

std::string SerialExpander::expand_record(char tag, std::string_view bytes) {
    if (tag == compact::NameTag) {
        if (bytes.size() < sizeof(u32) || bytes.size() > sizeof(u32) + MaxGroveNameLength) {
            fail("a name record that is not a serial and a name", tag, bytes);
            return "";
        }
        std::string_view const name = bytes.substr(sizeof(u32));
        if (!name.empty() && !is_valid_grove_name(name.data(), name.size())) {
            fail("a name record whose name no grove can have", tag, bytes);
            return "";
        }
        u32 serial = 0;
        for (usize i = 0; i < sizeof(u32); ++i) serial |= u32{static_cast<u8>(bytes[i])} << (8 * i);
        m_names[serial] = std::string(name);
        return "";
    }
    if (tag != compact::EventTag) {
        fail("an unknown record", tag, bytes);
        return "";
    }
    Result<Event> const event = decode_event(reinterpret_cast<u8 const*>(bytes.data()), bytes.size());
    if (event.is_error()) {
        fail("an event record that is no event's encoding", tag, bytes);
        return "";
    }
    std::string unnamed;
    auto const name_of = [&](u32 serial) -> std::string {
        if (serial == 0) return "";
        auto const found = m_names.find(serial);
        if (found != m_names.end()) return found->second;
        unnamed = fmt::format("serial {} has no name record before it", serial);
        return "";
    };
    scenario::TraceEvent line = scenario::trace_event_of(event.value(), name_of);
    if (!unnamed.empty()) {
        fail("an event record whose " + unnamed, tag, bytes);
        return "";
    }
    // decode_event takes only canonical bytes: the event's digest is that of the bytes as they came.
    m_digest.add(event.value());
    if (line.grove.empty()) line.generation = 0; // as the kernel writes a line of no grove
    return scenario::format_event_line(line);
}

ExpandedSerial expand_compact_records(std::string const& serial) {
    SerialExpander expander;
    expander.feed(serial);
    expander.finish();
    ExpandedSerial out;
    out.readable = expander.readable();
    out.error = expander.error();
    out.digest = expander.digest();
    out.events = expander.events();
    out.serial = expander.take_text();
    return out;
}

} // namespace grove::metal_host

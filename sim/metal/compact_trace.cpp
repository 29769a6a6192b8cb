#include <core/grove/grove_name.hpp>
#include <core/trace/compact_record.hpp>
#include <core/trace/event_encoding.hpp>
#include <core/trace/trace_digest.hpp>
#include <sim/metal/compact_trace.hpp>
#include <sim/scenario/core_event.hpp>

#include <fmt/format.h>

#include <map>
#include <optional>
#include <string_view>

namespace grove::metal_host {

namespace {

// The bytes of a record's hex, or nothing.
std::optional<std::string> record_bytes(std::string_view hex, usize capacity) {
    std::string bytes(capacity, '\0');
    Result<usize> const size =
        compact::parse_hex(hex.data(), hex.size(), reinterpret_cast<u8*>(bytes.data()), bytes.size());
    if (size.is_error()) return std::nullopt;
    bytes.resize(size.value());
    return bytes;
}

class Expander {
public:
    // The JSON line of one record's text (after the mark and tag), "" for a name record, or an error.
    std::string expand(char tag, std::string_view hex, std::string& error) {
        if (tag == compact::NameTag) {
            std::optional<std::string> const bytes = record_bytes(hex, sizeof(u32) + MaxGroveNameLength);
            if (!bytes || bytes->size() < sizeof(u32)) {
                error = "a name record that is not a serial and a name";
                return "";
            }
            std::string_view const name = std::string_view(*bytes).substr(sizeof(u32));
            if (!name.empty() && !is_valid_grove_name(name.data(), name.size())) {
                error = "a name record whose name no grove can have";
                return "";
            }
            u32 serial = 0;
            for (usize i = 0; i < sizeof(u32); ++i) serial |= u32{static_cast<u8>((*bytes)[i])} << (8 * i);
            m_names[serial] = bytes->substr(sizeof(u32));
            return "";
        }
        if (tag != compact::EventTag) {
            error = fmt::format("an unknown record '{}{}'", compact::Mark, tag);
            return "";
        }
        std::optional<std::string> const bytes = record_bytes(hex, MaxEncodedEventSize);
        if (!bytes) {
            error = "an event record whose hex does not read";
            return "";
        }
        Result<Event> const event = decode_event(reinterpret_cast<u8 const*>(bytes->data()), bytes->size());
        if (event.is_error()) {
            error = "an event record that is no event's encoding";
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
            error = "an event record whose " + unnamed;
            return "";
        }
        // decode_event takes only canonical bytes: the event's digest is that of the bytes as they came.
        m_digest.add(event.value());
        if (line.grove.empty()) line.generation = 0; // as the kernel writes a line of no grove
        return scenario::format_event_line(line);
    }

    TraceDigest const& digest() const { return m_digest; }

private:
    std::map<u32, std::string> m_names;
    TraceDigest m_digest;
};

} // namespace

ExpandedSerial expand_compact_records(std::string const& serial) {
    ExpandedSerial out;
    out.serial.reserve(serial.size() * 2);
    Expander expander;
    usize start = 0;
    usize number = 1;
    for (; start < serial.size(); ++number) {
        usize const newline = serial.find('\n', start);
        if (newline == std::string::npos) break; // an unfinished line: as it is
        std::string_view line(serial.data() + start, newline + 1 - start);
        start = newline + 1;
        if (line[0] != compact::Mark) { // a line holds its '\n' at least
            out.serial += line;
            continue;
        }
        std::string_view text = line.substr(0, line.size() - 1); // without '\n'
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        std::string error;
        std::string expanded;
        if (text.size() < 2) error = "a record without its tag";
        else expanded = expander.expand(text[1], text.substr(2), error);
        if (!error.empty()) {
            constexpr usize Quoted = 80;
            out.error = fmt::format("serial line {}: {}: {}{}", number, error, text.substr(0, Quoted),
                                    text.size() > Quoted ? "..." : "");
            out.readable = out.serial.size();
            out.serial.append(serial, start - line.size(), std::string::npos);
            break;
        }
        if (!expanded.empty()) {
            out.serial += expanded;
            out.serial += '\n';
        }
    }
    if (out.error.empty()) {
        out.serial.append(serial, start, std::string::npos);
        out.readable = out.serial.size();
    }
    out.digest = expander.digest().value();
    out.events = expander.digest().count();
    return out;
}

} // namespace grove::metal_host

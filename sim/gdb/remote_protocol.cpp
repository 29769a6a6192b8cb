#include <sim/gdb/remote_protocol.hpp>

namespace grove::gdb {

namespace {

constexpr char HexDigits[] = "0123456789abcdef";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool needs_escape(char c) { return c == '#' || c == '$' || c == '}' || c == '*'; }

// Splits `text` at the first `separator`: nothing when it has none.
std::optional<std::pair<std::string_view, std::string_view>> split(std::string_view text, char separator) {
    usize const at = text.find(separator);
    if (at == std::string_view::npos) return std::nullopt;
    return std::pair{text.substr(0, at), text.substr(at + 1)};
}

} // namespace

u8 checksum(std::string_view bytes) {
    u8 sum = 0;
    for (char c : bytes) sum = static_cast<u8>(sum + static_cast<u8>(c));
    return sum;
}

std::string frame(std::string_view payload) {
    std::string body;
    body.reserve(payload.size() + 8);
    for (char c : payload) {
        if (needs_escape(c)) {
            body += '}';
            body += static_cast<char>(c ^ 0x20);
        } else {
            body += c;
        }
    }
    u8 const sum = checksum(body);
    std::string packet = "$" + body + "#";
    packet += HexDigits[sum >> 4];
    packet += HexDigits[sum & 0xF];
    return packet;
}

std::optional<std::string> unescape(std::string_view escaped) {
    std::string out;
    out.reserve(escaped.size());
    for (usize i = 0; i < escaped.size(); ++i) {
        if (escaped[i] != '}') {
            out += escaped[i];
            continue;
        }
        if (++i == escaped.size()) return std::nullopt;
        out += static_cast<char>(escaped[i] ^ 0x20);
    }
    return out;
}

void PacketReader::feed(std::string_view bytes) { m_buffer.append(bytes); }

std::optional<PacketReader::Event> PacketReader::next() {
    for (;;) {
        if (m_buffer.empty()) return std::nullopt;
        char const first = m_buffer.front();
        if (first != '$') {
            m_buffer.erase(0, 1);
            m_scanned = 0;
            if (first == '\x03') return Event{Kind::Interrupt, {}};
            if (first == '+') return Event{Kind::Ack, {}};
            if (first == '-') return Event{Kind::Nack, {}};
            continue; // noise between packets
        }
        usize const hash = m_buffer.find('#', m_scanned > 0 ? m_scanned : 1);
        if (hash == std::string::npos) {
            // Not whole yet; an overlong packet keeps only its start (its end still has to be found).
            if (m_buffer.size() > MaxPayload + 1) {
                m_buffer.erase(MaxPayload + 1);
                m_overlong = true;
            }
            m_scanned = m_buffer.size();
            return std::nullopt;
        }
        if (m_buffer.size() < hash + 3) {
            m_scanned = hash;
            return std::nullopt;
        }
        std::string_view const body = std::string_view(m_buffer).substr(1, hash - 1);
        int const high = hex_value(m_buffer[hash + 1]);
        int const low = hex_value(m_buffer[hash + 2]);
        bool const checked = high >= 0 && low >= 0 && checksum(body) == static_cast<u8>(high * 16 + low);
        std::optional<std::string> payload;
        if (checked && !m_overlong && body.size() <= MaxPayload) payload = unescape(body);
        m_buffer.erase(0, hash + 3);
        m_scanned = 0;
        m_overlong = false;
        if (!payload) return Event{Kind::BadChecksum, {}};
        return Event{Kind::Packet, std::move(*payload)};
    }
}

std::string to_hex(void const* bytes, usize length) {
    auto const* data = static_cast<unsigned char const*>(bytes);
    std::string hex;
    hex.reserve(length * 2);
    for (usize i = 0; i < length; ++i) {
        hex += HexDigits[data[i] >> 4];
        hex += HexDigits[data[i] & 0xF];
    }
    return hex;
}

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string bytes;
    bytes.reserve(hex.size() / 2);
    for (usize i = 0; i < hex.size(); i += 2) {
        int const high = hex_value(hex[i]);
        int const low = hex_value(hex[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        bytes += static_cast<char>(high * 16 + low);
    }
    return bytes;
}

std::string to_hex_le(u64 value, usize bytes) {
    unsigned char data[8]{};
    for (usize i = 0; i < 8; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));
    return to_hex(data, bytes < 8 ? bytes : 8);
}

std::optional<u64> from_hex_le(std::string_view hex, usize bytes) {
    if (bytes == 0 || bytes > 8 || hex.size() != bytes * 2) return std::nullopt;
    auto const data = from_hex(hex);
    if (!data) return std::nullopt;
    u64 value = 0;
    for (usize i = 0; i < bytes; ++i) value |= u64{static_cast<unsigned char>((*data)[i])} << (8 * i);
    return value;
}

std::optional<u64> parse_number(std::string_view hex) {
    if (hex.empty() || hex.size() > 16) return std::nullopt;
    u64 value = 0;
    for (char c : hex) {
        int const digit = hex_value(c);
        if (digit < 0) return std::nullopt;
        value = value << 4 | static_cast<u64>(digit);
    }
    return value;
}

std::optional<MemoryRange> parse_memory_read(std::string_view arguments) {
    auto const parts = split(arguments, ',');
    if (!parts) return std::nullopt;
    auto const address = parse_number(parts->first);
    auto const length = parse_number(parts->second);
    if (!address || !length) return std::nullopt;
    return MemoryRange{*address, *length};
}

std::optional<MemoryWrite> parse_memory_write(std::string_view arguments) {
    auto const parts = split(arguments, ':');
    if (!parts) return std::nullopt;
    auto const range = parse_memory_read(parts->first);
    auto bytes = from_hex(parts->second);
    if (!range || !bytes || bytes->size() != range->length) return std::nullopt;
    return MemoryWrite{range->address, std::move(*bytes)};
}

std::optional<BreakpointRequest> parse_breakpoint(std::string_view arguments) {
    auto const first = split(arguments, ',');
    if (!first) return std::nullopt;
    auto const second = split(first->second, ',');
    if (!second) return std::nullopt;
    // The kind may be followed by conditions (";X..."), which the stub does not evaluate: refused.
    auto const type = parse_number(first->first);
    auto const address = parse_number(second->first);
    auto const kind = parse_number(second->second);
    if (!type || *type > 4 || !address || !kind) return std::nullopt;
    return BreakpointRequest{static_cast<u8>(*type), *address, *kind};
}

std::optional<ThreadRef> parse_thread(std::string_view text) {
    if (text == "-1") return ThreadRef{ThreadRef::Which::All, 0};
    auto const id = parse_number(text);
    if (!id) return std::nullopt;
    if (*id == 0) return ThreadRef{ThreadRef::Which::Any, 0};
    return ThreadRef{ThreadRef::Which::One, *id};
}

std::optional<RegisterWrite> parse_register_write(std::string_view arguments) {
    auto const parts = split(arguments, '=');
    if (!parts) return std::nullopt;
    auto const number = parse_number(parts->first);
    auto bytes = from_hex(parts->second);
    if (!number || !bytes || bytes->empty()) return std::nullopt;
    return RegisterWrite{*number, std::move(*bytes)};
}

std::optional<std::vector<ResumeAction>> parse_vcont(std::string_view arguments) {
    if (arguments.empty() || arguments.front() != ';') return std::nullopt;
    std::vector<ResumeAction> actions;
    std::string_view rest = arguments.substr(1);
    for (;;) {
        usize const end = rest.find(';');
        std::string_view item = rest.substr(0, end);
        if (item.empty()) return std::nullopt;
        ResumeAction action;
        std::optional<std::string_view> thread;
        if (auto const parts = split(item, ':')) {
            item = parts->first;
            thread = parts->second;
        }
        if (item.empty()) return std::nullopt;
        char const verb = item.front();
        if (verb == 'c' || verb == 's') {
            if (item.size() != 1) return std::nullopt;
        } else if (verb == 'C' || verb == 'S') {
            if (item.size() != 3 || !parse_number(item.substr(1))) return std::nullopt; // a signal: two digits
        } else {
            return std::nullopt;
        }
        action.kind = verb == 's' || verb == 'S' ? ResumeAction::Kind::Step : ResumeAction::Kind::Continue;
        action.thread = ThreadRef{ThreadRef::Which::All, 0};
        if (thread) {
            auto const ref = parse_thread(*thread);
            if (!ref) return std::nullopt;
            action.thread = *ref;
        }
        actions.push_back(action);
        if (end == std::string_view::npos) break;
        rest = rest.substr(end + 1);
    }
    return actions;
}

std::optional<TransferRead> parse_transfer_read(std::string_view arguments) {
    auto const object = split(arguments, ':');
    if (!object || object->first.empty()) return std::nullopt;
    auto const operation = split(object->second, ':');
    if (!operation || operation->first != "read") return std::nullopt;
    auto const annex = split(operation->second, ':');
    if (!annex) return std::nullopt;
    auto const range = parse_memory_read(annex->second);
    if (!range) return std::nullopt;
    return TransferRead{std::string(object->first), std::string(annex->first), range->address, range->length};
}

std::string transfer_reply(std::string_view document, u64 offset, u64 length) {
    if (offset >= document.size()) return "l";
    std::string_view const part = document.substr(offset, length);
    bool const last = offset + part.size() >= document.size();
    return (last ? "l" : "m") + std::string(part);
}

} // namespace grove::gdb

#include <sim/scenario/untrusted_text.hpp>

#include <fmt/format.h>

namespace grove::scenario {
namespace {

// The first `max_bytes` of `text` with every byte outside printable ASCII escaped.
std::string escaped_prefix(std::string_view text, usize max_bytes) {
    std::string out;
    usize const shown = text.size() > max_bytes ? max_bytes : text.size();
    out.reserve(shown);
    for (usize i = 0; i < shown; ++i) {
        auto const byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x7f) out += static_cast<char>(byte);
        else out += fmt::format("\\x{:02x}", byte);
    }
    return out;
}

std::string cut_note(std::string_view text, usize max_bytes) {
    return text.size() > max_bytes ? fmt::format("... ({} bytes)", text.size()) : std::string();
}

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0 when it does not start one.
usize sequence_length(std::string_view text) {
    auto const at = [&](usize i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
    auto const continuation = [&](usize i, unsigned low = 0x80, unsigned high = 0xbf) {
        return at(i) >= low && at(i) <= high;
    };
    unsigned const lead = at(0);
    if (lead < 0x80) return 1;
    if (lead >= 0xc2 && lead <= 0xdf) return continuation(1) ? 2 : 0;
    if (lead >= 0xe0 && lead <= 0xef) {
        unsigned const low = lead == 0xe0 ? 0xa0 : 0x80;  // no overlong form
        unsigned const high = lead == 0xed ? 0x9f : 0xbf; // no surrogate
        return continuation(1, low, high) && continuation(2) ? 3 : 0;
    }
    if (lead >= 0xf0 && lead <= 0xf4) {
        unsigned const low = lead == 0xf0 ? 0x90 : 0x80;  // no overlong form
        unsigned const high = lead == 0xf4 ? 0x8f : 0xbf; // nothing past U+10FFFF
        return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
    }
    return 0;
}

} // namespace

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (usize i = 0; i < text.size();) {
        usize const length = sequence_length(text.substr(i));
        if (length == 0) {
            out += "\xef\xbf\xbd";
            ++i;
            continue;
        }
        out.append(text.substr(i, length));
        i += length;
    }
    return out;
}

std::string printable(std::string_view text, usize max_bytes) {
    return escaped_prefix(text, max_bytes) + cut_note(text, max_bytes);
}

std::string quoted_text(std::string_view text, usize max_bytes, char quote) {
    return quote + escaped_prefix(text, max_bytes) + quote + cut_note(text, max_bytes);
}

} // namespace grove::scenario

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

} // namespace

std::string printable(std::string_view text, usize max_bytes) {
    return escaped_prefix(text, max_bytes) + cut_note(text, max_bytes);
}

std::string quoted_text(std::string_view text, usize max_bytes, char quote) {
    return quote + escaped_prefix(text, max_bytes) + quote + cut_note(text, max_bytes);
}

} // namespace grove::scenario

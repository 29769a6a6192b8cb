#pragma once
#include <core/base/std.hpp>

#include <string>
#include <string_view>

namespace grove::scenario {

// Text that came from outside (a scenario file, a grove's console, an ELF symbol) made safe to print in a message:
// every byte outside printable ASCII becomes \xNN (so no terminal escape sequence, control character or invalid
// UTF-8 reaches the terminal), and text longer than `max_bytes` is cut, saying how long it was.
std::string printable(std::string_view text, usize max_bytes = ~usize{0});

// printable(text, max_bytes) between quotes: 'echo', 'a\x1b[2J'... (5000 bytes).
std::string quoted_text(std::string_view text, usize max_bytes = 64, char quote = '\'');

// Text that came from outside made valid UTF-8 for a format that must hold it (JSON, XML): every byte that does
// not start a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF)
// becomes U+FFFD, and decoding goes on at the next byte. Valid text comes back unchanged.
std::string valid_utf8(std::string_view text);

} // namespace grove::scenario

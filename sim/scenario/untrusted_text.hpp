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

} // namespace grove::scenario

#pragma once
// Helpers for a grove's arguments. By convention argv[0] is the grove's name and the arguments proper start at
// argv[1] (argc counts argv[0]).
#include <core/base/std.hpp>

namespace grove::rt {

// The count meaning "without end" (the word "forever" on the command line).
inline constexpr u64 Forever = ~u64{0};

// Parses a decimal number, or a hexadecimal one after "0x". False (and `value` untouched) when `text` is null,
// empty, has any other character, or does not fit in 64 bits.
bool parse_unsigned(char const* text, u64& value);

// parse_unsigned, or the word "forever" giving Forever.
bool parse_count(char const* text, u64& value);

// True when the argument `text` is the mode `mode` (exact, case-sensitive; a null `text` is no mode).
bool is_mode(char const* text, char const* mode);

// argv[index], or `fallback` when the grove was given fewer arguments.
char const* argument(int argc, char** argv, int index, char const* fallback);

} // namespace grove::rt

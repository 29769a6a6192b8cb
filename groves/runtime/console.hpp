#pragma once
// Console output through the ConsoleWrite syscall. One print call is one ConsoleWrite when its text fits in
// PrintBufferSize bytes, so lines of different threads and groves do not interleave mid-line.
#include <cstdarg>
#include <core/base/std.hpp>

namespace grove::rt {

inline constexpr usize PrintBufferSize = 256;

// Writes all `length` bytes, retrying short writes; returns false when the kernel refuses.
bool write(char const* text, usize length);

// printf to the console (conversions in format.hpp); returns the characters produced.
[[gnu::format(printf, 1, 2)]] usize print(char const* format, ...);
usize vprint(char const* format, std::va_list arguments);

} // namespace grove::rt

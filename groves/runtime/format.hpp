#pragma once
// A small printf-style formatter. Conversions: %d %i %u %x %X %c %s %p %%; length modifiers h, l, ll, z
// (every integer is at most 64 bits); flags '-' (left-justify) and '0' (zero-pad); a decimal width. %s of a null
// pointer prints "(null)". An unknown conversion is copied as it stands. No floating point.
#include <cstdarg>
#include <groves/runtime/output_buffer.hpp>

namespace grove::rt {

// Formats into `out`; returns the characters produced (OutputBuffer::produced grows by the same amount).
usize format_to(OutputBuffer& out, char const* format, std::va_list arguments);

// vsnprintf and snprintf: writes at most size-1 characters and a terminating NUL into `buffer` (nothing when
// size is 0); returns the length the whole text would have.
usize vformat_string(char* buffer, usize size, char const* format, std::va_list arguments);
[[gnu::format(printf, 3, 4)]] usize format_string(char* buffer, usize size, char const* format, ...);

} // namespace grove::rt

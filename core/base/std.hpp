#pragma once
// The one place in core/ that includes standard headers. Only headers that are safe without a hosted library
// may appear here; the freestanding build cannot even find the others (cmake/Freestanding.cmake).
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <type_traits>
#include <utility>

namespace grove {

using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using i8 = std::int8_t;
using i16 = std::int16_t;
using i32 = std::int32_t;
using i64 = std::int64_t;
using usize = std::size_t;

// A read-only view of bytes or objects: pointer and count. core/ has no <span>.
template<typename T>
struct Span {
    T* data = nullptr;
    usize size = 0;

    constexpr T* begin() const { return data; }
    constexpr T* end() const { return data + size; }
    constexpr bool is_empty() const { return size == 0; }
    constexpr T& operator[](usize i) const { return data[i]; }
};

// Byte-wise helpers that the compiler cannot turn into calls to a C library we do not have.
constexpr void copy_bytes(void* dst, void const* src, usize n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto const* s = static_cast<unsigned char const*>(src);
    for (usize i = 0; i < n; ++i) d[i] = s[i];
}

constexpr void fill_bytes(void* dst, unsigned char value, usize n) {
    auto* d = static_cast<unsigned char*>(dst);
    for (usize i = 0; i < n; ++i) d[i] = value;
}

constexpr usize string_length(char const* s) {
    usize n = 0;
    while (s[n] != '\0') ++n;
    return n;
}

constexpr bool equal_bytes(void const* a, void const* b, usize n) {
    auto const* x = static_cast<unsigned char const*>(a);
    auto const* y = static_cast<unsigned char const*>(b);
    for (usize i = 0; i < n; ++i)
        if (x[i] != y[i]) return false;
    return true;
}

} // namespace grove

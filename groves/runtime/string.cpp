// Byte loops on purpose: the images run under an emulator where simple code is fast enough, and grove code
// is compiled with -fno-tree-loop-distribute-patterns so these loops never turn into calls to themselves.
#include <groves/runtime/string.hpp>

using grove::u8;
using grove::usize;

extern "C" {

void* memcpy(void* destination, void const* source, usize count) {
    auto* d = static_cast<u8*>(destination);
    auto const* s = static_cast<u8 const*>(source);
    for (usize i = 0; i < count; ++i) d[i] = s[i];
    return destination;
}

void* memmove(void* destination, void const* source, usize count) {
    auto* d = static_cast<u8*>(destination);
    auto const* s = static_cast<u8 const*>(source);
    if (d < s) {
        for (usize i = 0; i < count; ++i) d[i] = s[i];
    } else {
        for (usize i = count; i > 0; --i) d[i - 1] = s[i - 1];
    }
    return destination;
}

void* memset(void* destination, int value, usize count) {
    auto* d = static_cast<u8*>(destination);
    for (usize i = 0; i < count; ++i) d[i] = static_cast<u8>(value);
    return destination;
}

int memcmp(void const* a, void const* b, usize count) {
    auto const* x = static_cast<u8 const*>(a);
    auto const* y = static_cast<u8 const*>(b);
    for (usize i = 0; i < count; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

usize strlen(char const* text) {
    usize n = 0;
    while (text[n] != '\0') ++n;
    return n;
}

int strcmp(char const* a, char const* b) {
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    auto x = static_cast<u8>(*a);
    auto y = static_cast<u8>(*b);
    return x == y ? 0 : (x < y ? -1 : 1);
}

} // extern "C"

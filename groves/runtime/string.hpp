#pragma once
// The C string and memory functions, for grove programs and for the compiler, which may emit calls to memcpy,
// memmove, memset and memcmp for copies and loops. There is no C library: these are the only ones.
#include <core/base/std.hpp>

extern "C" {
void* memcpy(void* destination, void const* source, grove::usize count);
void* memmove(void* destination, void const* source, grove::usize count);
void* memset(void* destination, int value, grove::usize count);
int memcmp(void const* a, void const* b, grove::usize count);
grove::usize strlen(char const* text);
int strcmp(char const* a, char const* b);
}

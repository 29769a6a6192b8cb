#pragma once
// Port I/O for drivers (the io_port capability names the ports; without it each instruction faults): one byte or
// one 16-bit word in or out, and `count` 16-bit words with `rep insw` / `rep outsw` (a device's data port).
#include <core/base/std.hpp>

namespace grove::rt {

inline u8 in8(u16 port) {
    u8 value = 0;
    asm volatile("inb %1, %0" : "=a"(value) : "d"(port) : "memory");
    return value;
}

inline void out8(u16 port, u8 value) { asm volatile("outb %0, %1" : : "a"(value), "d"(port) : "memory"); }

inline u16 in16(u16 port) {
    u16 value = 0;
    asm volatile("inw %1, %0" : "=a"(value) : "d"(port) : "memory");
    return value;
}

inline void out16(u16 port, u16 value) { asm volatile("outw %0, %1" : : "a"(value), "d"(port) : "memory"); }

inline void in_words(u16 port, u16* words, u64 count) {
    asm volatile("rep insw" : "+D"(words), "+c"(count) : "d"(port) : "memory");
}

inline void out_words(u16 port, u16 const* words, u64 count) {
    asm volatile("rep outsw" : "+S"(words), "+c"(count) : "d"(port) : "memory");
}

} // namespace grove::rt

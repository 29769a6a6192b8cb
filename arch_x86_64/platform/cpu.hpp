#pragma once
// The few privileged instructions the kernel uses, as inline functions. Ring 0 only.
#include <core/base/std.hpp>

namespace grove::metal::cpu {

inline void out8(u16 port, u8 value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
inline void out32(u16 port, u32 value) { asm volatile("outl %0, %1" : : "a"(value), "Nd"(port)); }
inline u8 in8(u16 port) {
    u8 value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

inline u64 read_cr2() {
    u64 value;
    asm volatile("mov %%cr2, %0" : "=r"(value));
    return value;
}
inline u64 read_cr3() {
    u64 value;
    asm volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}

inline u64 read_msr(u32 msr) {
    u32 low, high;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return (u64{high} << 32) | low;
}

// The time-stamp counter. Under QEMU with -icount it follows the virtual clock: one count per nanosecond.
inline u64 read_tsc() {
    u32 low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (u64{high} << 32) | low;
}

[[noreturn]] inline void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}

} // namespace grove::metal::cpu

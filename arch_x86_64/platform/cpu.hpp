#pragma once
// The few privileged instructions the kernel uses, as inline functions. Ring 0 only.
#include <core/base/std.hpp>

namespace grove::metal::cpu {

inline void out8(u16 port, u8 value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
// Writes `length` bytes from `source` to `port`, one per iteration of a single string instruction (rep outsb).
inline void out8_string(u16 port, void const* source, usize length) {
    asm volatile("rep outsb" : "+S"(source), "+c"(length) : "d"(port) : "memory");
}
inline void out32(u16 port, u32 value) { asm volatile("outl %0, %1" : : "a"(value), "Nd"(port)); }
inline u8 in8(u16 port) {
    u8 value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline void out16(u16 port, u16 value) { asm volatile("outw %0, %1" : : "a"(value), "Nd"(port)); }
inline u16 in16(u16 port) {
    u16 value;
    asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
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

// CR0.TS: while it is set, the first x87, MMX or SSE instruction (FXSAVE and FXRSTOR included) raises #NM.
inline void set_task_switched() {
    u64 cr0;
    asm volatile("mov %%cr0, %0" : "=r"(cr0));
    asm volatile("mov %0, %%cr0" : : "r"(cr0 | 8) : "memory");
}
inline void clear_task_switched() { asm volatile("clts" : : : "memory"); }

inline u64 read_cr4() {
    u64 value;
    asm volatile("mov %%cr4, %0" : "=r"(value));
    return value;
}
inline void write_cr4(u64 value) { asm volatile("mov %0, %%cr4" : : "r"(value) : "memory"); }

// CPUID.(EAX=7, ECX=0):ECX bit 2, when leaf 7 exists.
inline bool has_umip() {
    u32 a, b, c, d;
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0u), "c"(0u));
    if (a < 7) return false;
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7u), "c"(0u));
    return (c & (1u << 2)) != 0;
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

// Memory copies and fills as single string instructions. Under QEMU's -icount each iteration counts as one
// instruction (a nanosecond), against several per byte for a loop in an unoptimised build: loading a grove and
// zeroing its frames then costs microseconds, not a millisecond. The ranges must not overlap; DF is clear in the
// kernel (the System V ABI).
// A length that is a multiple of 8 (a message, a register frame) moves a word per iteration.
inline void copy_memory(void* destination, void const* source, usize length) {
    if ((length & 7) == 0) {
        usize words = length / 8;
        asm volatile("rep movsq" : "+D"(destination), "+S"(source), "+c"(words) : : "memory");
        return;
    }
    asm volatile("rep movsb" : "+D"(destination), "+S"(source), "+c"(length) : : "memory");
}
// `length` is a multiple of 8 and `destination` 8-byte aligned (page frames).
inline void zero_words(void* destination, usize length) {
    usize count = length / 8;
    asm volatile("rep stosq" : "+D"(destination), "+c"(count) : "a"(u64{0}) : "memory");
}

[[noreturn]] inline void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}

} // namespace grove::metal::cpu

#pragma once
#include <core/base/units.hpp>

namespace grove::layout {

// The part of a grove's address space that belongs to the grove. Everything outside it is the kernel's or
// nobody's, and every backend refuses to map a grove page there. It starts at 4 MiB so that a standard
// `-static -nostdlib -no-pie` link at 0x400000 loads, and ends below the canonical hole of x86_64 with 64 KiB
// to spare. On bare metal the kernel (and a small trampoline) live outside it; in the simulator nothing does.
inline constexpr u64 WindowBase = 0x0000'0000'0040'0000;
inline constexpr u64 WindowEnd = 0x0000'7fff'ffff'0000; // exclusive

// The first thread's stack: its top, its size, and one unmapped guard page below it so that an overflow faults
// instead of running into other memory.
inline constexpr u64 MainStackTop = 0x0000'7fff'fff0'0000;
inline constexpr PageCount MainStackPages{16}; // 64 KiB
inline constexpr u64 MainStackBase = MainStackTop - MainStackPages.value * PageSize;
inline constexpr u64 MainStackGuard = MainStackBase - PageSize;

// Arguments given to a grove at start: copied to a read-only page here; rdi = argc, rsi = argv (pointers into
// the page).
inline constexpr u64 ArgumentsPage = 0x0000'7fff'fff8'0000;

constexpr bool in_window(u64 base, u64 length) {
    u64 end = 0;
    if (__builtin_add_overflow(base, length, &end)) return false;
    return base >= WindowBase && end <= WindowEnd;
}

} // namespace grove::layout

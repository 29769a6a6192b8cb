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

// A range of whole pages, [first, end) in bytes, both page aligned.
struct PageRange {
    u64 first = 0;
    u64 end = 0;

    // The pages that [address, address + size) touches. The caller guarantees that address + size, rounded up to a
    // page, does not overflow.
    static constexpr PageRange covering(u64 address, u64 size) {
        return PageRange{address & ~(PageSize - 1), (address + size + PageSize - 1) & ~(PageSize - 1)};
    }
    constexpr bool overlaps(PageRange other) const { return first < other.end && other.first < end; }
    constexpr PageCount pages() const { return PageCount((end - first) / PageSize); }
    constexpr Bytes size() const { return Bytes(end - first); }
    constexpr bool is_in_window() const { return in_window(first, end - first); }
};

// The pages the loader maps itself beside every image (the main stack with its guard page, the arguments page):
// no segment may touch them.
inline constexpr PageRange ReservedRanges[] = {
    {MainStackGuard, MainStackTop},
    {ArgumentsPage, ArgumentsPage + PageSize},
};

} // namespace grove::layout

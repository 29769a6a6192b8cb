#pragma once
#include <forge/limits.hpp>

// Where a compiled program's parts live: the grove layout (core/grove/layout.hpp), as a static link at the grove
// window would place them, each part in pages of its own with one set of permissions.
//   0x400000             R    the ELF header, the program headers, then the texts the program prints
//   0x400000 + N pages   R+X  the machine code (_start first)
//   DataAddress          R+W  the program's writable data (zero-filled, no file bytes)
namespace grove::forge {

inline constexpr u64 ImageBase = 0x40'0000;
inline constexpr u64 ImagePageSize = 0x1000;
inline constexpr usize ElfHeaderBytes = 64;
inline constexpr usize ProgramHeaderBytes = 56;
inline constexpr usize SegmentCount = 3;
inline constexpr usize TextsOffset = 256; // after the headers (64 + 3 * 56 = 232 bytes)
inline constexpr u64 TextsAddress = ImageBase + TextsOffset;
// Above anything the texts and the code can reach (MaxTextBytes and MaxCodeBytes), so its address is known before
// the code's size is.
inline constexpr u64 DataAddress = ImageBase + 0x2'0000;
inline constexpr usize DataBytes = 32; // the digits of a number being printed

static_assert(ElfHeaderBytes + SegmentCount * ProgramHeaderBytes <= TextsOffset);
static_assert(TextsOffset + MaxTextBytes + ImagePageSize + MaxCodeBytes <= DataAddress - ImageBase);

constexpr usize align_to_page(usize n) { return (n + ImagePageSize - 1) & ~(ImagePageSize - 1); }

} // namespace grove::forge

#pragma once
#include <core/base/units.hpp>
#include <core/elf/elf_result.hpp>
#include <core/grove/image.hpp>

namespace grove {

// The most program headers a grove image may have (a static link has fewer than a dozen).
inline constexpr usize MaxProgramHeaders = 64;

// Validates a static x86_64 ELF64 executable and plans its loading, without touching anything: the plan is made
// only when every check passed. `file` is the whole file; the plan's segments point into it, so it must outlive the
// plan. `memory_limit` is the grove's memory limit, which the image's pages alone must not exceed.
//
// On failure: the first check that failed, in this order: the header (read_elf_header: FileTooSmall .. HeaderSize),
// FileType, ProgramHeaderSize, ProgramHeaderCount, ProgramHeaderBounds, then each program header in table order
// (Interpreter, Dynamic, and for a PT_LOAD: SegmentFileBounds, SegmentFileSize, SegmentAddressOverflow,
// SegmentAlignment, SegmentOutsideWindow, SegmentReserved, WritableAndExecutable, TooManySegments), then the
// section table (SectionHeaderSize, SectionHeaderBounds), NoLoadSegment, SegmentOverlap, EntryPoint, MemoryLimit.
//
// Decisions:
// - Segments are mapped in whole pages with one set of permissions per page, so two PT_LOAD segments that touch
//   the same page are rejected (SegmentOverlap) even when their bytes do not overlap. GNU ld's default x86_64
//   output (-z separate-code) starts every segment on a page of its own, so it loads.
// - A PT_LOAD with p_memsz 0 maps nothing: its file range and alignment are still checked, it is left out of the
//   plan and does not count towards the segment limit.
// - The entry point must lie in the file bytes of an executable segment, not in its zero-filled tail: a program
//   starts with instructions from its file.
// - Segment ranges are checked after rounding out to pages, so a segment may start at 0x400000 but no page of it
//   may leave the grove window or touch the main stack, its guard page or the arguments page (core/grove/layout.hpp).
// - PT_INTERP or PT_DYNAMIC anywhere means the file needs dynamic linking: rejected. Other program header types
//   (PT_NOTE, PT_GNU_STACK, PT_GNU_PROPERTY, ...) are ignored.
// - The section header table, when the file declares one, must lie inside the file: a truncated file is rejected
//   even when its segments survived. Sections themselves are not needed for loading.
ElfResult<ImagePlan> validate_elf_image(Span<u8 const> file, Bytes memory_limit);

// The bytes of memory a plan maps: every segment rounded out to whole pages. The plan's segments share no page.
Bytes image_memory(ImagePlan const& plan);

} // namespace grove

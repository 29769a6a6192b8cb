#pragma once
#include <core/arch/arch.hpp>
#include <core/base/static_vector.hpp>
#include <core/base/units.hpp>

namespace grove {

// What loading a grove image maps, as validated by validate_elf_image (core/elf/elf_image.hpp). A segment covers
// [address, address + memory_size): its first file_bytes.size bytes come from the file, the rest are zero. The
// address is the ELF segment's own (not rounded); the pages to map are those the range touches. file_bytes points
// into the file the plan was made from, which must outlive the plan.
struct ImageSegment { VirtAddr address; Bytes memory_size; Span<u8 const> file_bytes; Permissions permissions; };
inline constexpr usize MaxImageSegments = 16;
// The entry point and the segments, in program-header order. Invariant (when made by validate_elf_image): the
// segments are non-empty, inside the grove window, on pairwise distinct pages, never writable and executable, and
// the entry lies in the file bytes of an executable segment.
struct ImagePlan { VirtAddr entry; StaticVector<ImageSegment, MaxImageSegments> segments; };

} // namespace grove

#pragma once
#include <core/arch/arch.hpp>
#include <core/base/static_vector.hpp>
#include <core/base/units.hpp>

namespace grove {

inline constexpr usize MaxImageSegments = 16;

// One loadable piece of a grove image: `memory_size` bytes at `address` with `permissions`, of which the first
// `file_bytes.size` come from the image and the rest are zero. The address is the ELF segment's own (not rounded);
// the pages to map are those the range touches. The bytes are not copied: whoever builds the plan (the ELF loader,
// a boot module, a test) keeps them alive as long as a grove loaded from it is registered, since a respawn loads
// them again.
struct ImageSegment {
    VirtAddr address;
    Bytes memory_size;
    Span<u8 const> file_bytes;
    Permissions permissions = Permissions::None;
};

// A parsed image: where execution starts and what to map, in program-header order. Produced from ELF bytes by
// validate_elf_image (core/elf/elf_image.hpp), whose invariant is: segments non-empty, inside the grove window, on
// pairwise distinct pages, never writable and executable, the entry in the file bytes of an executable segment.
// The grove lifecycle validates it again (bounds, overlaps, W^X, entry) before mapping anything.
struct ImagePlan {
    VirtAddr entry;
    StaticVector<ImageSegment, MaxImageSegments> segments;
};

} // namespace grove

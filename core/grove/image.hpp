#pragma once
#include <core/arch/arch.hpp>
#include <core/base/static_vector.hpp>

namespace grove {

inline constexpr usize MaxImageSegments = 16;

// One loadable piece of a grove image: `memory_size` bytes at `address` with `permissions`, of which the first
// `file_bytes.size` come from the image and the rest are zero. The bytes are not copied: whoever builds the plan
// (the ELF loader, a boot module, a test) keeps them alive as long as a grove loaded from it is registered, since
// a respawn loads them again.
struct ImageSegment {
    VirtAddr address;
    Bytes memory_size;
    Span<u8 const> file_bytes;
    Permissions permissions = Permissions::None;
};

// A parsed image: where execution starts and what to map. Produced from ELF bytes by core/elf, consumed by the
// grove lifecycle, which validates it again (bounds, overlaps, W^X, entry) before mapping anything.
struct ImagePlan {
    VirtAddr entry;
    StaticVector<ImageSegment, MaxImageSegments> segments;
};

} // namespace grove

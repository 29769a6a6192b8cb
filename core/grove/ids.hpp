#pragma once
#include <core/base/std.hpp>

namespace grove {

// A grove, as named by everyone outside the registry. `serial` is assigned once when the grove is loaded and is
// never reused for another grove; `generation` counts its incarnations (1 for the first, +1 for each respawn).
// An id whose generation is not the current one is stale and every lookup rejects it.
struct GroveId {
    u32 serial = 0;
    u32 generation = 0;
    constexpr bool operator==(GroveId const&) const = default;
    constexpr bool is_null() const { return serial == 0; }
};

// A thread, as the core and the backends name it: index into the kernel's thread table and the generation of
// that slot. Backends keep one CPU context per index.
struct ThreadId {
    u32 index = 0;
    u32 generation = 0;
    constexpr bool operator==(ThreadId const&) const = default;
    constexpr bool is_null() const { return generation == 0; }
};

// A grove's registry slot, below MaxGroves: the small index the scheduler, IPC and the kernel's tables know a grove
// by. Reused once the grove is removed; a GroveId names one incarnation.
using GroveSlot = u8;

// An address space, as the backend names it. Opaque to the core.
struct AddressSpaceId {
    u32 value = 0;
    constexpr bool operator==(AddressSpaceId const&) const = default;
};

} // namespace grove

#pragma once
#include <core/base/units.hpp>

#include <cstdint>
#include <map>

namespace grove::sim {

// Host memory behind guest pages, in aligned slabs of SlabPages pages reserved on first use: anonymous memory
// mapped with MAP_NORESERVE, so a slab costs host address space only, a page costs host memory once it is
// written, and an untouched page reads as zero. Page n of the covered address space (a guest page number, or a
// physical page number) lives at a fixed host address inside its slab, so pages that are consecutive inside one
// slab are consecutive on the host: that lets Unicorn map a run of them as one region.
//
// Owns the slabs. A slab goes back to the host when its last held page is released, and a released page reads as
// zero when held again. (Device memory is not here: the device models hold it, UnicornSpace maps it with
// uc_mmio_map.)
class HostSlabs {
public:
    static constexpr u64 SlabPages = 16384; // 64 MiB
    HostSlabs() = default;
    ~HostSlabs();
    HostSlabs(HostSlabs const&) = delete;
    HostSlabs& operator=(HostSlabs const&) = delete;

    // Reserves the slabs of pages [first, first + pages). False when the host refuses one (the slabs reserved
    // before it stay reserved and empty).
    bool reserve(u64 first, u64 pages);
    // The host address of `page`. The caller reserved it.
    std::uint8_t* host(u64 page) const;
    // Counts `pages` pages from `first` as in use (the caller reserved them).
    void hold(u64 first, u64 pages);
    // The pages are no longer in use: their contents are dropped and a slab without pages left goes
    // back to the host. The caller holds them, and nothing (Unicorn included) refers to their host memory.
    void release(u64 first, u64 pages);
    // Gives back the slabs that hold no page (reserved for a mapping that was then refused).
    void drop_unused();
    // Slabs reserved now (for tests).
    usize slab_count() const { return m_slabs.size(); }

private:
    struct Slab {
        std::uint8_t* bytes = nullptr;
        u64 held = 0;
    };
    std::map<u64, Slab> m_slabs; // by slab number
};

} // namespace grove::sim

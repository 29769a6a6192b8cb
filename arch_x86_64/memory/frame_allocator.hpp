#pragma once
#include <arch_x86_64/platform/boot_info.hpp>
#include <core/base/result.hpp>
#include <core/base/units.hpp>

namespace grove::metal {

// The physical 4 KiB frames the kernel may hand out: available RAM from the boot memory map, from 1 MiB up to
// IdentityLimit, minus reserved ranges (the kernel image, boot modules). A free list threaded through the free
// frames themselves: allocate and free are O(1), and the free count is exact at every moment.
// Invariant: free_pages() equals the length of the list; every frame on it is managed and not reserved.
class FrameAllocator {
public:
    static constexpr usize MaxReserved = 24;

    // Builds the free list. The reserved ranges are [start, end) physical byte ranges; at most MaxReserved.
    void init(Span<MemoryRegion const> available, Span<MemoryRegion const> reserved);

    // One frame, not zeroed. OutOfMemory when none is left.
    Result<PhysAddr> allocate();
    // A zero-filled frame. OutOfMemory when none is left.
    Result<PhysAddr> allocate_zeroed();
    // The caller guarantees `frame` came from allocate() and is no longer used.
    void free(PhysAddr frame);

    PageCount free_pages() const { return m_free; }
    PageCount managed_pages() const { return m_managed; }
    // True when [base, base+length) overlaps memory this allocator manages or a reserved range (the kernel's own
    // memory): such memory must never be mapped into a grove as a physical range.
    bool overlaps_managed(u64 base, u64 length) const;

private:
    struct FreeFrame {
        FreeFrame* next;
    };

    FreeFrame* m_head = nullptr;
    PageCount m_free{};
    PageCount m_managed{};
    MemoryRegion m_available[BootInfo::MaxRegions]{};
    usize m_available_count = 0;
    MemoryRegion m_reserved[MaxReserved]{};
    usize m_reserved_count = 0;
};

} // namespace grove::metal

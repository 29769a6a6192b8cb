#pragma once
#include <core/base/units.hpp>

namespace grove::sim {

// The machine's memory as a fixed number of page frames. Invariant: used <= total. free() is the honest
// counter behind Arch::free_pages(): every page mapped by map() and every page table a space holds (counted as
// metal builds them: page_table_count.hpp) takes one frame, unmap and destroy give them back.
// As on a PC, the frames are RAM at physical [RamBase, RamBase + total pages): overlaps_ram() for PhysicalMap.
class FramePool {
public:
    explicit FramePool(PageCount total) : m_total(total) {}

    static constexpr u64 RamBase = u64{1} << 20;

    PageCount total() const { return m_total; }
    bool overlaps_ram(PhysAddr base, Bytes length) const {
        u64 const ram_end = RamBase + m_total.value * PageSize;
        return length.value != 0 && base.value < ram_end && base.value + length.value > RamBase;
    }
    PageCount free() const { return m_total - m_used; }
    bool can_take(PageCount pages) const { return pages <= free(); }
    // The caller checked can_take().
    void take(PageCount pages) { m_used += pages; }
    // The caller gives back frames it took.
    void give_back(PageCount pages) { m_used -= pages; }

private:
    PageCount m_total;
    PageCount m_used{};
};

} // namespace grove::sim

#pragma once
#include <core/base/units.hpp>

namespace grove::sim {

// The machine's memory as a fixed number of page frames. Invariant: used <= total. free() is the honest
// counter behind Arch::free_pages(): every page mapped by map() takes one frame, unmap and destroy give it back.
class FramePool {
public:
    explicit FramePool(PageCount total) : m_total(total) {}

    PageCount total() const { return m_total; }
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

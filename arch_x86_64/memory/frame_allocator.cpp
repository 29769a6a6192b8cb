#include <arch_x86_64/memory/frame_allocator.hpp>
#include <arch_x86_64/platform/cpu.hpp>

#include <arch_x86_64/memory/physical_memory.hpp>

namespace grove::metal {

namespace {
constexpr u64 LowestFrame = u64{1} << 20;

bool overlaps(u64 a, u64 a_length, u64 b, u64 b_length) { return a < b + b_length && b < a + a_length; }
} // namespace

void FrameAllocator::init(Span<MemoryRegion const> available, Span<MemoryRegion const> reserved) {
    GROVE_ASSERT(reserved.size <= MaxReserved && available.size <= BootInfo::MaxRegions);
    for (MemoryRegion const& r : reserved) m_reserved[m_reserved_count++] = r;
    for (MemoryRegion const& region : available) {
        u64 first = (region.base + PageSize - 1) & ~(PageSize - 1);
        u64 end = region.base + region.length;
        if (end < region.base || end > IdentityLimit) end = IdentityLimit;
        end &= ~(PageSize - 1);
        if (first < LowestFrame) first = LowestFrame;
        if (first >= end) continue;
        m_available[m_available_count++] = MemoryRegion{first, end - first};
        for (u64 frame = first; frame < end; frame += PageSize) {
            bool is_reserved = false;
            for (usize i = 0; i < m_reserved_count && !is_reserved; ++i)
                is_reserved = overlaps(frame, PageSize, m_reserved[i].base, m_reserved[i].length);
            if (is_reserved) continue;
            free(PhysAddr{frame});
            m_managed += PageCount(1);
        }
    }
}

Result<PhysAddr> FrameAllocator::allocate() {
    if (m_head == nullptr) return Error::OutOfMemory;
    FreeFrame* frame = m_head;
    m_head = frame->next;
    m_free -= PageCount(1);
    return PhysAddr{reinterpret_cast<u64>(frame)};
}

Result<PhysAddr> FrameAllocator::allocate_zeroed() {
    Result<PhysAddr> frame = allocate();
    if (frame) cpu::zero_words(physical_to_pointer(frame.value()), PageSize);
    return frame;
}

void FrameAllocator::free(PhysAddr frame) {
    GROVE_ASSERT(frame.is_page_aligned() && frame.value >= LowestFrame && frame.value < IdentityLimit);
    auto* node = static_cast<FreeFrame*>(physical_to_pointer(frame));
    node->next = m_head;
    m_head = node;
    m_free += PageCount(1);
}

bool FrameAllocator::overlaps_managed(u64 base, u64 length) const {
    for (usize i = 0; i < m_available_count; ++i)
        if (overlaps(base, length, m_available[i].base, m_available[i].length)) return true;
    for (usize i = 0; i < m_reserved_count; ++i)
        if (overlaps(base, length, m_reserved[i].base, m_reserved[i].length)) return true;
    return false;
}

} // namespace grove::metal

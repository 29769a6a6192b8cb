#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/std.hpp>

namespace grove::bench {

// The reference for the endpoint's priority path: the textbook O(1) priority queue, a 32-bit bitmap of non-empty
// levels plus one FIFO per level. Messages live in a shared pool of Capacity slots (a stack of free slot indices);
// each level's FIFO is a ring of slot indices big enough for every slot, so any mix of priorities fits. A push
// copies the message in, a pop copies the oldest message of the highest non-empty level out. A full queue or a
// priority >= 32 refuses a push; an empty queue refuses a pop.
// Invariant: bit p of m_bitmap is set exactly when level p's ring is non-empty; the rings and the free stack
// together hold every slot index exactly once. Slot indices are u8 up to 256 slots, u16 above.
template<u32 Capacity>
class BitmapPriorityQueue {
    static_assert(Capacity > 0 && Capacity <= 65536 && (Capacity & (Capacity - 1)) == 0);

public:
    static constexpr u32 Levels = abi::PriorityLevels;
    using Slot = std::conditional_t<(Capacity <= 256), u8, u16>;

    BitmapPriorityQueue() {
        for (u32 i = 0; i < Capacity; ++i) m_free[i] = static_cast<Slot>(Capacity - 1 - i);
        m_free_count = Capacity;
    }

    bool push(abi::Message const& message) {
        u32 const priority = message.header.priority;
        if (m_free_count == 0 || priority >= Levels) [[unlikely]]
            return false;
        Slot const slot = m_free[--m_free_count];
        m_slots[slot] = message;
        Level& level = m_levels[priority];
        level.slots[level.tail++ & (Capacity - 1)] = slot;
        m_bitmap |= u32{1} << priority;
        return true;
    }
    bool pop(abi::Message& out) {
        if (m_bitmap == 0) [[unlikely]]
            return false;
        u32 const priority = 31 - static_cast<u32>(std::countl_zero(m_bitmap));
        Level& level = m_levels[priority];
        Slot const slot = level.slots[level.head++ & (Capacity - 1)];
        out = m_slots[slot];
        if (level.head == level.tail) m_bitmap &= ~(u32{1} << priority);
        m_free[m_free_count++] = slot;
        return true;
    }
    u32 size() const { return Capacity - m_free_count; }

private:
    struct Level {
        Slot slots[Capacity];
        u32 head = 0;
        u32 tail = 0;
    };

    alignas(64) abi::Message m_slots[Capacity]{};
    Level m_levels[Levels]{};
    Slot m_free[Capacity]{};
    u32 m_free_count = 0;
    u32 m_bitmap = 0;
};

} // namespace grove::bench

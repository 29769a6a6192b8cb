#pragma once
#include <core/base/assert.hpp>
#include <core/base/units.hpp>

namespace grove {

// A binary min-heap of (deadline, index) pairs for indices below N, with each index at most once: O(log N)
// insert and removal of any index, O(1) earliest entry, no allocation. Entries are ordered by deadline, then by
// index, a strict total order, so the earliest entry and the pop order are fully determined by the contents (not
// by the order of insertion). Invariant: m_position[i] is the place of index i in m_entries, or NotInHeap.
template<u32 N>
class DeadlineHeap {
    static_assert(N > 0 && N < (1u << 31));

public:
    struct Entry {
        Ticks deadline;
        u32 index = 0;
    };

    DeadlineHeap() {
        for (u32& p : m_position) p = NotInHeap;
    }
    DeadlineHeap(DeadlineHeap const&) = delete;
    DeadlineHeap& operator=(DeadlineHeap const&) = delete;

    bool is_empty() const { return m_size == 0; }
    u32 size() const { return m_size; }
    bool contains(u32 index) const { return index < N && m_position[index] != NotInHeap; }

    // The caller guarantees index < N and that index is not in the heap yet.
    void insert(u32 index, Ticks deadline) {
        GROVE_ASSERT(index < N && !contains(index));
        m_entries[m_size] = Entry{deadline, index};
        m_position[index] = m_size;
        ++m_size;
        sift_up(m_size - 1);
    }

    // The caller guarantees that index is in the heap.
    void remove(u32 index) {
        GROVE_ASSERT(contains(index));
        u32 const place = m_position[index];
        m_position[index] = NotInHeap;
        --m_size;
        if (place == m_size) return;
        // The last entry fills the hole, then moves up or down to where it belongs.
        u32 const moved = m_entries[m_size].index;
        m_entries[place] = m_entries[m_size];
        m_position[moved] = place;
        sift_up(place);
        sift_down(m_position[moved]);
    }

    // The earliest entry; the caller guarantees the heap is not empty.
    Entry const& top() const {
        GROVE_ASSERT(m_size > 0);
        return m_entries[0];
    }

    Entry pop() {
        Entry const first = top();
        remove(first.index);
        return first;
    }

private:
    static constexpr u32 NotInHeap = ~u32{0};

    static bool before(Entry const& a, Entry const& b) {
        return a.deadline < b.deadline || (a.deadline == b.deadline && a.index < b.index);
    }

    void swap_places(u32 a, u32 b) {
        Entry const t = m_entries[a];
        m_entries[a] = m_entries[b];
        m_entries[b] = t;
        m_position[m_entries[a].index] = a;
        m_position[m_entries[b].index] = b;
    }

    void sift_up(u32 place) {
        while (place > 0) {
            u32 const parent = (place - 1) / 2;
            if (!before(m_entries[place], m_entries[parent])) return;
            swap_places(place, parent);
            place = parent;
        }
    }

    void sift_down(u32 place) {
        for (;;) {
            u32 const left = 2 * place + 1;
            u32 const right = left + 1;
            u32 smallest = place;
            if (left < m_size && before(m_entries[left], m_entries[smallest])) smallest = left;
            if (right < m_size && before(m_entries[right], m_entries[smallest])) smallest = right;
            if (smallest == place) return;
            swap_places(place, smallest);
            place = smallest;
        }
    }

    Entry m_entries[N]{};
    u32 m_position[N];
    u32 m_size = 0;
};

} // namespace grove

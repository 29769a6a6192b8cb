#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/assert.hpp>
#include <core/base/std.hpp>
#include <core/grove/ids.hpp>

namespace grove {

// The kernel's own messages to one endpoint (the stop request, crash and give-up notices), kept beside the groves'
// queue as seL4 keeps a notification beside an endpoint: groves can never fill it, so the kernel never finds it
// full. Each message has a key, and the lane holds at most one message per key (the kernel chooses the keys: the
// stop request, and per grove slot one for crash notices and one for give-up notices). A message whose key is pending replaces that message (which is
// handed back, to be accounted as superseded) and goes to the end: the lane keeps the latest news about each grove,
// in the order it came. With at most one message per key, Capacity (one per key) is never exceeded. Served in order of arrival, before any grove's message.
// Invariant: size() <= Capacity, and no two held messages have the same key.
template<u32 KeyCount>
class BasicKernelLane {
public:
    static constexpr u32 Capacity = KeyCount;

    struct Entry {
        abi::Message message;
        GroveSlot row; // the ledger row the message is counted in
        u8 key;
    };

    u32 size() const { return m_size; }
    bool is_empty() const { return m_size == 0; }

    // Appends `entry`; when a message with its key is held, that one leaves the lane into `superseded` (true
    // returned). The caller guarantees entry.key < KeyCount.
    bool push(Entry const& entry, Entry& superseded) {
        GROVE_ASSERT(entry.key < KeyCount);
        bool replaced = false;
        for (u32 i = 0; i < m_size; ++i) {
            if (at(i).key != entry.key) continue;
            superseded = at(i);
            for (u32 j = i; j + 1 < m_size; ++j) at(j) = at(j + 1);
            --m_size;
            replaced = true;
            break;
        }
        GROVE_ASSERT(m_size < Capacity); // one message per key at most
        at(m_size) = entry;
        ++m_size;
        return replaced;
    }

    // The oldest message; the caller guarantees !is_empty().
    Entry pop() {
        GROVE_ASSERT(m_size > 0);
        Entry const first = m_entries[m_head];
        m_head = (m_head + 1) % Capacity;
        --m_size;
        return first;
    }

    bool check() const {
        if (m_size > Capacity || m_head >= Capacity) return false;
        for (u32 i = 0; i < m_size; ++i)
            for (u32 j = i + 1; j < m_size; ++j)
                if (entry(i).key == entry(j).key) return false;
        return true;
    }

private:
    Entry& at(u32 i) { return m_entries[(m_head + i) % Capacity]; }
    Entry const& entry(u32 i) const { return m_entries[(m_head + i) % Capacity]; }

    Entry m_entries[Capacity]{};
    u32 m_head = 0;
    u32 m_size = 0;
};

} // namespace grove

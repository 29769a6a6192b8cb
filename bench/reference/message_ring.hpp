#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/std.hpp>

namespace grove::bench {

// The reference for the endpoint's single-level path: a minimal bounded ring of 64-byte messages in the shape of
// a single-producer single-consumer ring (the producer owns m_tail, the consumer m_head, each on its own cache
// line), used from one thread here, so the indices are plain integers. A push copies the message in, a pop copies
// it out; a full ring refuses a push, an empty one a pop. Capacity is that of an endpoint (a power of two).
// Invariant: 0 <= m_tail - m_head <= Capacity.
template<u32 Capacity>
class MessageRing {
    static_assert(Capacity > 0 && (Capacity & (Capacity - 1)) == 0, "the index wraps with a mask");

public:
    bool push(abi::Message const& message) {
        if (m_tail - m_head == Capacity) [[unlikely]]
            return false;
        m_slots[m_tail & (Capacity - 1)] = message;
        ++m_tail;
        return true;
    }
    bool pop(abi::Message& out) {
        if (m_head == m_tail) [[unlikely]]
            return false;
        out = m_slots[m_head & (Capacity - 1)];
        ++m_head;
        return true;
    }
    u32 size() const { return m_tail - m_head; }

private:
    alignas(64) abi::Message m_slots[Capacity]{};
    alignas(64) u32 m_head = 0;
    alignas(64) u32 m_tail = 0;
};

} // namespace grove::bench

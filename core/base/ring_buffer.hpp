#pragma once
#include <core/base/assert.hpp>
#include <core/base/std.hpp>

namespace grove {

// A bounded FIFO of trivially copyable values. A push on a full buffer FAILS: it never overwrites the oldest
// entry (the right behaviour for IPC, where losing a message silently is a bug). N must be a power of two so the
// index wraps with a mask.
template<typename T, usize N>
class RingBuffer {
    static_assert(N > 0 && (N & (N - 1)) == 0, "RingBuffer capacity must be a power of two");
    static_assert(std::is_trivially_copyable_v<T>);

public:
    static constexpr usize Capacity = N;

    [[nodiscard]] bool push(T const& value) {
        if (is_full()) return false;
        m_items[m_tail & (N - 1)] = value;
        ++m_tail;
        return true;
    }
    [[nodiscard]] bool pop(T& out) {
        if (is_empty()) return false;
        out = m_items[m_head & (N - 1)];
        ++m_head;
        return true;
    }
    T const& front() const {
        GROVE_ASSERT(!is_empty());
        return m_items[m_head & (N - 1)];
    }
    // The i-th oldest element, 0 = front.
    T const& at(usize i) const {
        GROVE_ASSERT(i < size());
        return m_items[(m_head + i) & (N - 1)];
    }
    void clear() { m_head = m_tail = 0; }

    usize size() const { return static_cast<usize>(m_tail - m_head); }
    bool is_empty() const { return m_head == m_tail; }
    bool is_full() const { return size() == N; }

private:
    T m_items[N]{};
    u64 m_head = 0; // counters only grow; u64 does not wrap in any run
    u64 m_tail = 0;
};

} // namespace grove

#pragma once
#include <core/arch/arch.hpp>

#include <deque>

namespace grove::sim {

// One port access a grove made through a permitted port (the minimal device model: reads return all ones,
// writes are recorded here).
struct PortWrite {
    AddressSpaceId space;
    u16 port = 0;
    u8 size = 0;
    u32 value = 0;
};

// The writes to permitted ports, bounded: the most recent Capacity writes are kept (a grove that writes a port in
// a loop, or `rep outsb` of a large buffer, cannot grow the host's memory), older ones are counted as dropped.
// Indexes run from the oldest kept write.
class PortLog {
public:
    static constexpr usize Capacity = 4096;

    void record(PortWrite write) {
        if (m_writes.size() == Capacity) {
            m_writes.pop_front();
            ++m_dropped;
        }
        m_writes.push_back(write);
    }
    // `count` writes that were made but are not kept: the caller records at least Capacity writes after them.
    void count_unkept(u64 count) { m_dropped += count; }
    usize size() const { return m_writes.size(); }
    PortWrite const& operator[](usize index) const { return m_writes[index]; }
    // Writes recorded in all, and those no longer kept.
    u64 total() const { return m_dropped + m_writes.size(); }
    u64 dropped() const { return m_dropped; }

private:
    std::deque<PortWrite> m_writes;
    u64 m_dropped = 0;
};

} // namespace grove::sim

#pragma once
#include <core/base/assert.hpp>
#include <core/base/std.hpp>
#include <core/ipc/ipc_counters.hpp>
#include <core/ipc/ipc_observer.hpp>

namespace grove {

// The system-wide book of IPC: message counters per sending grove (indexed by the small grove index 0..63 that
// the kernel assigns) and the wait sequence, a counter that numbers every wait so that a ReplyToken names exactly
// one wait and goes stale when that wait ends. Owned by the EndpointTable; endpoints update it.
// Every change of a grove's counters goes through record(), which tells the observer, if one is set, the same step.
// Invariant: every grove's counters are balanced; sequences are never reused.
class IpcLedger {
public:
    static constexpr usize GroveCapacity = 64;

    IpcCounters& grove(u8 index) {
        GROVE_ASSERT(index < GroveCapacity);
        return m_groves[index];
    }
    IpcCounters const& grove(u8 index) const {
        GROVE_ASSERT(index < GroveCapacity);
        return m_groves[index];
    }
    u64 next_sequence() { return m_next_sequence++; }

    // The observer must outlive its installation; null removes it.
    void set_observer(IpcObserver* observer) { m_observer = observer; }
    // Tells the observer about a step already counted.
    void record(MessageFate fate, GroveSlot row, GroveSlot to, abi::MessageHeader const& header,
                Refusal reason = Refusal::Invalid) {
        if (m_observer != nullptr) m_observer->on_message(MessageStep{fate, row, to, reason, header});
    }

    bool is_balanced() const {
        for (auto const& counters : m_groves)
            if (!counters.is_balanced()) return false;
        return true;
    }
    // Messages still queued anywhere, as the per-grove counters see them.
    u64 queued_total() const {
        u64 total = 0;
        for (auto const& counters : m_groves) total += counters.queued;
        return total;
    }

private:
    IpcCounters m_groves[GroveCapacity]{};
    u64 m_next_sequence = 1;
    IpcObserver* m_observer = nullptr;
};

} // namespace grove

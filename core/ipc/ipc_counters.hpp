#pragma once
#include <core/base/std.hpp>
#include <core/ipc/refusal.hpp>

namespace grove {

// Message accounting for one endpoint or one sending grove. A message is counted as sent once, when its fate is
// first decided: handed to a receiver, queued, or refused. A blocked sender's message is not counted until it is
// queued, handed over or refused. Invariant (is_balanced): sent = delivered + refused + queued, at every instant.
// Every transition below keeps it.
struct IpcCounters {
    u64 sent = 0;
    u64 delivered = 0;
    u64 queued = 0;
    u64 refused[RefusalCount]{};

    constexpr u64 refused_total() const {
        u64 total = 0;
        for (u64 r : refused) total += r;
        return total;
    }
    constexpr u64 refused_for(Refusal reason) const { return refused[index_of(reason)]; }
    constexpr bool is_balanced() const { return sent == delivered + refused_total() + queued; }

    // Sent and delivered at once (handed to a waiting receiver, or a reply).
    constexpr void count_handed_over() {
        ++sent;
        ++delivered;
    }
    constexpr void count_queued() {
        ++sent;
        ++queued;
    }
    // A queued message reached a receiver.
    constexpr void count_dequeued() {
        --queued;
        ++delivered;
    }
    constexpr void count_refused(Refusal reason) {
        ++sent;
        ++refused[index_of(reason)];
    }
    // A queued message was reclaimed without delivery (its endpoint closed).
    constexpr void count_reclaimed(Refusal reason) {
        --queued;
        ++refused[index_of(reason)];
    }
};

} // namespace grove

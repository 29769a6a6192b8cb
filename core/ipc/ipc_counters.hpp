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
    u64 refused[RefusalCount]{};
    // Kept apart from sent and delivered: a send updates (sent, queued) and a receive (delivered, queued). Were
    // queued next to either, the compiler would merge that pair into one 16-byte read-modify-write, whose load
    // cannot be forwarded from the other operation's 8-byte store of queued and so waits for it to reach the
    // cache (measured: 2 ns of a 12 ns send and receive).
    u64 queued = 0;

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

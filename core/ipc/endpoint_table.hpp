#pragma once
#include <core/base/result.hpp>
#include <core/base/slot_table.hpp>
#include <core/ipc/endpoint.hpp>
#include <core/ipc/endpoint_ref.hpp>
#include <core/ipc/ipc_ledger.hpp>

namespace grove {

// Every IPC endpoint of the system and the IPC ledger, owned by the kernel (static storage). Endpoints are reached
// only through EndpointRefs, whose generation goes stale when the endpoint closes: a dead grove's endpoint cannot
// be reached through an old reference, even after its slot holds a new endpoint.
//
// An operation on a stale reference fails with PeerClosed (the handle may be fine; the peer is gone); a send to
// one is counted as refused with PeerClosed against the sending grove. Semantics of each operation, the orders in
// which waiters are served and woken, and the WakeList protocol are those of Endpoint.
// Invariant (check_invariant): every endpoint's invariant holds, every grove's counters are balanced, and the
// messages queued per the groves' counters are exactly those in the endpoints' queues, and the count of timed
// waiters is the sum of the endpoints' and their earliest deadline, when known, is exact (so next_deadline scans
// only after the waiter with the earliest deadline stopped waiting, and expire only when something is due).
class EndpointTable {
public:
    static constexpr usize Capacity = 64;

    EndpointTable() = default;
    EndpointTable(EndpointTable const&) = delete;
    EndpointTable& operator=(EndpointTable const&) = delete;

    // A new, empty endpoint owned by grove `owner`. InvalidArgument when owner is not a grove index;
    // NoCapacity when all endpoints are in use.
    Result<EndpointRef> open(u8 owner);
    // Closes the endpoint (Endpoint::close: wakes everyone waiting on it with PeerClosed, reclaims its messages)
    // and frees its slot under a new generation. Returns its final counters; PeerClosed when already closed.
    Result<IpcCounters> close(EndpointRef ref, WakeList& woken);

    Endpoint* find(EndpointRef ref) { return m_endpoints.get(ref.slot); }
    Endpoint const* find(EndpointRef ref) const { return m_endpoints.get(ref.slot); }
    bool is_live(EndpointRef ref) const { return find(ref) != nullptr; }
    usize size() const { return m_endpoints.size(); }

    // --- messaging (see Endpoint for the outcomes) ------------------------------------------------------------
    Result<SendStatus> try_send(EndpointRef ref, u8 grove, abi::Message const& message, WakeList& woken);
    Result<SendStatus> send(EndpointRef ref, IpcWaiter& waiter, Ticks now, WakeList& woken);
    Result<SendStatus> call(EndpointRef ref, IpcWaiter& waiter, Ticks now, WakeList& woken);
    Result<void> try_receive(EndpointRef ref, abi::Message& out, ReplyToken& reply, WakeList& woken);
    Result<ReceiveStatus> receive(EndpointRef ref, IpcWaiter& waiter, Ticks now, WakeList& woken);

    // Answers the call named by `token` with `message` from grove `grove`: the caller wakes Completed with the
    // reply. InvalidState (not counted) for a null token; PeerClosed (counted as a refused reply) when the
    // caller no longer waits (timed out, cancelled, or its endpoint closed); InvalidArgument (counted) for a bad
    // header, and then the caller keeps waiting.
    Result<void> reply(ReplyToken token, u8 grove, abi::Message const& message, WakeList& woken);
    // Gives up the call named by `token` (the thread that received it is going away): the caller wakes with
    // PeerClosed. Nothing happens for a null or stale token.
    void abandon_reply(ReplyToken token, WakeList& woken);

    // Ends the waiter's wait with `outcome` (TimedOut or PeerClosed), without a WakeList (Endpoint::cancel).
    // False when it was not waiting.
    bool cancel(IpcWaiter& waiter, WaitOutcome outcome);
    // Wakes, with TimedOut, every waiter whose deadline is <= now: endpoints in slot order, each as
    // Endpoint::expire.
    void expire(Ticks now, WakeList& woken);
    // The earliest deadline of any waiter; Ticks::max() when none waits with a deadline.
    Ticks next_deadline() const;

    // Counts a send the kernel refused before it reached an endpoint: RateLimited (the grove's token bucket was
    // empty), BadHandle, AccessDenied. Counted against the grove, and against the endpoint too when `target` is
    // live.
    void refuse(u8 grove, EndpointRef target, Refusal reason);

    IpcLedger const& ledger() const { return m_ledger; }
    IpcCounters const& grove_counters(u8 grove) const { return m_ledger.grove(grove); }

    bool check_invariant() const;

private:
    Endpoint const* endpoint_at(u32 index) const {
        return const_cast<SlotTable<Endpoint, Capacity>&>(m_endpoints).at_index(index);
    }
    // The earliest deadline of any waiter, from every endpoint's lists.
    Ticks scan_next_deadline() const;
    Result<void> refuse_stale_send(u8 grove);
    Result<void> refuse_stale_wait(IpcWaiter& waiter);

    IpcLedger m_ledger;
    // The timed waiters of every endpoint; next_deadline() recomputes `earliest` when it is not known.
    mutable Endpoint::TimedWaiters m_timed;
    SlotTable<Endpoint, Capacity> m_endpoints;
};

} // namespace grove

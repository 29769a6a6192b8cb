#pragma once
#include <core/base/result.hpp>
#include <core/base/slot_table.hpp>
#include <core/ipc/endpoint.hpp>
#include <core/ipc/endpoint_ref.hpp>
#include <core/ipc/ipc_ledger.hpp>

namespace grove {

// Every IPC endpoint of the system and the IPC ledger, owned by the kernel (static storage): EndpointTable, whose
// endpoints hold 64 messages each (other queue capacities are the same code, instantiated for tests). Endpoints
// are reached only through EndpointRefs, whose generation goes stale when the endpoint closes: a dead grove's
// endpoint cannot be reached through an old reference, even after its slot holds a new endpoint.
//
// An operation on a stale reference fails with PeerClosed (the handle may be fine; the peer is gone); a send to
// one is counted as refused with PeerClosed against the sending grove. Semantics of each operation, the orders in
// which waiters are served and woken, and the WakeList protocol are those of Endpoint.
// Invariant (check_invariant): every endpoint's invariant holds, every grove's counters are balanced, and the
// messages queued per the groves' counters are exactly those in the endpoints' queues, and the count of timed
// waiters is the sum of the endpoints' and their earliest deadline, when known, is exact (so next_deadline scans
// only after the waiter with the earliest deadline stopped waiting, and expire only when something is due).
template<u32 QueueCapacity>
class BasicEndpointTable {
public:
    using Endpoint = BasicEndpoint<QueueCapacity>;
    static constexpr usize Capacity = 64;

    BasicEndpointTable() = default;
    BasicEndpointTable(BasicEndpointTable const&) = delete;
    BasicEndpointTable& operator=(BasicEndpointTable const&) = delete;

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
    Result<SendStatus> try_send(EndpointRef ref, GroveSlot grove, abi::Message const& message, WakeList& woken);
    Result<SendStatus> send(EndpointRef ref, IpcWaiter& waiter, Ticks now, WakeList& woken);
    Result<SendStatus> call(EndpointRef ref, IpcWaiter& waiter, Ticks now, WakeList& woken);
    // The kernel's own message (Endpoint::send_kernel); a stale reference refuses it with PeerClosed (counted).
    Result<SendStatus> send_kernel(EndpointRef ref, GroveSlot row, u8 key, abi::Message const& message,
                                   WakeList& woken);
    Result<void> try_receive(EndpointRef ref, abi::Message& out, ReplyToken& reply, WakeList& woken);
    Result<ReceiveStatus> receive(EndpointRef ref, IpcWaiter& waiter, Ticks now, WakeList& woken);

    // Answers the call named by `token` with `message` from grove `grove`: the caller wakes Completed with the
    // reply. InvalidState (not counted) for a null token; PeerClosed (counted as a refused reply) when the
    // caller no longer waits (timed out, cancelled, or its endpoint closed); InvalidArgument (counted) for a bad
    // header, and then the caller keeps waiting.
    Result<void> reply(ReplyToken token, GroveSlot grove, abi::Message const& message, WakeList& woken);
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
    // empty), BadHandle, AccessDenied, ReceiveDenied. Counted against the grove, and against the endpoint too when
    // `target` is live; `header` is the message as far as the kernel read it.
    void refuse(GroveSlot grove, EndpointRef target, Refusal reason, abi::MessageHeader const& header);

    // Every step of the accounting goes to `observer` (IpcLedger::set_observer).
    void set_observer(IpcObserver* observer) { m_ledger.set_observer(observer); }
    IpcLedger const& ledger() const { return m_ledger; }
    IpcCounters const& grove_counters(GroveSlot grove) const { return m_ledger.grove(grove); }

    bool check_invariant() const;

private:
    Endpoint const* endpoint_at(u32 index) const {
        return const_cast<SlotTable<Endpoint, Capacity>&>(m_endpoints).at_index(index);
    }
    // The earliest deadline of any waiter, from every endpoint's lists.
    Ticks scan_next_deadline() const;
    Result<void> refuse_stale_send(GroveSlot grove, abi::MessageHeader const& header);
    // Counts a refused send whose endpoint is gone or unknown: against the grove only, for no recipient.
    void count_unreached(GroveSlot grove, Refusal reason, abi::MessageHeader const& header);
    Result<void> refuse_stale_wait(IpcWaiter& waiter);

    IpcLedger m_ledger;
    // The timed waiters of every endpoint; next_deadline() recomputes `earliest` when it is not known.
    mutable typename Endpoint::TimedWaiters m_timed;
    SlotTable<Endpoint, Capacity> m_endpoints;
};

template<u32 QueueCapacity>
Result<EndpointRef> BasicEndpointTable<QueueCapacity>::open(u8 owner) {
    if (owner >= IpcLedger::GroveCapacity) return Error::InvalidArgument;
    if (m_endpoints.is_full()) return Error::NoCapacity;
    SlotRef const slot = m_endpoints.insert(owner, m_ledger, &m_timed);
    GROVE_ASSERT(!slot.is_null());
    return EndpointRef{slot};
}

template<u32 QueueCapacity>
Result<IpcCounters> BasicEndpointTable<QueueCapacity>::close(EndpointRef ref, WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) return Error::PeerClosed;
    endpoint->close(woken);
    IpcCounters const final_counters = endpoint->counters();
    bool const removed = m_endpoints.remove(ref.slot);
    GROVE_ASSERT(removed);
    return final_counters;
}

template<u32 QueueCapacity>
Result<void> BasicEndpointTable<QueueCapacity>::refuse_stale_send(GroveSlot grove, abi::MessageHeader const& header) {
    count_unreached(grove, Refusal::PeerClosed, header);
    return error_of(Refusal::PeerClosed);
}

template<u32 QueueCapacity>
Result<void> BasicEndpointTable<QueueCapacity>::refuse_stale_wait(IpcWaiter& waiter) {
    GROVE_ASSERT(!waiter.is_waiting());
    waiter.outcome = WaitOutcome::Pending;
    return refuse_stale_send(waiter.grove, waiter.message.header);
}

template<u32 QueueCapacity>
Result<SendStatus> BasicEndpointTable<QueueCapacity>::try_send(EndpointRef ref, GroveSlot grove,
                                                               abi::Message const& message, WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) [[unlikely]]
        return refuse_stale_send(grove, message.header).error();
    return endpoint->try_send(grove, message, woken);
}

template<u32 QueueCapacity>
Result<SendStatus> BasicEndpointTable<QueueCapacity>::send(EndpointRef ref, IpcWaiter& waiter, Ticks now,
                                                           WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) return refuse_stale_wait(waiter).error();
    return endpoint->send(waiter, now, woken);
}

template<u32 QueueCapacity>
Result<SendStatus> BasicEndpointTable<QueueCapacity>::call(EndpointRef ref, IpcWaiter& waiter, Ticks now,
                                                           WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) return refuse_stale_wait(waiter).error();
    return endpoint->call(waiter, now, woken);
}

template<u32 QueueCapacity>
Result<SendStatus> BasicEndpointTable<QueueCapacity>::send_kernel(EndpointRef ref, GroveSlot row, u8 key,
                                                                  abi::Message const& message, WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) return refuse_stale_send(row, message.header).error();
    return endpoint->send_kernel(row, key, message, woken);
}

template<u32 QueueCapacity>
Result<void> BasicEndpointTable<QueueCapacity>::try_receive(EndpointRef ref, abi::Message& out, ReplyToken& reply,
                                                            WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) [[unlikely]]
        return Error::PeerClosed;
    return endpoint->try_receive(out, reply, woken);
}

template<u32 QueueCapacity>
Result<ReceiveStatus> BasicEndpointTable<QueueCapacity>::receive(EndpointRef ref, IpcWaiter& waiter, Ticks now,
                                                                 WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) {
        waiter.outcome = WaitOutcome::Pending;
        return Error::PeerClosed;
    }
    return endpoint->receive(waiter, now, woken);
}

template<u32 QueueCapacity>
Result<void> BasicEndpointTable<QueueCapacity>::reply(ReplyToken token, GroveSlot grove, abi::Message const& message,
                                                      WakeList& woken) {
    if (token.is_null()) return Error::InvalidState;
    IpcWaiter* caller = Endpoint::resolve(token);
    if (caller == nullptr) return refuse_stale_send(grove, message.header);
    return caller->endpoint->reply(*caller, grove, message, woken);
}

template<u32 QueueCapacity>
void BasicEndpointTable<QueueCapacity>::abandon_reply(ReplyToken token, WakeList& woken) {
    IpcWaiter* caller = Endpoint::resolve(token);
    if (caller != nullptr) caller->endpoint->abandon(*caller, woken);
}

template<u32 QueueCapacity>
bool BasicEndpointTable<QueueCapacity>::cancel(IpcWaiter& waiter, WaitOutcome outcome) {
    if (!waiter.is_waiting()) return false;
    return waiter.endpoint->cancel(waiter, outcome);
}

template<u32 QueueCapacity>
void BasicEndpointTable<QueueCapacity>::expire(Ticks now, WakeList& woken) {
    // No waiter's deadline is earlier than next_deadline(): none is due before it.
    if (now < next_deadline()) return;
    m_endpoints.for_each([&](SlotRef, Endpoint& endpoint) { endpoint.expire(now, woken); });
}

template<u32 QueueCapacity>
Ticks BasicEndpointTable<QueueCapacity>::next_deadline() const {
    if (m_timed.count == 0) return Ticks::max();
    if (m_timed.earliest_known) return m_timed.earliest;
    m_timed.earliest = scan_next_deadline();
    m_timed.earliest_known = true;
    return m_timed.earliest;
}

template<u32 QueueCapacity>
Ticks BasicEndpointTable<QueueCapacity>::scan_next_deadline() const {
    Ticks earliest = Ticks::max();
    for (u32 index = 0; index < Capacity; ++index) {
        Endpoint const* endpoint = endpoint_at(index);
        if (endpoint == nullptr) continue;
        Ticks const deadline = endpoint->next_deadline();
        if (deadline < earliest) earliest = deadline;
    }
    return earliest;
}

template<u32 QueueCapacity>
void BasicEndpointTable<QueueCapacity>::refuse(GroveSlot grove, EndpointRef target, Refusal reason,
                                               abi::MessageHeader const& header) {
    if (Endpoint* endpoint = find(target)) {
        endpoint->refuse(grove, reason, header);
        return;
    }
    count_unreached(grove, reason, header);
}

template<u32 QueueCapacity>
void BasicEndpointTable<QueueCapacity>::count_unreached(GroveSlot grove, Refusal reason,
                                                        abi::MessageHeader const& header) {
    m_ledger.grove(grove).count_refused(reason);
    m_ledger.record(MessageFate::Sent, grove, NoRecipient, header);
    m_ledger.record(MessageFate::Refused, grove, NoRecipient, header, reason);
}

template<u32 QueueCapacity>
bool BasicEndpointTable<QueueCapacity>::check_invariant() const {
    if (!m_ledger.is_balanced()) return false;
    u64 queued = 0;
    u32 timed = 0;
    for (u32 index = 0; index < Capacity; ++index) {
        Endpoint const* endpoint = endpoint_at(index);
        if (endpoint == nullptr) continue;
        if (!endpoint->check_invariant()) return false;
        queued += endpoint->queued();
        timed += endpoint->timed_waiters();
    }
    return queued == m_ledger.queued_total() && timed == m_timed.count &&
           (!m_timed.earliest_known || m_timed.count == 0 || m_timed.earliest == scan_next_deadline());
}

// The kernel's table. Its out-of-line operations are compiled once, in endpoint_table.cpp.
using EndpointTable = BasicEndpointTable<MessageQueue::Capacity>;
extern template class BasicEndpointTable<MessageQueue::Capacity>;

} // namespace grove

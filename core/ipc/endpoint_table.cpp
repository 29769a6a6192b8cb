#include <core/ipc/endpoint_table.hpp>

namespace grove {

Result<EndpointRef> EndpointTable::open(u8 owner) {
    if (owner >= IpcLedger::GroveCapacity) return Error::InvalidArgument;
    if (m_endpoints.is_full()) return Error::NoCapacity;
    SlotRef const slot = m_endpoints.insert(owner, m_ledger, &m_timed);
    GROVE_ASSERT(!slot.is_null());
    return EndpointRef{slot};
}

Result<IpcCounters> EndpointTable::close(EndpointRef ref, WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) return Error::PeerClosed;
    endpoint->close(woken);
    IpcCounters const final_counters = endpoint->counters();
    bool const removed = m_endpoints.remove(ref.slot);
    GROVE_ASSERT(removed);
    return final_counters;
}

Result<void> EndpointTable::refuse_stale_send(u8 grove) {
    m_ledger.grove(grove).count_refused(Refusal::PeerClosed);
    return error_of(Refusal::PeerClosed);
}

Result<void> EndpointTable::refuse_stale_wait(IpcWaiter& waiter) {
    GROVE_ASSERT(!waiter.is_waiting());
    waiter.outcome = WaitOutcome::Pending;
    return refuse_stale_send(waiter.grove);
}

Result<SendStatus> EndpointTable::try_send(EndpointRef ref, u8 grove, abi::Message const& message,
                                           WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) [[unlikely]] return refuse_stale_send(grove).error();
    return endpoint->try_send(grove, message, woken);
}

Result<SendStatus> EndpointTable::send(EndpointRef ref, IpcWaiter& waiter, Ticks now, WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) return refuse_stale_wait(waiter).error();
    return endpoint->send(waiter, now, woken);
}

Result<SendStatus> EndpointTable::call(EndpointRef ref, IpcWaiter& waiter, Ticks now, WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) return refuse_stale_wait(waiter).error();
    return endpoint->call(waiter, now, woken);
}

Result<void> EndpointTable::try_receive(EndpointRef ref, abi::Message& out, ReplyToken& reply, WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) [[unlikely]] return Error::PeerClosed;
    return endpoint->try_receive(out, reply, woken);
}

Result<ReceiveStatus> EndpointTable::receive(EndpointRef ref, IpcWaiter& waiter, Ticks now, WakeList& woken) {
    Endpoint* endpoint = find(ref);
    if (endpoint == nullptr) {
        waiter.outcome = WaitOutcome::Pending;
        return Error::PeerClosed;
    }
    return endpoint->receive(waiter, now, woken);
}

Result<void> EndpointTable::reply(ReplyToken token, u8 grove, abi::Message const& message, WakeList& woken) {
    if (token.is_null()) return Error::InvalidState;
    IpcWaiter* caller = Endpoint::resolve(token);
    if (caller == nullptr) return refuse_stale_send(grove);
    return caller->endpoint->reply(*caller, grove, message, woken);
}

void EndpointTable::abandon_reply(ReplyToken token, WakeList& woken) {
    IpcWaiter* caller = Endpoint::resolve(token);
    if (caller != nullptr) caller->endpoint->abandon(*caller, woken);
}

bool EndpointTable::cancel(IpcWaiter& waiter, WaitOutcome outcome) {
    if (!waiter.is_waiting()) return false;
    return waiter.endpoint->cancel(waiter, outcome);
}

void EndpointTable::expire(Ticks now, WakeList& woken) {
    // No waiter's deadline is earlier than next_deadline(): none is due before it.
    if (now < next_deadline()) return;
    m_endpoints.for_each([&](SlotRef, Endpoint& endpoint) { endpoint.expire(now, woken); });
}

Ticks EndpointTable::next_deadline() const {
    if (m_timed.count == 0) return Ticks::max();
    if (m_timed.earliest_known) return m_timed.earliest;
    m_timed.earliest = scan_next_deadline();
    m_timed.earliest_known = true;
    return m_timed.earliest;
}

Ticks EndpointTable::scan_next_deadline() const {
    Ticks earliest = Ticks::max();
    for (u32 index = 0; index < Capacity; ++index) {
        Endpoint const* endpoint = endpoint_at(index);
        if (endpoint == nullptr) continue;
        Ticks const deadline = endpoint->next_deadline();
        if (deadline < earliest) earliest = deadline;
    }
    return earliest;
}

void EndpointTable::refuse(u8 grove, EndpointRef target, Refusal reason) {
    if (Endpoint* endpoint = find(target)) {
        endpoint->refuse(grove, reason);
        return;
    }
    m_ledger.grove(grove).count_refused(reason);
}

bool EndpointTable::check_invariant() const {
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

} // namespace grove

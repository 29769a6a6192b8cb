#include <core/ipc/endpoint_base.hpp>

namespace grove {

namespace {

Refusal refusal_of(WaitOutcome outcome) {
    return outcome == WaitOutcome::TimedOut ? Refusal::TimedOut : Refusal::PeerClosed;
}

} // namespace

Result<void> EndpointBase::check_send(GroveSlot grove, abi::MessageHeader const& header) {
    if (!is_valid(header)) [[unlikely]] {
        count_refused(grove, Refusal::Invalid, header);
        return error_of(Refusal::Invalid);
    }
    return check_open(grove, header);
}

Result<void> EndpointBase::check_open(GroveSlot grove, abi::MessageHeader const& header) {
    if (!m_open) [[unlikely]] {
        count_refused(grove, Refusal::PeerClosed, header);
        return error_of(Refusal::PeerClosed);
    }
    return ok();
}

void EndpointBase::start_wait(IpcWaiter& waiter) {
    GROVE_ASSERT(!waiter.is_waiting() && !waiter.node.is_linked());
    waiter.outcome = WaitOutcome::Pending;
    waiter.reply_token = {};
    waiter.endpoint = nullptr;
    waiter.sequence = m_ledger.next_sequence();
}

void EndpointBase::count_started(IpcWaiter const& waiter) {
    if (waiter.deadline == Ticks::max()) return;
    ++m_timed_waiters;
    if (m_timed_total == nullptr) return;
    ++m_timed_total->count;
    if (waiter.deadline < m_timed_total->earliest) m_timed_total->earliest = waiter.deadline;
}

void EndpointBase::count_stopped(IpcWaiter const& waiter) {
    if (waiter.deadline == Ticks::max()) return;
    GROVE_ASSERT(m_timed_waiters > 0);
    --m_timed_waiters;
    if (m_timed_total == nullptr) return;
    --m_timed_total->count;
    if (waiter.deadline <= m_timed_total->earliest) m_timed_total->earliest_known = false;
}

void EndpointBase::block(IpcWaiter& waiter, WaitKind kind, WaiterList& list) {
    waiter.kind = kind;
    waiter.endpoint = this;
    list.push_back(waiter);
    count_started(waiter);
}

Result<void> EndpointBase::wait_for_room(IpcWaiter& waiter, WaitKind kind, Ticks now) {
    GROVE_ASSERT(kind == WaitKind::Sending || kind == WaitKind::CallSending);
    if (waiter.deadline <= now) {
        count_refused(waiter.grove, Refusal::TimedOut, waiter.message.header);
        return error_of(Refusal::TimedOut);
    }
    block(waiter, kind, m_senders);
    return ok();
}

Result<void> EndpointBase::reply(IpcWaiter& caller, GroveSlot grove, abi::Message const& message, WakeList& woken) {
    GROVE_ASSERT(caller.endpoint == this && caller.kind == WaitKind::AwaitingReply);
    if (!is_valid(message.header)) {
        count_refused(grove, Refusal::Invalid, message.header);
        return error_of(Refusal::Invalid);
    }
    m_callers.remove(caller);
    caller.message = message;
    caller.message.header.flags = delivered_flags(message.header, false);
    count_handed_over(grove, message.header, caller.grove);
    wake(caller, WaitOutcome::Completed, woken);
    return ok();
}

void EndpointBase::abandon(IpcWaiter& caller, WakeList& woken) {
    GROVE_ASSERT(caller.endpoint == this && caller.kind == WaitKind::AwaitingReply);
    m_callers.remove(caller);
    wake(caller, WaitOutcome::PeerClosed, woken);
}

EndpointBase::WaiterList& EndpointBase::list_of(WaitKind kind) {
    switch (kind) {
    case WaitKind::Sending:
    case WaitKind::CallSending: return m_senders;
    case WaitKind::Receiving: return m_receivers;
    case WaitKind::AwaitingReply: return m_callers;
    case WaitKind::None: break;
    }
    GROVE_UNREACHABLE();
}

bool EndpointBase::cancel(IpcWaiter& waiter, WaitOutcome outcome) {
    GROVE_ASSERT(outcome == WaitOutcome::TimedOut || outcome == WaitOutcome::PeerClosed);
    if (!waiter.is_waiting() || waiter.endpoint != this) return false;
    bool const is_sender = waiter.kind == WaitKind::Sending || waiter.kind == WaitKind::CallSending;
    list_of(waiter.kind).remove(waiter);
    count_stopped(waiter);
    if (is_sender) count_refused(waiter.grove, refusal_of(outcome), waiter.message.header);
    waiter.kind = WaitKind::None;
    waiter.endpoint = nullptr;
    waiter.outcome = outcome;
    return true;
}

void EndpointBase::wake(IpcWaiter& waiter, WaitOutcome outcome, WakeList& woken) {
    count_stopped(waiter);
    waiter.kind = WaitKind::None;
    waiter.endpoint = nullptr;
    waiter.outcome = outcome;
    woken.push_back(waiter);
}

void EndpointBase::expire(Ticks now, WakeList& woken) {
    // Without a timed waiter every deadline is Ticks::max(), which only Ticks::max() itself reaches.
    if (m_timed_waiters == 0 && now < Ticks::max()) return;
    for (WaiterList* list : {&m_senders, &m_receivers, &m_callers}) {
        auto it = list->begin();
        while (it != list->end()) {
            IpcWaiter& waiter = *it;
            ++it; // before the waiter leaves the list
            if (waiter.deadline > now) continue;
            bool const is_sender = waiter.kind == WaitKind::Sending || waiter.kind == WaitKind::CallSending;
            list->remove(waiter);
            if (is_sender) count_refused(waiter.grove, Refusal::TimedOut, waiter.message.header);
            wake(waiter, WaitOutcome::TimedOut, woken);
        }
    }
}

Ticks EndpointBase::next_deadline() const {
    Ticks earliest = Ticks::max();
    if (m_timed_waiters == 0) return earliest;
    for (WaiterList const* list : {&m_senders, &m_receivers, &m_callers}) {
        // IntrusiveList iterates only mutably; reading deadlines changes nothing.
        for (IpcWaiter const& waiter : const_cast<WaiterList&>(*list))
            if (waiter.deadline < earliest) earliest = waiter.deadline;
    }
    return earliest;
}

void EndpointBase::refuse(GroveSlot grove, Refusal reason, abi::MessageHeader const& header) {
    count_refused(grove, reason, header);
}

void EndpointBase::close_waiters(WakeList& woken) {
    m_open = false;
    while (IpcWaiter* receiver = m_receivers.pop_front()) wake(*receiver, WaitOutcome::PeerClosed, woken);
    while (IpcWaiter* sender = m_senders.pop_front()) {
        count_refused(sender->grove, Refusal::PeerClosed, sender->message.header);
        wake(*sender, WaitOutcome::PeerClosed, woken);
    }
    while (IpcWaiter* caller = m_callers.pop_front()) wake(*caller, WaitOutcome::PeerClosed, woken);
}

bool EndpointBase::check_waiters() const {
    auto const waiters_match = [this](WaiterList const& list, WaitKind first, WaitKind second) {
        for (IpcWaiter const& waiter : const_cast<WaiterList&>(list))
            if (waiter.endpoint != this || (waiter.kind != first && waiter.kind != second)) return false;
        return true;
    };
    u32 timed = 0;
    for (WaiterList const* list : {&m_senders, &m_receivers, &m_callers})
        for (IpcWaiter const& waiter : const_cast<WaiterList&>(*list))
            if (waiter.deadline != Ticks::max()) ++timed;
    if (timed != m_timed_waiters) return false;
    return waiters_match(m_senders, WaitKind::Sending, WaitKind::CallSending) &&
           waiters_match(m_receivers, WaitKind::Receiving, WaitKind::Receiving) &&
           waiters_match(m_callers, WaitKind::AwaitingReply, WaitKind::AwaitingReply);
}

} // namespace grove

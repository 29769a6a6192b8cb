#include <core/ipc/endpoint.hpp>

namespace grove {

namespace {

Refusal refusal_of(WaitOutcome outcome) {
    return outcome == WaitOutcome::TimedOut ? Refusal::TimedOut : Refusal::PeerClosed;
}

} // namespace

Result<void> Endpoint::check_send(u8 grove, abi::MessageHeader const& header) {
    if (!is_valid(header)) [[unlikely]] {
        count_refused(grove, Refusal::Invalid);
        return error_of(Refusal::Invalid);
    }
    if (!m_open) [[unlikely]] {
        count_refused(grove, Refusal::PeerClosed);
        return error_of(Refusal::PeerClosed);
    }
    return ok();
}

SendStatus Endpoint::admit(abi::Message const& message, MessageOrigin const& origin, WakeList& woken) {
    u8 const flags = delivered_flags(message.header, !origin.reply.is_null());
    if (!m_receivers.is_empty()) [[unlikely]] {
        IpcWaiter& receiver = *m_receivers.pop_front();
        receiver.message = message;
        receiver.message.header.flags = flags;
        receiver.reply_token = origin.reply;
        wake(receiver, WaitOutcome::Completed, woken);
        count_handed_over(origin.grove);
        return SendStatus::Delivered;
    }
    GROVE_ASSERT(!m_queue.is_full());
    m_queue.push(message, flags, origin);
    count_queued(origin.grove);
    return SendStatus::Queued;
}

Result<SendStatus> Endpoint::try_send_slowly(u8 grove, abi::Message const& message, WakeList& woken) {
    TRY(check_send(grove, message.header));
    if (m_queue.is_full()) {
        count_refused(grove, Refusal::QueueFull);
        return error_of(Refusal::QueueFull);
    }
    return admit(message, MessageOrigin{grove, {}}, woken);
}

void Endpoint::start_wait(IpcWaiter& waiter) {
    GROVE_ASSERT(!waiter.is_waiting() && !waiter.node.is_linked());
    waiter.outcome = WaitOutcome::Pending;
    waiter.reply_token = {};
    waiter.endpoint = nullptr;
    waiter.sequence = m_ledger.next_sequence();
}

void Endpoint::count_started(IpcWaiter const& waiter) {
    if (waiter.deadline == Ticks::max()) return;
    ++m_timed_waiters;
    if (m_timed_total == nullptr) return;
    ++m_timed_total->count;
    if (waiter.deadline < m_timed_total->earliest) m_timed_total->earliest = waiter.deadline;
}

void Endpoint::count_stopped(IpcWaiter const& waiter) {
    if (waiter.deadline == Ticks::max()) return;
    GROVE_ASSERT(m_timed_waiters > 0);
    --m_timed_waiters;
    if (m_timed_total == nullptr) return;
    --m_timed_total->count;
    if (waiter.deadline <= m_timed_total->earliest) m_timed_total->earliest_known = false;
}

void Endpoint::block(IpcWaiter& waiter, WaitKind kind, WaiterList& list) {
    waiter.kind = kind;
    waiter.endpoint = this;
    list.push_back(waiter);
    count_started(waiter);
}

Result<SendStatus> Endpoint::send(IpcWaiter& waiter, Ticks now, WakeList& woken) {
    start_wait(waiter);
    TRY(check_send(waiter.grove, waiter.message.header));
    if (!m_queue.is_full()) {
        waiter.outcome = WaitOutcome::Completed;
        return admit(waiter.message, MessageOrigin{waiter.grove, {}}, woken);
    }
    if (waiter.deadline <= now) {
        count_refused(waiter.grove, Refusal::TimedOut);
        return error_of(Refusal::TimedOut);
    }
    block(waiter, WaitKind::Sending, m_senders);
    return SendStatus::Blocked;
}

Result<SendStatus> Endpoint::call(IpcWaiter& waiter, Ticks now, WakeList& woken) {
    start_wait(waiter);
    TRY(check_send(waiter.grove, waiter.message.header));
    if (!m_queue.is_full()) {
        SendStatus const status =
            admit(waiter.message, MessageOrigin{waiter.grove, ReplyToken{&waiter, waiter.sequence}}, woken);
        block(waiter, WaitKind::AwaitingReply, m_callers);
        return status;
    }
    if (waiter.deadline <= now) {
        count_refused(waiter.grove, Refusal::TimedOut);
        return error_of(Refusal::TimedOut);
    }
    block(waiter, WaitKind::CallSending, m_senders);
    return SendStatus::Blocked;
}

void Endpoint::admit_blocked_sender(WakeList& woken) {
    if (m_senders.is_empty()) return;
    IpcWaiter& sender = *m_senders.pop_front();
    if (sender.kind == WaitKind::CallSending) {
        (void)admit(sender.message, MessageOrigin{sender.grove, ReplyToken{&sender, sender.sequence}}, woken);
        sender.kind = WaitKind::AwaitingReply;
        m_callers.push_back(sender);
        return;
    }
    GROVE_ASSERT(sender.kind == WaitKind::Sending);
    (void)admit(sender.message, MessageOrigin{sender.grove, {}}, woken);
    wake(sender, WaitOutcome::Completed, woken);
}

void Endpoint::take(abi::Message& out, ReplyToken& reply, WakeList& woken) {
    count_dequeued(m_queue.pop(out, reply));
    admit_blocked_sender(woken);
}

Result<void> Endpoint::try_receive_slowly(abi::Message& out, ReplyToken& reply, WakeList& woken) {
    if (m_queue.is_empty()) return m_open ? Error::WouldBlock : Error::PeerClosed;
    take(out, reply, woken);
    return ok();
}

Result<ReceiveStatus> Endpoint::receive(IpcWaiter& waiter, Ticks now, WakeList& woken) {
    start_wait(waiter);
    if (!m_queue.is_empty()) {
        take(waiter.message, waiter.reply_token, woken);
        waiter.outcome = WaitOutcome::Completed;
        return ReceiveStatus::Received;
    }
    if (!m_open) return Error::PeerClosed;
    if (waiter.deadline <= now) return Error::TimedOut;
    block(waiter, WaitKind::Receiving, m_receivers);
    return ReceiveStatus::Blocked;
}

Result<void> Endpoint::reply(IpcWaiter& caller, u8 grove, abi::Message const& message, WakeList& woken) {
    GROVE_ASSERT(caller.endpoint == this && caller.kind == WaitKind::AwaitingReply);
    if (!is_valid(message.header)) {
        count_refused(grove, Refusal::Invalid);
        return error_of(Refusal::Invalid);
    }
    m_callers.remove(caller);
    caller.message = message;
    caller.message.header.flags = delivered_flags(message.header, false);
    count_handed_over(grove);
    wake(caller, WaitOutcome::Completed, woken);
    return ok();
}

void Endpoint::abandon(IpcWaiter& caller, WakeList& woken) {
    GROVE_ASSERT(caller.endpoint == this && caller.kind == WaitKind::AwaitingReply);
    m_callers.remove(caller);
    wake(caller, WaitOutcome::PeerClosed, woken);
}

Endpoint::WaiterList& Endpoint::list_of(WaitKind kind) {
    switch (kind) {
    case WaitKind::Sending:
    case WaitKind::CallSending: return m_senders;
    case WaitKind::Receiving: return m_receivers;
    case WaitKind::AwaitingReply: return m_callers;
    case WaitKind::None: break;
    }
    GROVE_UNREACHABLE();
}

bool Endpoint::cancel(IpcWaiter& waiter, WaitOutcome outcome) {
    GROVE_ASSERT(outcome == WaitOutcome::TimedOut || outcome == WaitOutcome::PeerClosed);
    if (!waiter.is_waiting() || waiter.endpoint != this) return false;
    bool const is_sender = waiter.kind == WaitKind::Sending || waiter.kind == WaitKind::CallSending;
    list_of(waiter.kind).remove(waiter);
    count_stopped(waiter);
    if (is_sender) count_refused(waiter.grove, refusal_of(outcome));
    waiter.kind = WaitKind::None;
    waiter.endpoint = nullptr;
    waiter.outcome = outcome;
    return true;
}

void Endpoint::wake(IpcWaiter& waiter, WaitOutcome outcome, WakeList& woken) {
    count_stopped(waiter);
    waiter.kind = WaitKind::None;
    waiter.endpoint = nullptr;
    waiter.outcome = outcome;
    woken.push_back(waiter);
}

void Endpoint::expire(Ticks now, WakeList& woken) {
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
            if (is_sender) count_refused(waiter.grove, Refusal::TimedOut);
            wake(waiter, WaitOutcome::TimedOut, woken);
        }
    }
}

Ticks Endpoint::next_deadline() const {
    Ticks earliest = Ticks::max();
    if (m_timed_waiters == 0) return earliest;
    for (WaiterList const* list : {&m_senders, &m_receivers, &m_callers}) {
        // IntrusiveList iterates only mutably; reading deadlines changes nothing.
        for (IpcWaiter const& waiter : const_cast<WaiterList&>(*list))
            if (waiter.deadline < earliest) earliest = waiter.deadline;
    }
    return earliest;
}

void Endpoint::refuse(u8 grove, Refusal reason) { count_refused(grove, reason); }

void Endpoint::close(WakeList& woken) {
    m_open = false;
    while (IpcWaiter* receiver = m_receivers.pop_front()) wake(*receiver, WaitOutcome::PeerClosed, woken);
    while (IpcWaiter* sender = m_senders.pop_front()) {
        count_refused(sender->grove, Refusal::PeerClosed);
        wake(*sender, WaitOutcome::PeerClosed, woken);
    }
    while (IpcWaiter* caller = m_callers.pop_front()) wake(*caller, WaitOutcome::PeerClosed, woken);
    abi::Message discarded;
    ReplyToken no_reply;
    while (!m_queue.is_empty()) count_reclaimed(m_queue.pop(discarded, no_reply), Refusal::PeerClosed);
}

bool Endpoint::check_invariant() const {
    if (!m_queue.check() || !m_counters.is_balanced() || m_counters.queued != m_queue.size()) return false;
    if (!m_senders.is_empty() && !m_queue.is_full()) return false;
    if (!m_receivers.is_empty() && !m_queue.is_empty()) return false;
    if (!m_open && (m_queue.size() != 0 || !m_senders.is_empty() || !m_receivers.is_empty() ||
                    !m_callers.is_empty()))
        return false;
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

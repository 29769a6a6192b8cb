#pragma once
#include <core/ipc/endpoint_base.hpp>
#include <core/ipc/kernel_lane.hpp>
#include <core/ipc/message_queue.hpp>

namespace grove {

// What a successful send or call did with the message.
enum class SendStatus : u8 {
    Delivered, // handed straight to a waiting receiver (which is now on the WakeList)
    Queued,    // stored in the queue
    Blocked,   // the queue is full: the sender's waiter now waits for room (blocking send and call only)
};

// What a successful blocking receive did.
enum class ReceiveStatus : u8 {
    Received, // a message was taken at once: it is in waiter.message (and waiter.reply_token for a Call)
    Blocked,  // the queue is empty: the waiter now waits for a message
};

// One IPC endpoint: a bounded priority queue of QueueCapacity messages (BasicMessageQueue), the threads blocked
// on it, and its message accounting (EndpointBase). The kernel's endpoints are Endpoint (64 messages); other
// capacities are the same code, instantiated for measurements and tests.
//
// Order. Messages are served highest priority first and FIFO within a priority. Blocked senders (send and the
// request half of call) are admitted FIFO in order of arrival, whatever their message's priority: when a receive
// frees a slot, the longest-waiting sender's message enters the queue (and is then served by priority).
// Receivers blocked on an empty queue are served FIFO in order of arrival: a message sent while receivers wait is
// handed straight to the first of them, never queued.
//
// The kernel's own messages (send_kernel) go to a lane beside the queue (KernelLane) that groves cannot fill, and
// are received before any grove's message: a flood can neither refuse a stop request nor lose a crash notice.
//
// Invariants (check_invariant): senders wait only while the queue is full, receivers only while the queue and the
// kernel lane are empty; the waiters' invariant of EndpointBase holds; the counters are balanced and their queued
// count is what the queue and the lane hold; a closed endpoint has no waiters and no messages.
//
// Every operation validates first and then commits; a refused operation changes nothing but the counters.
// Operations append the waiters they wake to `woken`, in the order they woke them; the caller drains that list.
// Grove indices are the kernel's (0..IpcLedger::GroveCapacity-1), guaranteed in range by the caller.
template<u32 QueueCapacity>
class BasicEndpoint : public EndpointBase {
public:
    using Queue = BasicMessageQueue<QueueCapacity>;
    // One key for the stop request, and per grove slot one for crash notices and one for give-up notices.
    using KernelLane = BasicKernelLane<1 + 2 * IpcLedger::GroveCapacity>;
    static constexpr u32 Capacity = Queue::Capacity;

    // `shared`, when given, must outlive the endpoint; every timed waiter here is counted in it.
    BasicEndpoint(u8 owner, IpcLedger& ledger, TimedWaiters* shared = nullptr) : EndpointBase(owner, ledger, shared) {}

    // Messages held: the groves' queue and the kernel lane.
    u32 queued() const { return m_queue.size() + m_kernel.size(); }

    // --- sending ---------------------------------------------------------------------------------------------
    // Non-blocking send from grove `grove`. Delivered or Queued; errors (each counted as a refusal):
    // InvalidArgument (bad header), PeerClosed (endpoint closed), WouldBlock (queue full).
    // The Call flag is cleared; the Kernel flag is kept (the kernel clears it for messages from groves).
    Result<SendStatus> try_send(GroveSlot grove, abi::Message const& message, WakeList& woken) {
        // The common case inline: nobody waits, there is room: a bitmap update, a slot pop and a 64-byte copy.
        if (is_valid(message.header) && is_open() && m_receivers.is_empty() && !m_queue.is_full()) [[likely]] {
            m_queue.push(message, delivered_flags(message.header, false), MessageOrigin{grove, {}});
            count_queued(grove, message.header);
            return SendStatus::Queued;
        }
        return try_send_slowly(grove, message, woken);
    }

    // Blocking send of waiter.message from waiter.grove. The waiter must not be waiting. Delivered or Queued
    // (waiter.outcome is then Completed), or Blocked (the kernel blocks the thread until the waiter is woken:
    // Completed once the message is queued or delivered, TimedOut or PeerClosed otherwise). Errors as try_send,
    // except that a full queue blocks, or refuses with TimedOut when waiter.deadline <= now.
    Result<SendStatus> send(IpcWaiter& waiter, Ticks now, WakeList& woken);

    // Sends waiter.message as a Call and makes the waiter wait for the reply. On success the thread always
    // blocks: Delivered and Queued mean the request went through and the waiter awaits the reply
    // (WaitKind::AwaitingReply); Blocked means the request itself waits for room (WaitKind::CallSending). The
    // waiter wakes Completed with the reply in waiter.message, or TimedOut, or PeerClosed when the endpoint closes
    // or the receiving thread gives the call up. Errors as send.
    Result<SendStatus> call(IpcWaiter& waiter, Ticks now, WakeList& woken);

    // A message of the kernel's own (a stop request, a notice), counted in ledger row `row`, with lane key `key`
    // (KernelLane). Never refused for lack of room: Delivered to a waiting receiver or Queued in the kernel lane,
    // where it supersedes (counted refused with Superseded) an unread message with the same key. PeerClosed
    // (counted) when the endpoint is closed. The caller guarantees key < KernelLane::Capacity and a valid header.
    Result<SendStatus> send_kernel(GroveSlot row, u8 key, abi::Message const& message, WakeList& woken);

    // --- receiving -------------------------------------------------------------------------------------------
    // Non-blocking receive: the next message into `out`, and into `reply` its reply token (null unless the
    // message is a Call). WouldBlock when the queue is empty, PeerClosed when the endpoint is closed.
    Result<void> try_receive(abi::Message& out, ReplyToken& reply, WakeList& woken) {
        if (!m_queue.is_empty() && m_senders.is_empty() && m_kernel.is_empty()) [[likely]] {
            count_dequeued(m_queue.pop(out, reply), out.header);
            return ok();
        }
        return try_receive_slowly(out, reply, woken);
    }

    // Blocking receive. The waiter must not be waiting. Received (message in waiter.message, waiter.outcome
    // Completed) or Blocked (woken Completed with the message, or TimedOut, or PeerClosed). TimedOut at once when
    // the queue is empty and waiter.deadline <= now; PeerClosed when the endpoint is closed.
    Result<ReceiveStatus> receive(IpcWaiter& waiter, Ticks now, WakeList& woken);

    // --- death -----------------------------------------------------------------------------------------------
    // Closes the endpoint: wakes receivers, then senders, then callers (each in order of arrival) with
    // PeerClosed, refuses the blocked senders' messages and reclaims every queued message as refused with
    // PeerClosed. Afterwards every operation is refused with PeerClosed.
    void close(WakeList& woken);

    bool check_invariant() const;

private:
    Result<SendStatus> try_send_slowly(GroveSlot grove, abi::Message const& message, WakeList& woken);
    Result<void> try_receive_slowly(abi::Message& out, ReplyToken& reply, WakeList& woken);
    // Puts a message that may enter (a receiver waits, or there is room) where it goes; Delivered or Queued.
    SendStatus admit(abi::Message const& message, MessageOrigin const& origin, WakeList& woken);
    // After a receive freed a slot: admits the longest-waiting sender's message.
    void admit_blocked_sender(WakeList& woken);
    void take(abi::Message& out, ReplyToken& reply, WakeList& woken);

    Queue m_queue;
    KernelLane m_kernel;
};

template<u32 QueueCapacity>
SendStatus BasicEndpoint<QueueCapacity>::admit(abi::Message const& message, MessageOrigin const& origin,
                                               WakeList& woken) {
    u8 const flags = delivered_flags(message.header, !origin.reply.is_null());
    if (!m_receivers.is_empty()) [[unlikely]] {
        IpcWaiter& receiver = *m_receivers.pop_front();
        receiver.message = message;
        receiver.message.header.flags = flags;
        receiver.reply_token = origin.reply;
        wake(receiver, WaitOutcome::Completed, woken);
        count_handed_over(origin.grove, message.header);
        return SendStatus::Delivered;
    }
    GROVE_ASSERT(!m_queue.is_full());
    m_queue.push(message, flags, origin);
    count_queued(origin.grove, message.header);
    return SendStatus::Queued;
}

template<u32 QueueCapacity>
Result<SendStatus> BasicEndpoint<QueueCapacity>::try_send_slowly(GroveSlot grove, abi::Message const& message,
                                                                 WakeList& woken) {
    TRY(check_send(grove, message.header));
    if (m_queue.is_full()) {
        count_refused(grove, Refusal::QueueFull, message.header);
        return error_of(Refusal::QueueFull);
    }
    return admit(message, MessageOrigin{grove, {}}, woken);
}

template<u32 QueueCapacity>
Result<SendStatus> BasicEndpoint<QueueCapacity>::send(IpcWaiter& waiter, Ticks now, WakeList& woken) {
    start_wait(waiter);
    TRY(check_send(waiter.grove, waiter.message.header));
    if (!m_queue.is_full()) {
        waiter.outcome = WaitOutcome::Completed;
        return admit(waiter.message, MessageOrigin{waiter.grove, {}}, woken);
    }
    TRY(wait_for_room(waiter, WaitKind::Sending, now));
    return SendStatus::Blocked;
}

template<u32 QueueCapacity>
Result<SendStatus> BasicEndpoint<QueueCapacity>::call(IpcWaiter& waiter, Ticks now, WakeList& woken) {
    start_wait(waiter);
    TRY(check_send(waiter.grove, waiter.message.header));
    if (!m_queue.is_full()) {
        SendStatus const status =
            admit(waiter.message, MessageOrigin{waiter.grove, ReplyToken{&waiter, waiter.sequence}}, woken);
        block(waiter, WaitKind::AwaitingReply, m_callers);
        return status;
    }
    TRY(wait_for_room(waiter, WaitKind::CallSending, now));
    return SendStatus::Blocked;
}

template<u32 QueueCapacity>
Result<SendStatus> BasicEndpoint<QueueCapacity>::send_kernel(GroveSlot row, u8 key, abi::Message const& message,
                                                             WakeList& woken) {
    GROVE_ASSERT(is_valid(message.header) && key < KernelLane::Capacity);
    TRY(check_open(row, message.header));
    if (!m_receivers.is_empty()) return admit(message, MessageOrigin{row, {}}, woken);
    typename KernelLane::Entry entry{message, row, key};
    entry.message.header.flags = delivered_flags(message.header, false);
    typename KernelLane::Entry superseded;
    if (m_kernel.push(entry, superseded))
        count_reclaimed(superseded.row, Refusal::Superseded, superseded.message.header);
    count_queued(row, message.header);
    return SendStatus::Queued;
}

template<u32 QueueCapacity>
void BasicEndpoint<QueueCapacity>::admit_blocked_sender(WakeList& woken) {
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

template<u32 QueueCapacity>
void BasicEndpoint<QueueCapacity>::take(abi::Message& out, ReplyToken& reply, WakeList& woken) {
    if (!m_kernel.is_empty()) {
        typename KernelLane::Entry const entry = m_kernel.pop();
        out = entry.message;
        reply = {};
        count_dequeued(entry.row, out.header);
        return;
    }
    count_dequeued(m_queue.pop(out, reply), out.header);
    admit_blocked_sender(woken);
}

template<u32 QueueCapacity>
Result<void> BasicEndpoint<QueueCapacity>::try_receive_slowly(abi::Message& out, ReplyToken& reply, WakeList& woken) {
    if (queued() == 0) return is_open() ? Error::WouldBlock : Error::PeerClosed;
    take(out, reply, woken);
    return ok();
}

template<u32 QueueCapacity>
Result<ReceiveStatus> BasicEndpoint<QueueCapacity>::receive(IpcWaiter& waiter, Ticks now, WakeList& woken) {
    start_wait(waiter);
    if (queued() != 0) {
        take(waiter.message, waiter.reply_token, woken);
        waiter.outcome = WaitOutcome::Completed;
        return ReceiveStatus::Received;
    }
    if (!is_open()) return Error::PeerClosed;
    if (waiter.deadline <= now) return Error::TimedOut;
    block(waiter, WaitKind::Receiving, m_receivers);
    return ReceiveStatus::Blocked;
}

template<u32 QueueCapacity>
void BasicEndpoint<QueueCapacity>::close(WakeList& woken) {
    close_waiters(woken);
    abi::Message discarded;
    ReplyToken no_reply;
    while (!m_kernel.is_empty()) {
        typename KernelLane::Entry const entry = m_kernel.pop();
        count_reclaimed(entry.row, Refusal::PeerClosed, entry.message.header);
    }
    while (!m_queue.is_empty()) {
        GroveSlot const grove = m_queue.pop(discarded, no_reply);
        count_reclaimed(grove, Refusal::PeerClosed, discarded.header);
    }
}

template<u32 QueueCapacity>
bool BasicEndpoint<QueueCapacity>::check_invariant() const {
    if (!m_queue.check() || !m_kernel.check() || !counters().is_balanced() || counters().queued != queued())
        return false;
    if (!m_senders.is_empty() && !m_queue.is_full()) return false;
    if (!m_receivers.is_empty() && queued() != 0) return false;
    if (!is_open() && (queued() != 0 || !m_senders.is_empty() || !m_receivers.is_empty() || !m_callers.is_empty()))
        return false;
    return check_waiters();
}

// The kernel's endpoint. Its out-of-line operations are compiled once, in endpoint.cpp.
using Endpoint = BasicEndpoint<MessageQueue::Capacity>;
extern template class BasicEndpoint<MessageQueue::Capacity>;

} // namespace grove

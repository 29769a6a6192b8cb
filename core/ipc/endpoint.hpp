#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/result.hpp>
#include <core/base/units.hpp>
#include <core/ipc/ipc_counters.hpp>
#include <core/ipc/ipc_ledger.hpp>
#include <core/ipc/ipc_waiter.hpp>
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

// One IPC endpoint: a bounded priority queue of messages (MessageQueue), the threads blocked on it, and its
// message accounting.
//
// Order. Messages are served highest priority first and FIFO within a priority. Blocked senders (send and the
// request half of call) are admitted FIFO in order of arrival, whatever their message's priority: when a receive
// frees a slot, the longest-waiting sender's message enters the queue (and is then served by priority).
// Receivers blocked on an empty queue are served FIFO in order of arrival: a message sent while receivers wait is
// handed straight to the first of them, never queued.
//
// Invariants (check_invariant): senders wait only while the queue is full, receivers only while it is empty;
// every waiter on a list names this endpoint and the matching WaitKind; the counters are balanced and their queued
// count is the queue's size; a closed endpoint has no waiters and no messages.
//
// Every operation validates first and then commits; a refused operation changes nothing but the counters.
// Operations append the waiters they wake to `woken`, in the order they woke them; the caller drains that list.
// Grove indices are the kernel's (0..IpcLedger::GroveCapacity-1), guaranteed in range by the caller.
// Deadline bookkeeping: a waiter's deadline does not change while it waits, and every waiter whose deadline is
// earlier than Ticks::max() is counted in timed_waiters() (and in the shared TimedWaiters given at construction)
// from the moment it starts waiting until it is woken or cancelled.
class Endpoint {
public:
    static constexpr u32 Capacity = MessageQueue::Capacity;

    // What several endpoints share about their timed waiters: how many there are, and their earliest deadline
    // while `earliest_known` (a start lowers it; the stop of a waiter at that deadline makes it unknown).
    struct TimedWaiters {
        u32 count = 0;
        Ticks earliest = Ticks::max();
        bool earliest_known = true;
    };

    // `shared`, when given, must outlive the endpoint; every timed waiter here is counted in it.
    Endpoint(u8 owner, IpcLedger& ledger, TimedWaiters* shared = nullptr)
        : m_ledger(ledger), m_timed_total(shared), m_owner(owner) {}
    Endpoint(Endpoint const&) = delete;
    Endpoint& operator=(Endpoint const&) = delete;

    u8 owner() const { return m_owner; }
    bool is_open() const { return m_open; }
    IpcCounters const& counters() const { return m_counters; }
    u32 queued() const { return m_queue.size(); }
    usize blocked_senders() const { return m_senders.size(); }
    usize blocked_receivers() const { return m_receivers.size(); }
    usize awaiting_reply() const { return m_callers.size(); }
    // How many waiters here have a deadline earlier than Ticks::max().
    u32 timed_waiters() const { return m_timed_waiters; }

    // A header the endpoint accepts: priority < 32, length <= 48 payload bytes, reserved zero.
    static bool is_valid(abi::MessageHeader const& header) {
        return header.priority < abi::PriorityLevels && header.length <= abi::MessagePayloadSize &&
               header.reserved == 0;
    }

    // --- sending ---------------------------------------------------------------------------------------------
    // Non-blocking send from grove `grove`. Delivered or Queued; errors (each counted as a refusal):
    // InvalidArgument (bad header), PeerClosed (endpoint closed), WouldBlock (queue full).
    // The Call flag is cleared; the Kernel flag is kept (the kernel clears it for messages from groves).
    Result<SendStatus> try_send(u8 grove, abi::Message const& message, WakeList& woken) {
        // The common case inline: nobody waits, there is room: a bitmap update, a slot pop and a 64-byte copy.
        if (is_valid(message.header) && m_open && m_receivers.is_empty() && !m_queue.is_full()) [[likely]] {
            m_queue.push(message, delivered_flags(message.header, false), MessageOrigin{grove, {}});
            count_queued(grove);
            return SendStatus::Queued;
        }
        return try_send_slowly(grove, message, woken);
    }

    // Blocking send of waiter.message from waiter.grove. The waiter must not be waiting. Delivered or Queued
    // (waiter.outcome is then Completed), or Blocked (the kernel blocks the thread until the waiter is woken: Completed once the message is queued or
    // delivered, TimedOut or PeerClosed otherwise). Errors as try_send, except that a full queue blocks, or
    // refuses with TimedOut when waiter.deadline <= now.
    Result<SendStatus> send(IpcWaiter& waiter, Ticks now, WakeList& woken);

    // Sends waiter.message as a Call and makes the waiter wait for the reply. On success the thread always
    // blocks: Delivered and Queued mean the request went through and the waiter awaits the reply
    // (WaitKind::AwaitingReply); Blocked means the request itself waits for room (WaitKind::CallSending). The
    // waiter wakes Completed with the reply in waiter.message, or TimedOut, or PeerClosed when the endpoint closes
    // or the receiving thread gives the call up. Errors as send.
    Result<SendStatus> call(IpcWaiter& waiter, Ticks now, WakeList& woken);

    // --- receiving -------------------------------------------------------------------------------------------
    // Non-blocking receive: the next message into `out`, and into `reply` its reply token (null unless the
    // message is a Call). WouldBlock when the queue is empty, PeerClosed when the endpoint is closed.
    Result<void> try_receive(abi::Message& out, ReplyToken& reply, WakeList& woken) {
        if (!m_queue.is_empty() && m_senders.is_empty()) [[likely]] {
            count_dequeued(m_queue.pop(out, reply));
            return ok();
        }
        return try_receive_slowly(out, reply, woken);
    }

    // Blocking receive. The waiter must not be waiting. Received (message in waiter.message, waiter.outcome
    // Completed) or Blocked (woken
    // Completed with the message, or TimedOut, or PeerClosed). TimedOut at once when the queue is empty and
    // waiter.deadline <= now; PeerClosed when the endpoint is closed.
    Result<ReceiveStatus> receive(IpcWaiter& waiter, Ticks now, WakeList& woken);

    // --- replies (reached through EndpointTable::reply, which resolves the token) ---------------------------
    // The live caller of a token, or null when the token is null or stale.
    static IpcWaiter* resolve(ReplyToken token) {
        if (token.caller == nullptr) return nullptr;
        IpcWaiter* caller = token.caller;
        if (caller->kind != WaitKind::AwaitingReply || caller->sequence != token.sequence) return nullptr;
        return caller;
    }
    // Completes `caller` (awaiting a reply on this endpoint) with `message` from grove `grove`. InvalidArgument
    // (counted) for a bad header; the caller then keeps waiting.
    Result<void> reply(IpcWaiter& caller, u8 grove, abi::Message const& message, WakeList& woken);
    // Wakes `caller` (awaiting a reply on this endpoint) with PeerClosed: the receiving thread is gone.
    void abandon(IpcWaiter& caller, WakeList& woken);

    // --- time, cancellation, refusal, death ------------------------------------------------------------------
    // Ends a waiter's wait on this endpoint with `outcome` (TimedOut or PeerClosed) WITHOUT putting it on a
    // WakeList: the kernel asked, so it knows. A sender's message is counted refused for that reason.
    // False (nothing changes) when the waiter is not waiting here.
    bool cancel(IpcWaiter& waiter, WaitOutcome outcome);
    // Wakes every waiter whose deadline is <= now with TimedOut: senders, then receivers, then callers, each in
    // order of arrival.
    void expire(Ticks now, WakeList& woken);
    // The earliest deadline of a waiter here; Ticks::max() when none.
    Ticks next_deadline() const;
    // Counts a send that the kernel refused before it reached the queue (rate limit, rights).
    void refuse(u8 grove, Refusal reason);
    // Closes the endpoint: wakes receivers, then senders, then callers (each in order of arrival) with
    // PeerClosed, refuses the blocked senders' messages and reclaims every queued message as refused with
    // PeerClosed. Afterwards every operation is refused with PeerClosed.
    void close(WakeList& woken);

    bool check_invariant() const;

    // The flags a delivered message carries: the kernel's mark is kept, the Call mark says whether a reply is owed.
    static u8 delivered_flags(abi::MessageHeader const& header, bool is_call) {
        u8 const kernel = header.flags & abi::MessageFlagKernel;
        return static_cast<u8>(kernel | (is_call ? abi::MessageFlagCall : 0));
    }

private:
    using WaiterList = IntrusiveList<IpcWaiter, &IpcWaiter::node>;

    Result<SendStatus> try_send_slowly(u8 grove, abi::Message const& message, WakeList& woken);
    Result<void> try_receive_slowly(abi::Message& out, ReplyToken& reply, WakeList& woken);
    // Puts a message that may enter (a receiver waits, or there is room) where it goes; Delivered or Queued.
    SendStatus admit(abi::Message const& message, MessageOrigin const& origin, WakeList& woken);
    // After a receive freed a slot: admits the longest-waiting sender's message.
    void admit_blocked_sender(WakeList& woken);
    void take(abi::Message& out, ReplyToken& reply, WakeList& woken);
    // Starts a wait of `kind` on `list`.
    void block(IpcWaiter& waiter, WaitKind kind, WaiterList& list);
    void wake(IpcWaiter& waiter, WaitOutcome outcome, WakeList& woken);
    // Deadline bookkeeping for a waiter that starts or stops waiting here.
    void count_started(IpcWaiter const& waiter);
    void count_stopped(IpcWaiter const& waiter);
    WaiterList& list_of(WaitKind kind);
    // Checks that refuse or block nothing: the header and the endpoint's state. Counts the refusal.
    Result<void> check_send(u8 grove, abi::MessageHeader const& header);
    void start_wait(IpcWaiter& waiter);

    void count_handed_over(u8 grove) {
        m_counters.count_handed_over();
        m_ledger.grove(grove).count_handed_over();
    }
    void count_queued(u8 grove) {
        m_counters.count_queued();
        m_ledger.grove(grove).count_queued();
    }
    void count_dequeued(u8 grove) {
        m_counters.count_dequeued();
        m_ledger.grove(grove).count_dequeued();
    }
    void count_refused(u8 grove, Refusal reason) {
        m_counters.count_refused(reason);
        m_ledger.grove(grove).count_refused(reason);
    }
    void count_reclaimed(u8 grove, Refusal reason) {
        m_counters.count_reclaimed(reason);
        m_ledger.grove(grove).count_reclaimed(reason);
    }

    MessageQueue m_queue;
    WaiterList m_senders;   // Sending and CallSending, in order of arrival
    WaiterList m_receivers; // Receiving, in order of arrival
    WaiterList m_callers;   // AwaitingReply, in the order their requests went through
    IpcCounters m_counters;
    IpcLedger& m_ledger;
    TimedWaiters* m_timed_total;
    u32 m_timed_waiters = 0;
    u8 m_owner;
    bool m_open = true;
};

} // namespace grove

#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/result.hpp>
#include <core/base/units.hpp>
#include <core/ipc/ipc_counters.hpp>
#include <core/ipc/ipc_ledger.hpp>
#include <core/ipc/ipc_waiter.hpp>

namespace grove {

// Everything an endpoint is apart from where its messages are stored: the threads blocked on it, its message
// accounting, whether it is open, and the operations that touch only those (replies, cancellation, timeouts,
// refusals). BasicEndpoint<QueueCapacity> adds the message queue and the operations that move messages through
// it (endpoint.hpp, which documents the semantics). This part does not depend on the queue's capacity, so it is
// compiled once, and a waiter names the endpoint it waits on through it (IpcWaiter::endpoint).
//
// Invariants (check_waiters): every waiter on a list names this endpoint and the matching WaitKind, and
// timed_waiters() counts the waiters on the lists whose deadline is earlier than Ticks::max(). A waiter's deadline
// does not change while it waits; every such waiter is counted here (and in the shared TimedWaiters given at
// construction) from the moment it starts waiting until it is woken or cancelled.
class EndpointBase {
public:
    // What several endpoints share about their timed waiters: how many there are, and their earliest deadline
    // while `earliest_known` (a start lowers it; the stop of a waiter at that deadline makes it unknown).
    struct TimedWaiters {
        u32 count = 0;
        Ticks earliest = Ticks::max();
        bool earliest_known = true;
    };

    EndpointBase(EndpointBase const&) = delete;
    EndpointBase& operator=(EndpointBase const&) = delete;

    u8 owner() const { return m_owner; }
    bool is_open() const { return m_open; }
    IpcCounters const& counters() const { return m_counters; }
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

    // The flags a delivered message carries: the kernel's mark is kept, the Call mark says whether a reply is owed.
    static u8 delivered_flags(abi::MessageHeader const& header, bool is_call) {
        u8 const kernel = header.flags & abi::MessageFlagKernel;
        return static_cast<u8>(kernel | (is_call ? abi::MessageFlagCall : 0));
    }

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
    Result<void> reply(IpcWaiter& caller, GroveSlot grove, abi::Message const& message, WakeList& woken);
    // Wakes `caller` (awaiting a reply on this endpoint) with PeerClosed: the receiving thread is gone.
    void abandon(IpcWaiter& caller, WakeList& woken);

    // --- time, cancellation, refusal -------------------------------------------------------------------------
    // Ends a waiter's wait on this endpoint with `outcome` (TimedOut or PeerClosed) WITHOUT putting it on a
    // WakeList: the kernel asked, so it knows. A sender's message is counted refused for that reason.
    // False (nothing changes) when the waiter is not waiting here.
    bool cancel(IpcWaiter& waiter, WaitOutcome outcome);
    // Wakes every waiter whose deadline is <= now with TimedOut: senders, then receivers, then callers, each in
    // order of arrival.
    void expire(Ticks now, WakeList& woken);
    // The earliest deadline of a waiter here; Ticks::max() when none.
    Ticks next_deadline() const;
    // Counts a send that the kernel refused before it reached the queue (rate limit, rights, the receiver's
    // capability); `header` is the message as far as the kernel read it.
    void refuse(GroveSlot grove, Refusal reason, abi::MessageHeader const& header);

protected:
    using WaiterList = IntrusiveList<IpcWaiter, &IpcWaiter::node>;

    // `shared`, when given, must outlive the endpoint; every timed waiter here is counted in it.
    EndpointBase(u8 owner, IpcLedger& ledger, TimedWaiters* shared)
        : m_ledger(ledger), m_timed_total(shared), m_owner(owner) {}
    ~EndpointBase() = default;

    // Checks that refuse or block nothing: the header and the endpoint's state. Counts the refusal.
    Result<void> check_send(GroveSlot grove, abi::MessageHeader const& header);
    // Checks for the kernel's own messages: only the endpoint's state (the kernel's headers are valid).
    Result<void> check_open(GroveSlot grove, abi::MessageHeader const& header);
    // Prepares a waiter that must not be waiting for a blocking operation: a new sequence, no outcome yet.
    void start_wait(IpcWaiter& waiter);
    // Starts a wait of `kind` on `list`.
    void block(IpcWaiter& waiter, WaitKind kind, WaiterList& list);
    // For a send or call (`kind` Sending or CallSending) that found the queue full: refuses with TimedOut
    // (counted) when waiter.deadline <= now, else the waiter waits for room on m_senders (the send is Blocked).
    Result<void> wait_for_room(IpcWaiter& waiter, WaitKind kind, Ticks now);
    void wake(IpcWaiter& waiter, WaitOutcome outcome, WakeList& woken);
    // Marks the endpoint closed and wakes receivers, then senders, then callers (each in order of arrival) with
    // PeerClosed; the blocked senders' messages are counted refused with PeerClosed.
    void close_waiters(WakeList& woken);
    // The waiters' part of the endpoint's invariant (see the class comment).
    bool check_waiters() const;

    // Each count changes the endpoint's and the row's counters and records the same steps in the ledger (for its
    // observer). `to` is the grove the message is for: this endpoint's owner unless said otherwise (a reply).
    void count_handed_over(GroveSlot grove, abi::MessageHeader const& header, GroveSlot to) {
        m_counters.count_handed_over();
        m_ledger.grove(grove).count_handed_over();
        m_ledger.record(MessageFate::Sent, grove, to, header);
        m_ledger.record(MessageFate::Delivered, grove, to, header);
    }
    void count_handed_over(GroveSlot grove, abi::MessageHeader const& header) {
        count_handed_over(grove, header, m_owner);
    }
    void count_queued(GroveSlot grove, abi::MessageHeader const& header) {
        m_counters.count_queued();
        m_ledger.grove(grove).count_queued();
        m_ledger.record(MessageFate::Sent, grove, m_owner, header);
    }
    void count_dequeued(GroveSlot grove, abi::MessageHeader const& header) {
        m_counters.count_dequeued();
        m_ledger.grove(grove).count_dequeued();
        m_ledger.record(MessageFate::Delivered, grove, m_owner, header);
    }
    void count_refused(GroveSlot grove, Refusal reason, abi::MessageHeader const& header) {
        m_counters.count_refused(reason);
        m_ledger.grove(grove).count_refused(reason);
        m_ledger.record(MessageFate::Sent, grove, m_owner, header);
        m_ledger.record(MessageFate::Refused, grove, m_owner, header, reason);
    }
    void count_reclaimed(GroveSlot grove, Refusal reason, abi::MessageHeader const& header) {
        m_counters.count_reclaimed(reason);
        m_ledger.grove(grove).count_reclaimed(reason);
        m_ledger.record(MessageFate::Refused, grove, m_owner, header, reason);
    }

    WaiterList m_senders;   // Sending and CallSending, in order of arrival
    WaiterList m_receivers; // Receiving, in order of arrival
    WaiterList m_callers;   // AwaitingReply, in the order their requests went through

private:
    // Deadline bookkeeping for a waiter that starts or stops waiting here.
    void count_started(IpcWaiter const& waiter);
    void count_stopped(IpcWaiter const& waiter);
    WaiterList& list_of(WaitKind kind);

    IpcCounters m_counters;
    IpcLedger& m_ledger;
    TimedWaiters* m_timed_total;
    u32 m_timed_waiters = 0;
    u8 m_owner;
    bool m_open = true;
};

} // namespace grove

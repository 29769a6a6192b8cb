#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/intrusive_list.hpp>
#include <core/base/result.hpp>
#include <core/base/units.hpp>
#include <core/grove/ids.hpp>
#include <core/ipc/reply_token.hpp>

namespace grove {

class EndpointBase;

// What a waiter is blocked on.
enum class WaitKind : u8 {
    None,          // not waiting
    Sending,       // a blocking send: its message waits for room in a full queue
    CallSending,   // a call whose request waits for room; then it becomes AwaitingReply
    Receiving,     // a receive on an empty queue
    AwaitingReply, // a call whose request was queued or delivered; waits for the reply
};

// How a wait ended.
enum class WaitOutcome : u8 {
    Pending,    // waiting, or the operation failed or has not finished (a call that went through)
    Completed,  // Sending: the message was queued or delivered; Receiving: `message` holds it;
                // AwaitingReply: `message` holds the reply
    TimedOut,   // the deadline passed (expire) or the kernel cancelled the wait with this outcome
    PeerClosed, // the endpoint closed, or the thread that received the call gave it up
};

// The status a woken thread's syscall returns.
constexpr Result<void> result_of(WaitOutcome outcome) {
    switch (outcome) {
    case WaitOutcome::Completed: return ok();
    case WaitOutcome::TimedOut: return Error::TimedOut;
    case WaitOutcome::PeerClosed: return Error::PeerClosed;
    case WaitOutcome::Pending: break;
    }
    return Error::InvalidState;
}

// A thread blocked in IPC, as the IPC layer sees it. The kernel's Thread embeds one; IPC never creates or destroys
// one, and never reads `thread` (it is there for the kernel to find the thread again from a woken waiter).
//
// Ownership of the fields: the kernel sets `thread`, `grove`, `deadline` and (for Send and Call) `message` before
// a blocking operation; IPC owns the rest while the waiter waits. A waiter is on at most one list through `node`:
// its endpoint's list while it waits, then the caller's WakeList once an operation has woken it (the kernel pops
// it from there). When woken, `outcome` says how the wait ended and, for Completed receives and calls, `message`
// holds the message or reply (and `reply_token` the right to answer when the received message is a Call).
//
// The kernel must cancel a waiter (EndpointTable::cancel) before its thread goes away, and must keep the storage
// of waiters for the life of the IPC tables (a static thread table), because ReplyTokens may still point at it.
struct IpcWaiter {
    IntrusiveListNode node;
    ThreadId thread;
    GroveSlot grove = 0;
    WaitKind kind = WaitKind::None;
    WaitOutcome outcome = WaitOutcome::Pending;
    Ticks deadline = Ticks::max();
    u64 sequence = 0;
    EndpointBase* endpoint = nullptr;
    ReplyToken reply_token;
    abi::Message message{};

    bool is_waiting() const { return kind != WaitKind::None; }
};

// The waiters an operation woke, in the order it woke them. The caller (the kernel) drains it: for each waiter,
// make its thread runnable with result_of(waiter.outcome) and, on success, copy waiter.message out.
using WakeList = IntrusiveList<IpcWaiter, &IpcWaiter::node>;

} // namespace grove

#pragma once
#include <core/base/intrusive_list.hpp>
#include <core/base/units.hpp>
#include <core/grove/ids.hpp>

namespace grove {

// Capacities of the scheduler. ThreadId::index is always below MaxThreads, so other modules size per-thread
// arrays with it. MaxGroveSlots is the number of grove slots the scheduler accounts CPU for; the registry's own
// capacity must equal it (the kernel checks this with a static_assert).
inline constexpr u32 MaxThreads = 256;
inline constexpr u32 MaxGroveSlots = 64;

// Thread priorities: 0 is the lowest, ThreadPriorityLevels - 1 the highest; a higher priority always runs first.
inline constexpr u32 ThreadPriorityLevels = 32;

// A deadline that never comes: a wait without a timeout.
inline constexpr Ticks NoDeadline = Ticks::max();

// `now + timeout`, saturating at NoDeadline instead of wrapping (a timeout of WaitForever, or one so large that
// it would pass the end of time, never expires).
constexpr Ticks deadline_after(Ticks now, Ticks timeout) {
    u64 sum = 0;
    if (!checked_add(now.value, timeout.value, sum) || sum == NoDeadline.value) return NoDeadline;
    return Ticks(sum);
}

enum class ThreadState : u8 {
    Runnable, // on a run queue, or parked because its grove is throttled
    Running,  // the one thread the scheduler last picked; on no queue
    Blocked,  // waiting; `block_reason` says for what
    Exited,   // finished; keeps its exit code until destroyed
};

// What a Blocked thread waits for. The scheduler itself only interprets Sleep (the deadline is the normal end,
// not a timeout) and Join (it wakes the joiner when the target exits). The IPC reasons are the kernel's.
enum class BlockReason : u8 {
    None,    // not blocked
    Receive, // for a message
    Send,    // for room in a full queue
    Call,    // for the reply to a call
    Sleep,   // until the deadline
    Join,    // for `join_target` to exit
    Irq,     // for an interrupt (IrqWait)
};

constexpr char const* thread_state_name(ThreadState s) {
    switch (s) {
    case ThreadState::Runnable: return "runnable";
    case ThreadState::Running: return "running";
    case ThreadState::Blocked: return "blocked";
    case ThreadState::Exited: return "exited";
    }
    return "unknown";
}

constexpr char const* block_reason_name(BlockReason r) {
    switch (r) {
    case BlockReason::None: return "none";
    case BlockReason::Receive: return "receive";
    case BlockReason::Send: return "send";
    case BlockReason::Call: return "call";
    case BlockReason::Sleep: return "sleep";
    case BlockReason::Join: return "join";
    case BlockReason::Irq: return "irq";
    }
    return "unknown";
}

// One thread as the scheduler keeps it. The Scheduler owns every Thread (in its thread table) and is the only
// writer; everyone else reads it through Scheduler::thread(). Invariants kept by the Scheduler:
//  - state == Runnable  <=> run_node is linked (on the run queue of its priority, or on its grove's parked list);
//  - state == Blocked   <=> block_reason != None; the thread is on the deadline heap iff deadline != NoDeadline;
//  - join_target is non-null only while block_reason == Join;
//  - exit_code is meaningful only when state == Exited.
//
// Extension point for IPC. The record deliberately holds nothing of IPC: the IPC module (or the Kernel) keeps its
// own per-thread waiter records in an array of MaxThreads entries indexed by ThreadId::index, next to this table.
// Such a record is meaningful while the thread is Blocked with reason Receive, Send or Call. Whenever the
// scheduler itself ends such a wait (a timeout from expire_timeouts, destroy, remove_grove) it reports the thread,
// so the owner of the waiter record can unlink it from its queues. That keeps this record free of templates and
// of untyped pointers, and lets the IPC module choose its own layout.
struct Thread {
    ThreadId id;              // this thread's own id (index and current generation)
    GroveSlot grove_slot = 0; // the owning grove's slot, below MaxGroveSlots
    u8 priority = 0;          // below ThreadPriorityLevels
    ThreadState state = ThreadState::Runnable;
    BlockReason block_reason = BlockReason::None;
    Ticks deadline = NoDeadline; // when a Blocked thread wakes by itself (sleep end or timeout)
    i64 exit_code = 0;           // set by exit
    ThreadId join_target;        // the thread a Join waits for
    Ticks cpu_time;              // every tick charged to this thread
    Ticks quantum_left;          // what remains of its current quantum
    IntrusiveListNode run_node;  // links it on a run queue or on its grove's parked list
};

} // namespace grove

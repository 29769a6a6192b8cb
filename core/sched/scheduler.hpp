#pragma once
#include <core/base/intrusive_list.hpp>
#include <core/base/prng.hpp>
#include <core/base/result.hpp>
#include <core/base/slot_table.hpp>
#include <core/base/static_vector.hpp>
#include <core/sched/deadline_heap.hpp>
#include <core/sched/schedule_perturbation.hpp>
#include <core/sched/thread.hpp>

namespace grove {

// How long a thread runs before a thread of the same priority gets its turn.
inline constexpr Ticks DefaultQuantum = milliseconds(1);
// The period over which each grove's CPU share is measured. Periods are aligned to multiples of it from time 0.
inline constexpr Ticks DefaultCpuPeriod = milliseconds(10);
// The share of each period a grove may use unless told otherwise (the origin's default limit).
inline constexpr u32 DefaultCpuLimitPercent = 50;

struct SchedulerConfig {
    Ticks quantum = DefaultQuantum;      // > 0
    Ticks period = DefaultCpuPeriod;     // > 0
    SchedulePerturbation perturbation{}; // valid(); off by default
};

// How a wait ended when the scheduler ended it (not when the kernel called wake()).
enum class WakeOutcome : u8 {
    DeadlineReached, // a Sleep ended: the sleep succeeded
    TimedOut,        // a Receive, Send, Call or Join wait reached its deadline: the call fails with TimedOut
    Joined,          // the join target exited: `exit_code` is its code
    PeerClosed,      // the join target was destroyed without having exited: the join fails with PeerClosed
};

// One thread the scheduler made Runnable, with why, for the kernel to set the thread's syscall result and, for
// IPC reasons, to unlink the thread's waiter record.
struct Wakeup {
    ThreadId thread;
    BlockReason reason = BlockReason::None; // what it was waiting for
    WakeOutcome outcome = WakeOutcome::TimedOut;
    i64 exit_code = 0; // for Joined
};

// What a charge did to the thread's grove.
enum class ChargeEffect : u8 {
    None,
    Throttled, // the grove used up its share of the period with this charge (one throttle event)
};

enum class JoinStatus : u8 {
    TargetExited, // the target had already exited: `exit_code` is its code, the joiner did not block
    Waiting,      // the joiner is now Blocked (reason Join) until the target exits or the deadline passes
};

struct JoinOutcome {
    JoinStatus status = JoinStatus::Waiting;
    i64 exit_code = 0;
};

// The CPU account of one grove slot.
struct GroveCpuStats {
    u32 limit_percent = DefaultCpuLimitPercent;
    Ticks budget;         // ticks per period the grove may use (the whole period at 100 %)
    Ticks used_in_period; // charged in the current period
    Ticks consumed;       // charged in total since the slot was last reset
    u64 throttle_events = 0;
    bool is_throttled = false;
    u32 threads = 0; // threads of the grove in the table, whatever their state
};

// What remove_grove did. Both views point into the scheduler and stay valid until its next mutating call.
struct GroveRemoval {
    Span<ThreadId const> removed; // every thread of the grove, in index order
    Span<Wakeup const> woken;     // joiners outside the grove woken with PeerClosed (none while joins stay
                                  // inside a grove, which join() enforces)
};

// The scheduler of the kernel core: a thread table, priority run queues, deadlines, and CPU budgets per grove.
//
// Policy. 32 priorities, the highest runnable one always runs; within a priority, round robin in FIFO order with
// a quantum. A thread that was running and is displaced before its quantum ends (by a higher priority thread)
// goes back to the front of its level with what remained; one whose quantum is used up, one that yields and one
// that wakes go to the back with a full quantum. SchedulerConfig::perturbation departs from this among threads of
// one priority, from its seed (schedule_perturbation.hpp). Each grove slot may use `limit_percent` of every period; a grove
// that used its share is throttled: its runnable threads are parked (on a per-grove list, off the run queues)
// until the period ends, so picking stays O(1) (a bitmap of non-empty levels and a FIFO list per level).
//
// Ownership and invariants. The scheduler owns every Thread record. At most one thread is Running (current());
// a Runnable thread is on the run queue of its priority, or on its grove's parked list exactly when its grove is
// throttled; a Blocked thread with a deadline is on the deadline heap, ordered by (deadline, thread index). Every
// order the scheduler produces depends only on the calls made, never on addresses or the host.
//
// Time. Calls that take `now` expect it not to decrease from one call to the next; they first close every CPU
// period that ended by `now`. Nothing allocates; every failing call changes nothing.
//
// Calls that return a Span<...> return a view into the scheduler that stays valid until its next mutating call.
//
// Use on every trap: charge(current, now - dispatched_at(), now); handle the trap (block, sleep, join, wake,
// exit, yield...); expire_timeouts(now) and set the reported threads' results; next = pick_next(now); when it is
// null, let time pass up to next_wakeup() and try again, else
// Arch::set_preemption_deadline(preemption_deadline(now)).
class Scheduler {
public:
    explicit Scheduler(SchedulerConfig config = {});
    Scheduler(Scheduler const&) = delete;
    Scheduler& operator=(Scheduler const&) = delete;

    // --- threads ----------------------------------------------------------------------------------------------
    // A new Runnable thread of `grove_slot` at the back of its priority. InvalidArgument when grove_slot >=
    // MaxGroveSlots or priority >= ThreadPriorityLevels; NoCapacity when the table holds MaxThreads threads.
    // The per-grove thread limit is the caller's to check first.
    Result<ThreadId> create(GroveSlot grove_slot, u32 priority);

    // The thread finishes with `exit_code`: it leaves every queue and stays in the table as Exited (so that a
    // later join gets the code) until destroy(). Every thread joining it is woken (outcome Joined) and reported.
    // If it was Blocked on IPC, the caller unlinks its waiter record. NotFound for a stale id, InvalidState when
    // it has already exited.
    Result<Span<Wakeup const>> exit(ThreadId thread, i64 exit_code);

    // Removes the thread in any state; its id goes stale. Threads joining it (only possible if it had not exited)
    // are woken with PeerClosed and reported. NotFound for a stale id.
    Result<Span<Wakeup const>> destroy(ThreadId thread);

    // Removes every thread of the grove (grove death) and resets the slot's CPU account to the defaults (read
    // cpu_stats() first for the final figures). InvalidArgument for a slot >= MaxGroveSlots.
    Result<GroveRemoval> remove_grove(GroveSlot grove_slot);

    // --- waiting ----------------------------------------------------------------------------------------------
    // A Running or Runnable thread waits for `reason` (Receive, Send, Call or Sleep) until wake() or, unless the
    // deadline is NoDeadline, until expire_timeouts() reaches the deadline. InvalidArgument for None or Join (use
    // join()); NotFound for a stale id; InvalidState when the thread is Blocked or Exited.
    Result<void> block(ThreadId thread, BlockReason reason, Ticks deadline);
    // block(thread, Sleep, until).
    Result<void> sleep(ThreadId thread, Ticks until);
    // A Blocked thread becomes Runnable at the back of its priority. NotFound for a stale id; InvalidState when it
    // is not Blocked.
    Result<void> wake(ThreadId thread);
    // `joiner` waits for `target`, a thread of the same grove, to exit. NotFound when either id is stale;
    // InvalidArgument when they are the same thread; AccessDenied when the target is in another grove;
    // InvalidState when the joiner is not Running or Runnable, or when the wait would close a cycle of joins.
    Result<JoinOutcome> join(ThreadId joiner, ThreadId target, Ticks deadline);
    // The Running thread gives up the rest of its quantum: it goes to the back of its priority. NotFound for a
    // stale id; InvalidState when it is not the Running thread.
    Result<void> yield(ThreadId thread);
    // The IPC fast path's switch, in two steps so that the caller may check more in between: plan_switch_to_woken
    // says whether wake(woken) and then pick_next(now) would make the Blocked thread `woken` the Running one in place
    // of the Running thread (`woken` outranks it and every Runnable thread, none at its level or above; neither the
    // wake nor the pick draws, so no perturbation; no CPU period ends by `now`; `woken`'s grove is not throttled),
    // changing nothing; switch_to_woken, with nothing changed in between, does it: `woken` runs at once with a full
    // quantum, and the Running thread goes back to its level as a displaced one (FrontIfQuantumLeft).
    class WokenSwitch {
    public:
        explicit operator bool() const { return m_thread != nullptr; }

    private:
        friend class Scheduler;
        Thread* m_thread = nullptr;
    };
    WokenSwitch plan_switch_to_woken(ThreadId woken, Ticks now);
    void switch_to_woken(WokenSwitch plan, Ticks now);

    // --- picking and time -------------------------------------------------------------------------------------
    // The thread to run now, which becomes the Running one; a null id when no thread is runnable. A thread still
    // Running from the previous pick competes again (see the policy above).
    ThreadId pick_next(Ticks now);
    // The Running thread, or a null id.
    ThreadId current() const { return m_running != nullptr ? m_running->id : ThreadId(); }
    // The `now` of the pick_next() that made the current thread Running: what it ran since is `now - this`.
    Ticks dispatched_at() const { return m_dispatched_at; }
    // When the Running thread must be stopped: the end of its quantum or of its grove's budget, whichever comes
    // first (for Arch::set_preemption_deadline). NoDeadline when nothing is running.
    Ticks preemption_deadline(Ticks now) const;
    // Wakes every Blocked thread whose deadline is <= now, in order of (deadline, thread index), and reports
    // them: Sleep ends as DeadlineReached, every other wait as TimedOut.
    Span<Wakeup const> expire_timeouts(Ticks now);
    // Whether expire_timeouts(now) would do anything: a deadline is due or a CPU period has ended. When false it
    // may be skipped, and pick_next(now) closes no period.
    bool has_expiry_due(Ticks now) const {
        return now >= m_period_end || (!m_deadlines.is_empty() && m_deadlines.top().deadline <= now);
    }
    // The earliest time at which something becomes runnable without outside help: a deadline, or the end of the
    // period if a throttled grove has runnable threads. NoDeadline when there is none. Meant for when
    // pick_next() found nothing: the backend may skip virtual time up to it.
    Ticks next_wakeup() const;

    // --- CPU accounting ---------------------------------------------------------------------------------------
    // `thread` ran for `used` ticks ending at `now`: charged to the thread, its quantum and its grove (split
    // across a period boundary when the run crossed one). NotFound for a stale id; InvalidArgument when used >
    // now.
    Result<ChargeEffect> charge(ThreadId thread, Ticks used, Ticks now);
    // charge(current(), now - dispatched_at(), now) (nothing when `now` is not after dispatched_at()): the
    // backend's charge on every trap. A thread must be Running.
    ChargeEffect charge_running(Ticks now);
    // The share of each period the grove may use, in percent: 1..100, where 100 means never throttled. Takes
    // effect at once (a grove already over the new share is throttled now). InvalidArgument otherwise.
    Result<void> set_cpu_limit(GroveSlot grove_slot, u32 percent);
    // InvalidArgument for a slot >= MaxGroveSlots.
    Result<GroveCpuStats> cpu_stats(GroveSlot grove_slot) const;

    // --- inspection -------------------------------------------------------------------------------------------
    // The live thread with this id, or null when the id is stale.
    Thread const* thread(ThreadId id) const { return m_threads.get(SlotRef{id.index, id.generation}); }
    usize thread_count() const { return m_threads.size(); }
    // Runnable threads, parked ones included (the Running one is not counted).
    usize runnable_count() const;
    Ticks quantum() const { return m_config.quantum; }
    Ticks period() const { return m_config.period; }
    Ticks period_end() const { return m_period_end; }

private:
    using RunList = IntrusiveList<Thread, &Thread::run_node>;

    struct GroveState {
        RunList parked; // its Runnable threads while throttled, in the order they will return
        u32 limit_percent = DefaultCpuLimitPercent;
        Ticks used_in_period;
        Ticks consumed;
        u64 throttle_events = 0;
        bool throttled = false;
        u32 threads = 0;
    };

    enum class Placement : u8 { Back, FrontIfQuantumLeft };

    // A full quantum: the configured one, or with perturbation a jittered one drawn from m_prng.
    Ticks full_quantum();
    // With perturbation, at a change point: a thread of `level` drawn among its threads and `running` (null or a
    // thread of that level, not queued), taken off the queue; null when this pick is not a change point.
    Thread* draw_at_change_point(u32 level, Thread* running);
    Thread* take_front(u32 level);
    // Makes `t`, already off every queue, the Running thread from `now`.
    ThreadId dispatch(Thread& t, Ticks now);

    Thread* find(ThreadId id) { return m_threads.get(SlotRef{id.index, id.generation}); }
    ChargeEffect charge(Thread& thread, Ticks used, Ticks now);
    // charge() across a period boundary or for a grove with a share (limit below 100 %).
    ChargeEffect charge_slowly(Thread& thread, GroveState& g, Ticks used, Ticks now);
    Ticks budget(GroveState const& grove) const;
    bool is_limited(GroveState const& grove) const { return grove.limit_percent < 100; }

    void enqueue(Thread& t, Placement placement);
    void dequeue(Thread& t);
    void detach(Thread& t);
    void make_runnable(Thread& t);
    void release(Thread& t);
    void wake_joiners(ThreadId target, WakeOutcome outcome, i64 exit_code, GroveSlot except_grove);

    void close_periods(Ticks now);
    // Throttles or releases the grove to match its usage and limit; true when it became throttled now.
    bool update_throttle(GroveSlot grove_slot) {
        GroveState const& g = m_groves[grove_slot];
        if (!is_limited(g) && !g.throttled) return false; // never over its share, nothing to release
        return update_throttle_slowly(grove_slot);
    }
    bool update_throttle_slowly(GroveSlot grove_slot);
    void park(GroveSlot grove_slot);
    void unpark(GroveSlot grove_slot);

    SchedulerConfig m_config;
    Prng m_prng; // drawn from only with perturbation enabled
    SlotTable<Thread, MaxThreads> m_threads;
    RunList m_levels[ThreadPriorityLevels];
    u32 m_nonempty_levels = 0; // bit p set <=> m_levels[p] is not empty
    DeadlineHeap<MaxThreads> m_deadlines;
    GroveState m_groves[MaxGroveSlots];
    Thread* m_running = nullptr; // the Running thread (in m_threads), or null
    Ticks m_dispatched_at;
    Ticks m_period_start;
    Ticks m_period_end;
    StaticVector<Wakeup, MaxThreads> m_wakeups;
    StaticVector<ThreadId, MaxThreads> m_removed;

    static_assert(ThreadPriorityLevels <= 32, "the level bitmap is a u32");
};

} // namespace grove

#include <core/sched/scheduler.hpp>

namespace grove {

namespace {

constexpr SlotRef ref_of(ThreadId id) { return SlotRef{id.index, id.generation}; }
constexpr ThreadId id_of(SlotRef ref) { return ThreadId{ref.index, ref.generation}; }
constexpr Ticks min_of(Ticks a, Ticks b) { return a < b ? a : b; }
constexpr Ticks max_of(Ticks a, Ticks b) { return a < b ? b : a; }
constexpr u32 NoGrove = MaxGroveSlots;

template<typename T, usize N>
Span<T const> view_of(StaticVector<T, N>& v) {
    return Span<T const>{v.begin(), v.size()};
}

} // namespace

Scheduler::Scheduler(SchedulerConfig config)
    : m_config(config), m_prng(config.perturbation.seed), m_period_end(config.period) {
    GROVE_ASSERT(!config.quantum.is_zero() && !config.period.is_zero() && config.perturbation.valid());
}

// --- threads --------------------------------------------------------------------------------------------------

Result<ThreadId> Scheduler::create(GroveSlot grove_slot, u32 priority) {
    if (grove_slot >= MaxGroveSlots || priority >= ThreadPriorityLevels) return Error::InvalidArgument;
    if (m_threads.is_full()) return Error::NoCapacity;

    SlotRef const ref = m_threads.insert();
    GROVE_ASSERT(!ref.is_null());
    Thread& t = *m_threads.get(ref);
    t.id = id_of(ref);
    t.grove_slot = grove_slot;
    t.priority = static_cast<u8>(priority);
    ++m_groves[grove_slot].threads;
    enqueue(t, Placement::Back);
    return t.id;
}

Result<Span<Wakeup const>> Scheduler::exit(ThreadId thread, i64 exit_code) {
    Thread* t = find(thread);
    if (t == nullptr) return Error::NotFound;
    if (t->state == ThreadState::Exited) return Error::InvalidState;

    detach(*t);
    t->state = ThreadState::Exited;
    t->exit_code = exit_code;
    m_wakeups.clear();
    wake_joiners(thread, WakeOutcome::Joined, exit_code, NoGrove);
    return view_of(m_wakeups);
}

Result<Span<Wakeup const>> Scheduler::destroy(ThreadId thread) {
    Thread* t = find(thread);
    if (t == nullptr) return Error::NotFound;

    m_wakeups.clear();
    if (t->state != ThreadState::Exited) wake_joiners(thread, WakeOutcome::PeerClosed, 0, NoGrove);
    detach(*t);
    release(*t);
    return view_of(m_wakeups);
}

Result<GroveRemoval> Scheduler::remove_grove(GroveSlot grove_slot) {
    if (grove_slot >= MaxGroveSlots) return Error::InvalidArgument;

    m_wakeups.clear();
    m_removed.clear();
    for (u32 i = 0; i < MaxThreads; ++i) {
        Thread* t = m_threads.at_index(i);
        if (t == nullptr || t->grove_slot != grove_slot) continue;
        ThreadId const id = t->id;
        if (t->state != ThreadState::Exited) wake_joiners(id, WakeOutcome::PeerClosed, 0, grove_slot);
        detach(*t);
        release(*t);
        bool const recorded = m_removed.push_back(id);
        GROVE_ASSERT(recorded);
    }

    GroveState& g = m_groves[grove_slot];
    GROVE_ASSERT(g.threads == 0 && g.parked.is_empty());
    g.limit_percent = DefaultCpuLimitPercent;
    g.used_in_period = Ticks();
    g.consumed = Ticks();
    g.throttle_events = 0;
    g.throttled = false;
    return GroveRemoval{view_of(m_removed), view_of(m_wakeups)};
}

// --- waiting --------------------------------------------------------------------------------------------------

Result<void> Scheduler::block(ThreadId thread, BlockReason reason, Ticks deadline) {
    if (reason == BlockReason::None || reason == BlockReason::Join) return Error::InvalidArgument;
    Thread* t = find(thread);
    if (t == nullptr) return Error::NotFound;
    // detach() for the two states that may block: the running thread (the usual case) leaves the Running slot.
    if (t->state == ThreadState::Running) [[likely]]
        m_running = nullptr;
    else if (t->state == ThreadState::Runnable) dequeue(*t);
    else return Error::InvalidState;
    t->join_target = ThreadId();
    t->state = ThreadState::Blocked;
    t->block_reason = reason;
    t->deadline = deadline;
    if (deadline != NoDeadline) m_deadlines.insert(t->id.index, deadline);
    return ok();
}

Result<void> Scheduler::sleep(ThreadId thread, Ticks until) { return block(thread, BlockReason::Sleep, until); }

Result<void> Scheduler::wake(ThreadId thread) {
    Thread* t = find(thread);
    if (t == nullptr) return Error::NotFound;
    if (t->state != ThreadState::Blocked) return Error::InvalidState;
    make_runnable(*t);
    return ok();
}

Result<JoinOutcome> Scheduler::join(ThreadId joiner, ThreadId target, Ticks deadline) {
    Thread* j = find(joiner);
    Thread* t = find(target);
    if (j == nullptr || t == nullptr) return Error::NotFound;
    if (j == t) return Error::InvalidArgument;
    if (j->grove_slot != t->grove_slot) return Error::AccessDenied;
    if (j->state != ThreadState::Running && j->state != ThreadState::Runnable) return Error::InvalidState;
    if (t->state == ThreadState::Exited) return JoinOutcome{JoinStatus::TargetExited, t->exit_code};

    // Follow the chain of joins from the target: reaching the joiner would make every thread of it wait forever.
    Thread const* link = t;
    for (u32 steps = 0; steps < MaxThreads && link != nullptr; ++steps) {
        if (link->state != ThreadState::Blocked || link->block_reason != BlockReason::Join) break;
        if (link->join_target == joiner) return Error::InvalidState;
        link = find(link->join_target);
    }

    detach(*j);
    j->state = ThreadState::Blocked;
    j->block_reason = BlockReason::Join;
    j->join_target = target;
    j->deadline = deadline;
    if (deadline != NoDeadline) m_deadlines.insert(j->id.index, deadline);
    return JoinOutcome{JoinStatus::Waiting, 0};
}

Result<void> Scheduler::yield(ThreadId thread) {
    Thread* t = find(thread);
    if (t == nullptr) return Error::NotFound;
    if (t->state != ThreadState::Running) return Error::InvalidState;
    m_running = nullptr;
    enqueue(*t, Placement::Back);
    return ok();
}

Scheduler::WokenSwitch Scheduler::plan_switch_to_woken(ThreadId woken, Ticks now) {
    Thread const* running = m_running;
    Thread* t = find(woken);
    WokenSwitch plan;
    if (running == nullptr || t == nullptr || t->state != ThreadState::Blocked) return plan;
    if (m_config.perturbation.change_per_mille != 0 || m_config.perturbation.quantum_jitter_percent != 0) return plan;
    if (now >= m_period_end || m_groves[t->grove_slot].throttled) return plan;
    // wake() would put it at the back of its level with a full quantum, and pick_next() would take it from the
    // front at once: its level and every one above must be empty, and it must outrank the running thread.
    if (t->priority > running->priority && (m_nonempty_levels >> t->priority) == 0) plan.m_thread = t;
    return plan;
}

void Scheduler::switch_to_woken(WokenSwitch plan, Ticks now) {
    Thread& t = *plan.m_thread;
    GROVE_ASSERT(m_running != nullptr && t.state == ThreadState::Blocked);
    detach(t);
    t.quantum_left = full_quantum();
    Thread& running = *m_running;
    m_running = nullptr;
    enqueue(running, Placement::FrontIfQuantumLeft);
    dispatch(t, now);
}

// --- picking and time -----------------------------------------------------------------------------------------

ThreadId Scheduler::pick_next(Ticks now) {
    close_periods(now);
    bool perturbed = m_config.perturbation.change_per_mille != 0; // cleared once this pick has drawn
    if (Thread* running = m_running; running != nullptr) {
        u32 const above = m_nonempty_levels >> running->priority; // bit 0: its own level
        bool const can_stay = !m_groves[running->grove_slot].throttled && above <= 1;
        bool const change_point_possible = perturbed && (above & 1) != 0;
        // The common case of a trap that changes nothing: the running thread has quantum left, its grove is not
        // throttled and no higher level has a thread. Queued at the front of its level and popped again, it would
        // be picked with everything as it is now; only the dispatch time moves. (With change points, a level that
        // holds other threads makes the pick a candidate for one.)
        if (!running->quantum_left.is_zero() && can_stay && !change_point_possible) [[likely]] {
            m_dispatched_at = now;
            return running->id;
        }
        m_running = nullptr;
        bool const draw = can_stay && change_point_possible;
        perturbed = perturbed && !draw;
        if (Thread* drawn = draw ? draw_at_change_point(running->priority, running) : nullptr) {
            if (drawn == running) {
                if (running->quantum_left.is_zero()) running->quantum_left = full_quantum();
                return dispatch(*running, now);
            }
            enqueue(*running, Placement::Back); // lost the draw: to the back with a fresh quantum
            return dispatch(*drawn, now);
        }
        enqueue(*running, Placement::FrontIfQuantumLeft);
    }
    if (m_nonempty_levels == 0) return ThreadId();

    u32 const level = 31 - static_cast<u32>(std::countl_zero(m_nonempty_levels));
    Thread* t = perturbed && m_levels[level].size() > 1 ? draw_at_change_point(level, nullptr) : nullptr;
    return dispatch(t != nullptr ? *t : *take_front(level), now);
}

Ticks Scheduler::preemption_deadline(Ticks now) const {
    Thread const* t = m_running;
    if (t == nullptr) return NoDeadline;
    Ticks const quantum_end = deadline_after(now, t->quantum_left);
    GroveState const& g = m_groves[t->grove_slot];
    if (!is_limited(g)) return quantum_end;
    Ticks const left = g.used_in_period >= budget(g) ? Ticks() : budget(g) - g.used_in_period;
    return min_of(quantum_end, deadline_after(now, left));
}

Span<Wakeup const> Scheduler::expire_timeouts(Ticks now) {
    close_periods(now);
    m_wakeups.clear();
    while (!m_deadlines.is_empty() && m_deadlines.top().deadline <= now) {
        Thread* t = m_threads.at_index(m_deadlines.pop().index);
        GROVE_ASSERT(t != nullptr && t->state == ThreadState::Blocked);
        BlockReason const reason = t->block_reason;
        make_runnable(*t);
        WakeOutcome const outcome = reason == BlockReason::Sleep ? WakeOutcome::DeadlineReached : WakeOutcome::TimedOut;
        bool const recorded = m_wakeups.push_back(Wakeup{t->id, reason, outcome, 0});
        GROVE_ASSERT(recorded);
    }
    return view_of(m_wakeups);
}

Ticks Scheduler::next_wakeup() const {
    Ticks earliest = m_deadlines.is_empty() ? NoDeadline : m_deadlines.top().deadline;
    for (GroveState const& g : m_groves) {
        if (g.throttled && !g.parked.is_empty()) {
            earliest = min_of(earliest, m_period_end);
            break;
        }
    }
    return earliest;
}

// --- CPU accounting -------------------------------------------------------------------------------------------

Result<ChargeEffect> Scheduler::charge(ThreadId thread, Ticks used, Ticks now) {
    Thread* t = find(thread);
    if (t == nullptr) return Error::NotFound;
    if (used > now) return Error::InvalidArgument;
    return charge(*t, used, now);
}

ChargeEffect Scheduler::charge_running(Ticks now) {
    GROVE_ASSERT(m_running != nullptr);
    return charge(*m_running, now > m_dispatched_at ? now - m_dispatched_at : Ticks(), now);
}

ChargeEffect Scheduler::charge(Thread& thread, Ticks used, Ticks now) {
    Thread* t = &thread;
    GroveState& g = m_groves[t->grove_slot];
    Ticks const start = now - used;
    // The common case: the whole run lies in the current period and the grove has no share to go over. What the
    // general case below does then comes down to these additions.
    if (start >= m_period_start && start < m_period_end && now <= m_period_end && !is_limited(g) && !g.throttled)
        [[likely]] {
        t->cpu_time += used;
        t->quantum_left = used >= t->quantum_left ? Ticks() : t->quantum_left - used;
        g.consumed += used;
        g.used_in_period += used;
        return ChargeEffect::None;
    }
    return charge_slowly(*t, g, used, now);
}

ChargeEffect Scheduler::charge_slowly(Thread& thread, GroveState& g, Ticks used, Ticks now) {
    Thread* t = &thread;
    t->cpu_time += used;
    t->quantum_left = used >= t->quantum_left ? Ticks() : t->quantum_left - used;
    g.consumed += used;

    // The run covered [start, now). The part inside the current period counts against this period; a part after
    // its end counts against the period that contains `now` (whole periods in between are over and forgotten);
    // a part before the current period began belongs to a period already closed.
    ChargeEffect effect = ChargeEffect::None;
    Ticks const start = now - used;
    close_periods(start);
    Ticks const from = max_of(start, m_period_start);
    Ticks const to = min_of(now, m_period_end);
    if (to > from) {
        g.used_in_period += to - from;
        if (update_throttle(t->grove_slot)) effect = ChargeEffect::Throttled;
    }
    if (now > m_period_end) {
        close_periods(now);
        g.used_in_period += now - m_period_start;
        if (update_throttle(t->grove_slot)) effect = ChargeEffect::Throttled;
    }
    return effect;
}

Result<void> Scheduler::set_cpu_limit(GroveSlot grove_slot, u32 percent) {
    if (grove_slot >= MaxGroveSlots || percent == 0 || percent > 100) return Error::InvalidArgument;
    m_groves[grove_slot].limit_percent = percent;
    (void)update_throttle(grove_slot);
    return ok();
}

Result<GroveCpuStats> Scheduler::cpu_stats(GroveSlot grove_slot) const {
    if (grove_slot >= MaxGroveSlots) return Error::InvalidArgument;
    GroveState const& g = m_groves[grove_slot];
    return GroveCpuStats{g.limit_percent,   budget(g),   g.used_in_period, g.consumed,
                         g.throttle_events, g.throttled, g.threads};
}

// --- inspection -----------------------------------------------------------------------------------------------

usize Scheduler::runnable_count() const {
    usize n = 0;
    for (RunList const& level : m_levels) n += level.size();
    for (GroveState const& g : m_groves) n += g.parked.size();
    return n;
}

// --- internals ------------------------------------------------------------------------------------------------

Ticks Scheduler::budget(GroveState const& grove) const {
    // limit * period / 100 without overflowing for large periods.
    u64 const p = m_config.period.value;
    return Ticks(p / 100 * grove.limit_percent + p % 100 * grove.limit_percent / 100);
}

Ticks Scheduler::full_quantum() {
    u32 const jitter = m_config.perturbation.quantum_jitter_percent;
    if (jitter == 0) return m_config.quantum;
    // quantum * (100 - jitter) / 100 .. quantum * (100 + jitter) / 100, computed without overflow, at least 1 tick.
    u64 const q = m_config.quantum.value;
    u64 const spread = q / 100 * jitter + q % 100 * jitter / 100;
    u64 const drawn = m_prng.between(q - spread, q + (spread < ~u64{0} - q ? spread : ~u64{0} - q));
    return Ticks(drawn == 0 ? 1 : drawn);
}

Thread* Scheduler::draw_at_change_point(u32 level, Thread* running) {
    RunList& list = m_levels[level];
    usize const candidates = list.size() + (running != nullptr ? 1 : 0);
    if (candidates < 2 || m_prng.below(1000) >= m_config.perturbation.change_per_mille) return nullptr;
    u64 k = m_prng.below(candidates);
    if (running != nullptr) {
        if (k == 0) return running;
        --k;
    }
    for (Thread& t : list) {
        if (k-- != 0) continue;
        list.remove(t);
        if (list.is_empty()) m_nonempty_levels &= ~(1u << level);
        return &t;
    }
    GROVE_ASSERT(false);
    return nullptr;
}

Thread* Scheduler::take_front(u32 level) {
    Thread* t = m_levels[level].pop_front();
    GROVE_ASSERT(t != nullptr);
    if (m_levels[level].is_empty()) m_nonempty_levels &= ~(1u << level);
    return t;
}

ThreadId Scheduler::dispatch(Thread& t, Ticks now) {
    t.state = ThreadState::Running;
    m_running = &t;
    m_dispatched_at = now;
    return t.id;
}

// Makes `t` Runnable: parked when its grove is throttled, else on its level, at the back with a full quantum or,
// for FrontIfQuantumLeft with quantum remaining, at the front with what remains.
void Scheduler::enqueue(Thread& t, Placement placement) {
    t.state = ThreadState::Runnable;
    GroveState& g = m_groves[t.grove_slot];
    bool const keep_place = placement == Placement::FrontIfQuantumLeft && !t.quantum_left.is_zero();
    if (!keep_place || g.throttled) t.quantum_left = full_quantum();
    if (g.throttled) {
        g.parked.push_back(t);
        return;
    }
    if (keep_place) m_levels[t.priority].push_front(t);
    else m_levels[t.priority].push_back(t);
    m_nonempty_levels |= 1u << t.priority;
}

// Takes a Runnable thread off its run queue or parked list.
void Scheduler::dequeue(Thread& t) {
    GroveState& g = m_groves[t.grove_slot];
    if (g.throttled) {
        g.parked.remove(t);
        return;
    }
    m_levels[t.priority].remove(t);
    if (m_levels[t.priority].is_empty()) m_nonempty_levels &= ~(1u << t.priority);
}

// Takes `t` off whatever holds it in its current state (a queue, the Running slot, the deadline heap) and
// clears its wait. The caller sets the new state.
void Scheduler::detach(Thread& t) {
    switch (t.state) {
    case ThreadState::Runnable: dequeue(t); break;
    case ThreadState::Running: m_running = nullptr; break;
    case ThreadState::Blocked:
        if (m_deadlines.contains(t.id.index)) m_deadlines.remove(t.id.index);
        break;
    case ThreadState::Exited: break;
    }
    t.block_reason = BlockReason::None;
    t.join_target = ThreadId();
    t.deadline = NoDeadline;
}

void Scheduler::make_runnable(Thread& t) {
    GROVE_ASSERT(t.state == ThreadState::Blocked);
    detach(t);
    enqueue(t, Placement::Back);
}

// Frees the slot of a detached thread; its id goes stale.
void Scheduler::release(Thread& t) {
    GroveState& g = m_groves[t.grove_slot];
    GROVE_ASSERT(g.threads > 0);
    --g.threads;
    bool const removed = m_threads.remove(ref_of(t.id));
    GROVE_ASSERT(removed);
}

// Wakes, in index order, every thread joining `target` (except those of `except_grove`) and records each.
void Scheduler::wake_joiners(ThreadId target, WakeOutcome outcome, i64 exit_code, GroveSlot except_grove) {
    for (u32 i = 0; i < MaxThreads; ++i) {
        Thread* j = m_threads.at_index(i);
        if (j == nullptr || j->state != ThreadState::Blocked || j->block_reason != BlockReason::Join) continue;
        if (j->join_target != target || j->grove_slot == except_grove) continue;
        make_runnable(*j);
        bool const recorded = m_wakeups.push_back(Wakeup{j->id, BlockReason::Join, outcome, exit_code});
        GROVE_ASSERT(recorded);
    }
}

// Closes every period that ended by `now`: usage starts again from zero and throttled groves return, in slot
// order, each with its parked threads in the order they were parked.
void Scheduler::close_periods(Ticks now) {
    if (now < m_period_end) return;
    u64 const p = m_config.period.value;
    m_period_start = Ticks(now.value - now.value % p);
    m_period_end = m_period_start + m_config.period;
    for (GroveSlot slot = 0; slot < MaxGroveSlots; ++slot) {
        GroveState& g = m_groves[slot];
        g.used_in_period = Ticks();
        if (g.throttled) unpark(slot);
    }
}

bool Scheduler::update_throttle_slowly(GroveSlot grove_slot) {
    GroveState& g = m_groves[grove_slot];
    bool const over = is_limited(g) && g.used_in_period >= budget(g);
    if (over && !g.throttled) {
        park(grove_slot);
        ++g.throttle_events;
        return true;
    }
    if (!over && g.throttled) unpark(grove_slot);
    return false;
}

// Moves the grove's Runnable threads from the run queues to its parked list, highest priority first and in
// queue order within a priority, and marks it throttled.
void Scheduler::park(GroveSlot grove_slot) {
    GroveState& g = m_groves[grove_slot];
    GROVE_ASSERT(!g.throttled);
    for (u32 level = ThreadPriorityLevels; level-- > 0;) {
        RunList& list = m_levels[level];
        // One full rotation keeps the order of the threads that stay.
        for (usize n = list.size(); n > 0; --n) {
            Thread* t = list.pop_front();
            if (t->grove_slot == grove_slot) {
                t->quantum_left = full_quantum();
                g.parked.push_back(*t);
            } else {
                list.push_back(*t);
            }
        }
        if (list.is_empty()) m_nonempty_levels &= ~(1u << level);
    }
    g.throttled = true;
}

// Returns the grove's parked threads to the back of their levels, in parked order, and clears the throttle.
void Scheduler::unpark(GroveSlot grove_slot) {
    GroveState& g = m_groves[grove_slot];
    GROVE_ASSERT(g.throttled);
    g.throttled = false;
    while (Thread* t = g.parked.pop_front()) enqueue(*t, Placement::Back);
}

} // namespace grove

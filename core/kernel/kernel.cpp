#include <core/kernel/kernel.hpp>

namespace grove {

namespace {

constexpr Ticks earliest(Ticks a, Ticks b) { return a < b ? a : b; }

} // namespace

Kernel::Kernel(Arch& arch, SchedulerConfig scheduler) : m_arch(arch), m_manager(arch, this), m_scheduler(scheduler) {
    m_ipc.set_observer(this);
}

GroveId Kernel::grove_of(ThreadId thread) const {
    if (m_scheduler.thread(thread) == nullptr) return GroveId{};
    return m_threads[thread.index].grove;
}

StaticVector<ThreadId, MaxThreads> Kernel::threads_of(GroveId grove) const {
    StaticVector<ThreadId, MaxThreads> threads;
    if (grove.is_null()) return threads;
    for (KernelThread const& kt : m_threads) {
        Thread const* t = m_scheduler.thread(kt.id);
        if (t != nullptr && kt.grove == grove && t->state != ThreadState::Exited) MUST(threads.push_back(kt.id));
    }
    return threads;
}

// --- the loop --------------------------------------------------------------------------------------------------

Ticks Kernel::next_kernel_deadline() const { return earliest(m_ipc.next_deadline(), m_manager.next_deadline()); }

void Kernel::expire(Ticks t) {
    m_manager.tick(t);
    drain_woken();
    m_ipc.expire(t, m_woken);
    drain_woken();
    // expire_timeouts returns a view that the next scheduler call invalidates: copy it first.
    StaticVector<Wakeup, MaxThreads> wakeups;
    for (Wakeup const& w : m_scheduler.expire_timeouts(t)) MUST(wakeups.push_back(w));
    for (Wakeup const& w : wakeups) finish_wakeup(w);
    drain_woken();
}

Dispatch Kernel::dispatch() {
    for (;;) {
        Ticks const t = now();
        // Nothing is left to drain here (every operation drains what it woke), so skipping expire() changes no
        // order: each of its parts does nothing before its own next deadline, and none is due.
        drain_woken();
        Ticks kernel_deadline = next_kernel_deadline();
        if (is_anything_due(t, kernel_deadline)) [[unlikely]] {
            expire(t);
            kernel_deadline = next_kernel_deadline();
        }

        ThreadId const next = m_scheduler.pick_next(t);
        if (next.is_null()) return Dispatch{ThreadId{}, earliest(m_scheduler.next_wakeup(), kernel_deadline)};

        KernelThread& kt = m_threads[next.index];
        if (m_groves[kt.slot].hung) {
            block(next, Pending::Hung, BlockReason::Sleep);
            continue;
        }
        if (kt.pending == Pending::RetryAfterThrottle) {
            // A send that waited for its rate limit runs again now, as if the thread had just trapped.
            kt.pending = Pending::None;
            handle_syscall(next, kt.retry, t);
            drain_woken();
            continue;
        }
        return hand_over(next, t, kernel_deadline);
    }
}

Dispatch Kernel::hand_over(ThreadId next, Ticks t, Ticks kernel_deadline) {
    Ticks const deadline = earliest(m_scheduler.preemption_deadline(t), kernel_deadline);
    m_arch.set_preemption_deadline(deadline);
    return Dispatch{next, deadline};
}

Dispatch Kernel::on_trap(ThreadId thread, Trap const& trap) {
    Ticks const t = now();
    // Only the thread dispatch() gave can trap. Any other id (stale after a kill, blocked, never dispatched) is a
    // backend's mistake: handling it would block or complete a thread that is not running, so it is ignored.
    if (!thread.is_null() && m_scheduler.current() == thread) {
        // The charge may have killed the grove (CPU limit under the Kill policy). A hung grove does nothing more:
        // the trap its thread was dispatched before the hang is dropped, and dispatch() parks the thread.
        if (charge(thread, t) && !m_groves[m_threads[thread.index].slot].hung) {
            switch (trap.kind) {
            case TrapKind::Syscall:
                if (m_fast_ipc && is_ipc(trap.syscall)) [[likely]] {
                    if (Dispatch next; take_ipc(thread, trap.syscall, t, next)) return next;
                    break;
                }
                handle_syscall(thread, trap.syscall, t);
                break;
            case TrapKind::Timer: break;
            case TrapKind::PageFault:
            case TrapKind::GeneralProtection:
            case TrapKind::InvalidOpcode:
            case TrapKind::DivideError:
            case TrapKind::Breakpoint:
            case TrapKind::EmulatorError: handle_fault(thread, trap); break;
            }
        }
    }
    drain_woken();
    return dispatch();
}

bool Kernel::charge(ThreadId thread, Ticks t) {
    // The thread is the running one; without a throttle nothing else happens.
    if (m_scheduler.charge_running(t) != ChargeEffect::Throttled) [[likely]]
        return true;
    // The scheduler throttles; the manager decides what else going over the share means (an event; a crash
    // under the Kill policy).
    KernelThread const& kt = m_threads[thread.index];
    Result<GroveCpuStats> stats = m_scheduler.cpu_stats(kt.slot);
    GROVE_ASSERT(stats.has_value());
    // LimitExceeded: the Kill policy ended the grove, and the thread with it.
    Result<void> const reported =
        m_manager.report_cpu_exhausted(kt.grove, stats.value().used_in_period, stats.value().budget, t);
    drain_woken();
    GROVE_ASSERT(reported.has_value() == (m_scheduler.thread(thread) != nullptr));
    return reported.has_value();
}

void Kernel::handle_fault(ThreadId thread, Trap const& trap) {
    KernelThread const& kt = m_threads[thread.index];
    Ticks const t = now();
    m_manager.tracer().emit(Event::fault(t, kt.grove, trap));
    if (trap.kind == TrapKind::GeneralProtection && trap.fault.cause == FaultCause::IoPort)
        (void)m_manager.require_io_port(kt.grove, trap.fault.port, t);                    // reports capability_denied
    MUST(m_manager.report_crash(kt.grove, Crash::fault(trap.pc, trap.fault.address), t)); // a running grove
}

Result<void> Kernel::hang(GroveId id) {
    Grove const* g = m_manager.find(id);
    if (g == nullptr) return Error::NotFound;
    if (g->state != GroveState::Running) return Error::InvalidState;
    // Its threads are parked as they come up for running (dispatch), whatever they were doing.
    m_groves[g->slot].hung = true;
    return {};
}

// --- completing syscalls ---------------------------------------------------------------------------------------

void Kernel::block(ThreadId thread, Pending pending, BlockReason reason, Ticks deadline) {
    Result<void> blocked = m_scheduler.block(thread, reason, deadline);
    GROVE_ASSERT(blocked.has_value()); // the thread is the running one
    m_threads[thread.index].pending = pending;
}

void Kernel::drain_woken_slowly() {
    while (IpcWaiter* w = m_woken.pop_front()) finish_ipc_wait(*w);
}

void Kernel::finish_ipc_wait(IpcWaiter& waiter) {
    ThreadId const thread = waiter.thread;
    KernelThread& kt = m_threads[thread.index];
    Pending const pending = kt.pending;
    kt.pending = Pending::None;
    if (waiter.outcome != WaitOutcome::Completed) {
        complete(thread, result_of(waiter.outcome).error());
    } else if (pending == Pending::Receive || pending == Pending::Call) {
        // A dying grove's waiters are cancelled, never woken: kt.space is still the grove's address space.
        if (m_arch.copy_to_user(kt.space, kt.out_buffer, &waiter.message, Bytes(abi::MessageSize)).is_error()) {
            // The buffer went away while the thread waited (another thread unmapped it): the message was
            // delivered to a grove that cannot take it, which is that grove's fault.
            MUST(m_scheduler.wake(thread)); // it waited
            crash_on_delivery(kt, kt.out_buffer);
            return;
        }
        if (pending == Pending::Receive) owe_reply(kt, waiter.reply_token);
        complete(thread, u64{0});
    } else {
        complete(thread, u64{0}); // a send: the message is queued or delivered
    }
    Result<void> woken = m_scheduler.wake(thread);
    GROVE_ASSERT(woken.has_value());
}

void Kernel::owe_reply(KernelThread& kt, ReplyToken token) {
    if (token.is_null()) return; // a plain message owes nothing and leaves an earlier call owed
    // A thread answers one call at a time: an unanswered earlier call is given up (its caller sees PeerClosed).
    if (!kt.reply_to.is_null()) m_ipc.abandon_reply(kt.reply_to, m_woken);
    kt.reply_to = token;
}

void Kernel::crash_on_delivery(KernelThread const& kt, VirtAddr address) {
    // The grove is live: the waiters of a grove that ends are cancelled, never woken.
    MUST(m_manager.report_crash(kt.grove, Crash::fault(0, address.value), now()));
}

void Kernel::finish_wakeup(Wakeup const& wakeup) {
    KernelThread& kt = m_threads[wakeup.thread.index];
    Pending const pending = kt.pending;
    if (pending == Pending::RetryAfterThrottle) return; // runs its send again when picked (dispatch)
    kt.pending = Pending::None;
    switch (wakeup.outcome) {
    case WakeOutcome::DeadlineReached:
        if (pending == Pending::ConsoleWrite) complete(wakeup.thread, kt.console_length);
        else if (pending == Pending::GrantCopy) complete(wakeup.thread, kt.copy_length);
        else complete(wakeup.thread, u64{0});
        return;
    case WakeOutcome::Joined:
        reap(kt.join_target, kt.grove);
        complete(wakeup.thread, u64{0}, static_cast<u64>(wakeup.exit_code));
        return;
    case WakeOutcome::TimedOut:
        if (pending == Pending::IrqWait) m_irq[kt.irq_line].waiter = ThreadId{};
        complete(wakeup.thread, Error::TimedOut);
        return;
    case WakeOutcome::PeerClosed: complete(wakeup.thread, Error::PeerClosed); return;
    }
}

// --- threads ---------------------------------------------------------------------------------------------------

Result<ThreadId> Kernel::create_thread(Grove const& grove, VirtAddr entry, VirtAddr stack_top, u64 arg0, u64 arg1,
                                       Ticks t) {
    TRY(m_manager.reserve_thread(grove.id, t));
    Result<ThreadId> created = m_scheduler.create(grove.slot, grove.spec.priority);
    if (created.is_error()) {
        MUST(m_manager.release_thread(grove.id)); // reserved above
        return created.error();
    }
    ThreadId const thread = created.value();
    Result<void> context = m_arch.create_context(thread, grove.image.space, entry, stack_top, arg0, arg1);
    if (context.is_error()) {
        MUST(m_scheduler.destroy(thread)); // created above
        MUST(m_manager.release_thread(grove.id));
        return context.error();
    }
    KernelThread& kt = m_threads[thread.index];
    kt = KernelThread{};
    kt.id = thread;
    kt.grove = grove.id;
    kt.slot = grove.slot;
    kt.space = grove.image.space;
    kt.waiter.thread = thread;
    kt.waiter.grove = grove.slot;
    return thread;
}

void Kernel::reap(ThreadId exited, GroveId grove) {
    // A second joiner of the same thread finds it reaped already: nothing is given back twice.
    if (m_scheduler.destroy(exited).has_value()) MUST(m_manager.release_thread(grove));
}

// Ends a thread's part in IPC (its wait, and the call it received but did not answer) and removes its context.
// The scheduler record is the caller's to remove.
void Kernel::destroy_thread(ThreadId thread) {
    KernelThread& kt = m_threads[thread.index];
    if (kt.waiter.is_waiting()) MUST(m_ipc.cancel(kt.waiter, WaitOutcome::PeerClosed));
    // Woken but not yet finished (its grove died while the woken list was being drained): nothing to finish.
    else if (kt.waiter.node.is_linked()) m_woken.remove(kt.waiter);
    if (!kt.reply_to.is_null()) m_ipc.abandon_reply(kt.reply_to, m_woken);
    kt.reply_to = ReplyToken{};
    kt.pending = Pending::None;
    m_arch.destroy_context(thread);
}

// --- interrupts ------------------------------------------------------------------------------------------------

void Kernel::take_interrupts(u16 lines) {
    Ticks const t = now();
    for (u8 line = 0; line < abi::IrqLines; ++line) {
        if ((lines & (1u << line)) == 0) continue;
        IrqLine& l = m_irq[line];
        if (l.owner.is_null()) {
            ++l.unowned; // the line stays masked: nobody will acknowledge it
            m_manager.tracer().emit(Event::interrupt(t, GroveId{}, line, InterruptFate::Unowned, l.unowned));
            continue;
        }
        ++l.pending;
        if (l.waiter.is_null()) {
            m_manager.tracer().emit(Event::interrupt(t, l.owner, line, InterruptFate::Pending, l.pending));
            continue;
        }
        ThreadId const waiter = l.waiter;
        u32 const taken = l.pending;
        l.waiter = ThreadId{};
        l.pending = 0;
        m_threads[waiter.index].pending = Pending::None;
        m_manager.tracer().emit(Event::interrupt(t, l.owner, line, InterruptFate::Delivered, taken));
        complete(waiter, u64{taken});
        MUST(m_scheduler.wake(waiter)); // it waits in IrqWait (the line's invariant)
    }
}

bool Kernel::can_own_irq_lines(Grove const& grove) const {
    u16 const lines = grove.spec.capabilities.irq_lines();
    for (u8 line = 0; line < abi::IrqLines; ++line) {
        if ((lines & (1u << line)) == 0) continue;
        GroveId const owner = m_irq[line].owner;
        if (!owner.is_null() && owner.serial != grove.id.serial) return false;
    }
    return true;
}

void Kernel::own_irq_lines(Grove const& grove) {
    u16 const lines = grove.spec.capabilities.irq_lines();
    for (u8 line = 0; line < abi::IrqLines; ++line) {
        if ((lines & (1u << line)) == 0) continue;
        m_irq[line].owner = grove.id;
        m_irq[line].waiter = ThreadId{};
        m_irq[line].pending = 0;
        m_arch.set_irq_masked(line, false);
    }
}

void Kernel::release_irq_lines(Grove const& grove) {
    for (u8 line = 0; line < abi::IrqLines; ++line) {
        IrqLine& l = m_irq[line];
        if (l.owner != grove.id) continue;
        m_arch.set_irq_masked(line, true);
        if (l.pending != 0)
            m_manager.tracer().emit(Event::interrupt(now(), l.owner, line, InterruptFate::Dropped, l.pending));
        l.owner = GroveId{};
        l.waiter = ThreadId{}; // its threads are gone
        l.pending = 0;
    }
}

// --- GroveHooks ------------------------------------------------------------------------------------------------

Result<void> Kernel::on_start(Grove const& grove, Ticks t) {
    KernelGrove& kg = m_groves[grove.slot];
    // CPU shares are enforced per period of the scheduler, one period for every grove: a limit asking for another
    // period would be declared and not enforced, so it is refused.
    if (grove.spec.limits.cpu_period != m_scheduler.period()) return Error::InvalidArgument;
    if (!can_own_irq_lines(grove)) return Error::AlreadyExists;
    EndpointRef const endpoint = TRY(m_ipc.open(grove.slot));
    Result<void> handle = m_manager.reserve_file_handle(grove.id, t);
    if (handle.is_error()) {
        MUST(m_ipc.close(endpoint, m_woken)); // opened above
        return handle.error();
    }
    MUST(m_scheduler.set_cpu_limit(grove.slot, grove.spec.limits.cpu_percent)); // validate_spec checked it
    Result<ThreadId> main =
        create_thread(grove, grove.image.entry, grove.image.stack_top, grove.image.argc, grove.image.argv.value, t);
    if (main.is_error()) {
        MUST(m_manager.release_file_handle(grove.id)); // reserved above
        MUST(m_ipc.close(endpoint, m_woken));
        return main.error();
    }
    kg.id = grove.id;
    kg.endpoint = endpoint;
    kg.handles.reset(endpoint);
    kg.live_threads = 1;
    kg.hung = false;
    kg.console_asked = 0;
    if (grove.id.generation == 1) kg.console_dropped = 0; // a new grove in this slot
    fill_bytes(kg.policy_passed, 0, sizeof kg.policy_passed);
    own_irq_lines(grove);
    return {};
}

void Kernel::send_kernel_message(GroveSlot slot, u8 key, u32 tag, void const* payload, u16 length) {
    abi::Message message{};
    message.header.tag = tag;
    message.header.flags = abi::MessageFlagKernel;
    message.header.priority = abi::PriorityLevels - 1;
    message.header.length = length;
    copy_bytes(message.payload, payload, length);
    // Counted in the recipient's row. Only a closed endpoint refuses it (PeerClosed, counted): groves cannot fill
    // the kernel lane.
    (void)m_ipc.send_kernel(m_groves[slot].endpoint, slot, key, message, m_woken);
}

void Kernel::on_stop_requested(Grove const& grove) { send_kernel_message(grove.slot, 0, abi::NotifyStop, nullptr, 0); }

void Kernel::on_teardown(Grove const& grove) {
    KernelGrove& kg = m_groves[grove.slot];
    Result<GroveRemoval> removal = m_scheduler.remove_grove(grove.slot);
    GROVE_ASSERT(removal.has_value());
    StaticVector<ThreadId, MaxThreads> removed;
    for (ThreadId const& t : removal.value().removed) MUST(removed.push_back(t));
    for (ThreadId const& t : removed) destroy_thread(t);
    // Every grant of the incarnation dies with it (a later incarnation starts with none); a copy naming one is
    // refused with GranterGone. Its grants limit is per incarnation, so nothing is given back.
    m_grants.end_all_of(grove.id.serial, [&](u64 id, Grant const&) {
        m_manager.tracer().emit(Event::grant_revoked(now(), grove.id, id, GrantEnd::GranterEnded));
    });
    release_irq_lines(grove);
    // A grove torn down while Loading never opened its endpoint. The handles it issued end with it, each given
    // back to the grove that held it.
    if (!kg.endpoint.is_null()) {
        for (KernelGrove& holder : m_groves) {
            if (&holder == &kg || holder.id.serial == 0) continue;
            u32 const closed = holder.handles.close_issued_by(kg.endpoint);
            for (u32 i = 0; i < closed; ++i) MUST(m_manager.release_file_handle(holder.id));
        }
        MUST(m_ipc.close(kg.endpoint, m_woken));
    }
    kg.handles.clear();
    kg.id = GroveId{};
    kg.endpoint = EndpointRef{};
    kg.live_threads = 0;
    kg.hung = false;
}

void Kernel::on_crash_notice(GroveId subscriber, u32 tag, abi::CrashNotice const& notice) {
    Grove const* g = m_manager.find(subscriber);
    Grove const* about = m_manager.registry().find_serial(notice.grove);
    if (g == nullptr || !g->is_alive() || about == nullptr) return;
    // One lane key per grove and kind of notice: an unread crash notice about a grove is superseded by the next
    // one about it (the latest news), a give-up notice never by a crash notice. Key 0 is the stop request's.
    u32 const kind = tag == abi::NotifyGaveUp ? 1 : 0;
    send_kernel_message(g->slot, static_cast<u8>(1 + kind * MaxGroves + about->slot), tag, &notice, sizeof notice);
}

void Kernel::on_message(MessageStep const& step) {
    Ticks const t = now();
    abi::MessageHeader const& h = step.header;
    GroveId const sender{h.sender, h.sender_generation};
    u32 const to = step.to == NoRecipient ? 0 : m_groves[step.to].id.serial;
    switch (step.fate) {
    case MessageFate::Sent: m_manager.tracer().emit(Event::message_sent(t, sender, to, h.tag, h.priority)); return;
    case MessageFate::Delivered:
        m_manager.tracer().emit(Event::message_delivered(t, m_groves[step.to].id, h.sender, h.tag, h.priority));
        return;
    case MessageFate::Refused:
        m_manager.tracer().emit(Event::message_refused(t, sender, to, h.tag, h.priority, step.reason));
        return;
    }
}

} // namespace grove

// The IPC fast path (the seL4 fastpath idea): after a Send or Receive, check the few conditions under which the
// general path's end comes down to "the thread the call woke runs now", and if they all hold, do just that.
//
// The general path finishes such a call in three rounds: the woken thread's waiter goes through the woken list
// (finish_ipc_wait: its result, its message copied out, the wake that queues it at the back of its level), then
// the caller's result (finish_syscall), then dispatch(): the deadlines checked, the caller requeued at the front of
// its level and the woken thread picked from the front of its own, the preemption deadline armed. When the woken
// thread outranks everything runnable and nothing is due, this does the same in one step; in every other case it
// changes nothing and the general path runs on. The IPC operation itself (sys_send, sys_receive) is the general
// one: the fast path shares every check, count and event with it.
#include <core/kernel/kernel.hpp>

namespace grove {

bool Kernel::take_ipc(ThreadId thread, SyscallArgs const& args, Ticks t, Dispatch& next) {
    SyscallResult const result = run_ipc(thread, args, t);
    if (switch_to_woken(thread, result, t, next)) return true;
    finish_syscall(thread, result);
    return false;
}

bool Kernel::switch_to_woken(ThreadId caller, SyscallResult const& result, Ticks t, Dispatch& next) {
    // The caller completed (it runs on unless displaced) and woke exactly one waiter, whose wait succeeded.
    if (!result.has_value() || result.value().is_blocked() || m_scheduler.current() != caller) return false;
    if (m_woken.size() != 1) return false;
    IpcWaiter& waiter = *m_woken.front();
    if (waiter.outcome != WaitOutcome::Completed) return false;
    ThreadId const woken = waiter.thread;
    KernelThread& wk = m_threads[woken.index];
    // A sender whose message went in, or a receiver handed a message by a Send (which carries no reply token: a
    // Call always blocks its caller). finish_ipc_wait would do more for a receiver whose buffer went away (its
    // grove crashes): that is left to it.
    bool const receives = wk.pending == Pending::Receive;
    if (!receives && wk.pending != Pending::Send) return false;
    if (receives && !waiter.reply_token.is_null()) return false;
    // dispatch() would first expire what is due, and would park a thread of a hung grove.
    Ticks const kernel_deadline = next_kernel_deadline();
    if (is_anything_due(t, kernel_deadline) || m_groves[wk.slot].hung) return false;
    Scheduler::WokenSwitch const plan = m_scheduler.plan_switch_to_woken(woken, t);
    if (!plan) return false;
    // Last, as it may write the buffer (Arch::check_message_buffer): when it fails, finish_ipc_wait's copy fails the
    // same way and crashes the grove; when it passes, the copy below writes every byte of it.
    if (receives && m_arch.check_message_buffer(wk.space, wk.out_buffer).is_error()) return false;

    // Committed: the switch, the woken thread's end of finish_ipc_wait, the caller's result, dispatch()'s deadline.
    m_scheduler.switch_to_woken(plan, t);
    m_woken.pop_front();
    wk.pending = Pending::None;
    if (receives) {
        Result<void> const copied =
            m_arch.copy_to_user(wk.space, wk.out_buffer, &waiter.message, Bytes(abi::MessageSize));
        GROVE_ASSERT(copied.has_value()); // checked above, and nothing ran in between
    }
    complete(woken, u64{0});
    complete(caller, result);
    ++m_fast_ipc_switches;
    next = hand_over(woken, t, kernel_deadline);
    return true;
}

} // namespace grove

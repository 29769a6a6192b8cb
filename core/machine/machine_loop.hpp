#pragma once
#include <core/kernel/kernel.hpp>
#include <core/machine/action_schedule.hpp>
#include <core/machine/machine_backend.hpp>

namespace grove {

// What the runner driving the loop provides: its scripted actions (start grove `index`, apply fault `index`), and
// a look at each resume. after_resume() false ends the run at once, the trap unhandled (the simulator's inexact
// data fault: the run is replayed exactly instead).
template<typename Runner>
concept MachineRunner = requires(Runner& runner, usize index, ThreadId thread, Trap const& trap) {
    { runner.start_grove(index) } -> std::same_as<void>;
    { runner.inject_fault(index) } -> std::same_as<void>;
    { runner.before_resume(thread) } -> std::same_as<void>;
    { runner.after_resume(thread, trap) } -> std::same_as<bool>;
};

// The backend's loop of DESIGN.md §1, the same on every backend, one turn at a time (step), up to `end` in virtual
// time:
//
//   - the scripted actions due now are applied, then the kernel dispatches;
//   - a thread to run: when the next scripted action (or the end) comes before the thread's deadline, an earlier
//     preemption deadline is armed there; the thread runs until it traps and the kernel handles the trap. When
//     that reached the next action's time, the actions due are applied and the dispatched thread is handed back as
//     preempted (a Timer trap), so that the kernel dispatches again with its deadlines up to date (or, with
//     nothing dispatched, the kernel dispatches);
//   - nothing to run: time passes to the kernel's next deadline, the next scripted action or the end, whichever
//     comes first, and never less than one tick; then the actions due are applied and the kernel dispatches;
//   - the interrupt lines that fired while the thread ran or the machine idled go to the kernel
//     (Kernel::on_interrupts) before it handles the trap or dispatches: the one path of interrupt delivery on
//     every backend.
//
// So every action lands at its exact time on a backend whose deadlines are exact (the simulator). run_machine
// turns it until now() reaches `end`; a caller that drives the machine itself (the benchmarks) calls begin() and
// step() directly. Borrows everything it is given, which outlives it.
template<MachineBackend Backend, MachineRunner Runner>
class MachineStepper {
public:
    enum class Turn : u8 {
        Ran,     // a thread ran to its trap, which the kernel took
        Idled,   // nothing could run: time passed
        Stopped, // the runner's after_resume() ended the run; the trap was not handled
    };

    MachineStepper(Backend& backend, Kernel& kernel, ActionSchedule& schedule, Runner& runner)
        : m_backend(backend), m_kernel(kernel), m_schedule(schedule), m_runner(runner) {}
    MachineStepper(MachineStepper const&) = delete;
    MachineStepper& operator=(MachineStepper const&) = delete;

    // Applies the actions due now and dispatches: before the first step, and again whenever the caller changed
    // the kernel outside the loop (spawned a grove).
    void begin() {
        apply_due();
        m_dispatch = m_kernel.dispatch();
    }

    // One turn of the loop, with `end` as the horizon (preemption and idling stop there); now() < end.
    Turn step(Ticks end) {
        Ticks const next = m_schedule.next_time();
        Ticks const limit = next < end ? next : end;
        if (m_dispatch.is_idle()) {
            Ticks target = m_dispatch.wake_at < limit ? m_dispatch.wake_at : limit;
            if (target <= m_backend.now()) target = m_backend.now() + Ticks(1); // never stand still
            m_backend.idle_until(target);
            m_kernel.on_interrupts(m_backend.take_interrupts());
            if (m_backend.now() >= end) return Turn::Idled;
            apply_due();
            m_dispatch = m_kernel.dispatch();
            return Turn::Idled;
        }
        if (limit < m_dispatch.wake_at) m_backend.set_preemption_deadline(limit);
        m_runner.before_resume(m_dispatch.thread);
        Trap const trap = m_backend.resume(m_dispatch.thread);
        if (!m_runner.after_resume(m_dispatch.thread, trap)) return Turn::Stopped;
        m_kernel.on_interrupts(m_backend.take_interrupts());
        m_dispatch = m_kernel.on_trap(m_dispatch.thread, trap);
        if (m_backend.now() >= m_schedule.next_time() && m_backend.now() < end) {
            apply_due();
            m_dispatch =
                m_dispatch.is_idle() ? m_kernel.dispatch() : m_kernel.on_trap(m_dispatch.thread, Trap::make_timer(0));
        }
        return Turn::Ran;
    }

private:
    void apply_due() {
        while (m_schedule.is_due(m_backend.now())) {
            ScheduledAction const& action = m_schedule.take();
            if (action.kind == ScheduledAction::Kind::Start) m_runner.start_grove(action.index);
            else m_runner.inject_fault(action.index);
        }
    }

    Backend& m_backend;
    Kernel& m_kernel;
    ActionSchedule& m_schedule;
    Runner& m_runner;
    Dispatch m_dispatch;
};

// Runs the loop until now() reaches `end`. Returns early only when the runner's after_resume() says so.
template<MachineBackend Backend, MachineRunner Runner>
void run_machine(Backend& backend, Kernel& kernel, ActionSchedule& schedule, Runner& runner, Ticks end) {
    MachineStepper<Backend, Runner> loop(backend, kernel, schedule, runner);
    loop.begin();
    while (backend.now() < end)
        if (loop.step(end) == MachineStepper<Backend, Runner>::Turn::Stopped) return;
}

} // namespace grove

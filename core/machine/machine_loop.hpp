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

// The backend's loop of DESIGN.md §1, the same on every backend, up to `end` in virtual time:
//
//   - the scripted actions due now are applied, then the kernel dispatches;
//   - a thread to run: when the next scripted action (or the end) comes before the thread's deadline, an earlier
//     preemption deadline is armed there; the thread runs until it traps and the kernel handles the trap. When
//     that reached the next action's time, the actions due are applied and the dispatched thread is handed back as
//     preempted (a Timer trap), so that the kernel dispatches again with its deadlines up to date (or, with
//     nothing dispatched, the kernel dispatches);
//   - nothing to run: time passes to the kernel's next deadline, the next scripted action or the end, whichever
//     comes first, and never less than one tick; then the actions due are applied and the kernel dispatches.
//
// So every action lands at its exact time on a backend whose deadlines are exact (the simulator), and the run ends
// once now() reaches `end`. Returns early only when the runner's after_resume() says so.
template<MachineBackend Backend, MachineRunner Runner>
void run_machine(Backend& backend, Kernel& kernel, ActionSchedule& schedule, Runner& runner, Ticks end) {
    auto apply_due = [&] {
        while (schedule.is_due(backend.now())) {
            ScheduledAction const& action = schedule.take();
            if (action.kind == ScheduledAction::Kind::Start) runner.start_grove(action.index);
            else runner.inject_fault(action.index);
        }
    };
    apply_due();
    Dispatch d = kernel.dispatch();
    while (backend.now() < end) {
        Ticks const next = schedule.next_time();
        Ticks const limit = next < end ? next : end;
        if (d.is_idle()) {
            Ticks target = d.wake_at < limit ? d.wake_at : limit;
            if (target <= backend.now()) target = backend.now() + Ticks(1); // never stand still
            backend.idle_until(target);
            if (backend.now() >= end) break;
            apply_due();
            d = kernel.dispatch();
            continue;
        }
        if (limit < d.wake_at) backend.set_preemption_deadline(limit);
        runner.before_resume(d.thread);
        Trap const trap = backend.resume(d.thread);
        if (!runner.after_resume(d.thread, trap)) return;
        d = kernel.on_trap(d.thread, trap);
        if (backend.now() >= schedule.next_time() && backend.now() < end) {
            apply_due();
            d = d.is_idle() ? kernel.dispatch() : kernel.on_trap(d.thread, Trap::make_timer(0));
        }
    }
}

} // namespace grove

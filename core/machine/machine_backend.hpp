#pragma once
#include <core/arch/trap.hpp>

namespace grove {

// The half of the backend contract that the machine loop needs, beside Arch (core/arch/arch.hpp): run a thread
// until it traps, let time pass with nothing to run, arm the scripted stop, read the clock. Every backend satisfies
// it (UnicornArch, MetalArch, and the FakeArch of the tests), checked by a static_assert beside each.
template<typename Backend>
concept MachineBackend = requires(Backend& backend, Backend const& view, ThreadId thread, Ticks time) {
    // Runs `thread` until it traps (a syscall, a fault, or the preemption deadline passing: Timer).
    { backend.resume(thread) } -> std::same_as<Trap>;
    // No thread can run: time passes until now() reaches `time` (at once when it has), or until an interrupt line
    // fires before.
    { backend.idle_until(time) } -> std::same_as<void>;
    // The thread resumed next traps with Timer once now() reaches `time`.
    { backend.set_preemption_deadline(time) } -> std::same_as<void>;
    { view.now() } -> std::same_as<Ticks>;
    // The interrupt lines that fired (and were masked by the machine) since the last call, bit n for line n; the
    // loop hands them to Kernel::on_interrupts. resume() returns (a Timer trap) and idle_until() returns early when
    // a line fires.
    { backend.take_interrupts() } -> std::same_as<u16>;
};

} // namespace grove

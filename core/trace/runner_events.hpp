#pragma once

namespace grove {

// The event kinds the runners write beside the kernel's (core/trace/event.hpp): the announcements of scripted
// actions (core/machine/fault_injector.cpp) and the `throttled` line both traces write after a limit_exceeded that
// makes the grove wait (sim/runner/trace_recorder.cpp, arch_x86_64/plan/serial_trace.cpp). The emitters name their
// kinds by these constants and the scenario parser accepts exactly RunnerEventKinds, so the two cannot disagree.
namespace runner_event {
inline constexpr char const Killed[] = "killed";
inline constexpr char const Hung[] = "hung";
inline constexpr char const Throttled[] = "throttled";
inline constexpr char const FaultInjected[] = "fault_injected";
inline constexpr char const MemorySpike[] = "memory_spike";
inline constexpr char const FloodStarted[] = "flood_started";
inline constexpr char const FloodStopped[] = "flood_stopped";
inline constexpr char const PowerCut[] = "power_cut";
inline constexpr char const SwarmChoice[] = "swarm_choice";   // a [[random_faults]] rule as this seed enabled it
inline constexpr char const FaultPlanned[] = "fault_planned"; // a fault of the realized schedule, at time 0
inline constexpr char const InvariantViolated[] = "invariant_violated"; // the check that ended the run
inline constexpr char const SchedulePerturbed[] = "schedule_perturbed"; // [explore]'s perturbation, at time 0
} // namespace runner_event

inline constexpr char const* RunnerEventKinds[] = {
    runner_event::Killed,
    runner_event::Hung,
    runner_event::Throttled,
    runner_event::FaultInjected,
    runner_event::MemorySpike,
    runner_event::FloodStarted,
    runner_event::FloodStopped,
    runner_event::PowerCut,
    runner_event::SwarmChoice,
    runner_event::FaultPlanned,
    runner_event::InvariantViolated,
    runner_event::SchedulePerturbed,
};

} // namespace grove

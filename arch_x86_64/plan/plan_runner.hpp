#pragma once
#include <arch_x86_64/metal_arch.hpp>
#include <arch_x86_64/plan/serial_trace.hpp>
#include <arch_x86_64/platform/boot_info.hpp>
#include <core/kernel/kernel.hpp>
#include <core/plan/boot_plan.hpp>

namespace grove::metal {

// Runs a boot plan on the hardware: the core Kernel over MetalArch, every event on COM1 as a JSON line
// (SerialTrace), the groves spawned at their start times, the scripted faults applied at theirs, and the final
// counters when the plan's duration has passed. Scripted faults are announced as the simulator announces them
// (killed, hung, memory_spike, fault_injected, flood_started, flood_stopped, each with the kernel's `result`).
//
// Owns the Kernel and the trace writer; borrows the arch, the plan and the boot modules (whose bytes hold the
// grove images for as long as the run lasts). Invariant: m_images[i] is the validated image of plan grove i.
class PlanRunner {
public:
    PlanRunner(MetalArch& arch, BootPlan const& plan, Span<BootModule const> modules);
    PlanRunner(PlanRunner const&) = delete;
    PlanRunner& operator=(PlanRunner const&) = delete;

    // Validates every grove's image module (present, not the plan, a valid ELF under the grove's memory limit) and
    // the grove's capabilities. False, after a line on the serial console naming the grove and the reason, when
    // one fails; then nothing has been spawned.
    bool prepare();
    // Runs the plan to its end and writes the final record. prepare() must have succeeded.
    void run();

private:
    // Applies every spawn and fault due at `now`, in plan order; true when anything was applied.
    bool apply_due(Ticks now);
    void spawn(usize grove, Ticks now);
    // Spawns plan grove `index`, with `arguments` instead of the plan's when given; a refusal is reported in the
    // trace (crashed, kind spawn_failed) and returned.
    Result<GroveId> spawn_with(usize index, StaticVector<GroveArgument, MaxArguments> const* arguments);
    // flood-start as the simulator does it: the flooder (not started at its start_at) is spawned with the
    // arguments `target forever 0 rate`, or restarted when it ran before; InvalidState while it is alive.
    Result<void> start_flood(PlanFault const& fault, GroveId id);
    void inject(PlanFault const& fault);
    // The earliest start time or fault time not applied yet; Ticks::max() when none is left.
    Ticks next_scripted() const;

    MetalArch& m_arch;
    BootPlan const& m_plan;
    Span<BootModule const> m_modules;
    Kernel m_kernel;
    SerialTrace m_trace;
    ImagePlan m_images[MaxPlanGroves];
    bool m_spawned[MaxPlanGroves]{};
    bool m_flooded[MaxPlanGroves]{}; // started by a flood-start fault only, not at its start_at
    bool m_applied[MaxPlanFaults]{};
};

} // namespace grove::metal

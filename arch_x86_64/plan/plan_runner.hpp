#pragma once
#include <arch_x86_64/metal_arch.hpp>
#include <arch_x86_64/plan/serial_trace.hpp>
#include <arch_x86_64/platform/boot_info.hpp>
#include <core/kernel/kernel.hpp>
#include <core/machine/action_schedule.hpp>
#include <core/machine/fault_injector.hpp>
#include <core/plan/boot_plan.hpp>

namespace grove::metal {

// Runs a boot plan on the hardware: the core Kernel over MetalArch in the machine loop the simulator runs too
// (core/machine/machine_loop.hpp), every event on COM1 as a compact record (SerialTrace), the groves spawned at their
// start times, the scripted faults applied at theirs by the core's FaultInjector (announced as in the simulator),
// and the final counters when the plan's duration has passed.
//
// Owns the Kernel and the trace writer; borrows the arch, the plan and the boot modules (whose bytes hold the
// grove images for as long as the run lasts). Invariant: m_images[i] is the validated image of plan grove i.
class PlanRunner final : private FloodSpawner {
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

    // --- the machine loop's runner (MachineRunner) ---------------------------------------------------------------
    void start_grove(usize index) { (void)spawn_with(index, nullptr); }
    void inject_fault(usize index);
    void before_resume(ThreadId) {}
    bool after_resume(ThreadId, Trap const&) { return true; }

private:
    // Spawns plan grove `index`, with `arguments` instead of the plan's when given; a refusal is reported in the
    // trace (crashed, kind spawn_failed) and returned.
    Result<GroveId> spawn_with(usize index, Arguments const* arguments);
    Result<GroveId> spawn_flooder(usize index, Arguments const& arguments) override {
        return spawn_with(index, &arguments);
    }

    MetalArch& m_arch;
    BootPlan const& m_plan;
    Span<BootModule const> m_modules;
    Kernel m_kernel;
    SerialTrace m_trace;
    FaultInjector m_injector;
    ImagePlan m_images[MaxPlanGroves];
    bool m_flooded[MaxPlanGroves]{}; // started by a flood-start fault only, not at its start_at
    ScheduledAction m_actions[MaxPlanGroves + MaxPlanFaults]; // the storage of m_schedule
    ActionSchedule m_schedule;
};

} // namespace grove::metal

#include <arch_x86_64/plan/plan_runner.hpp>
#include <arch_x86_64/platform/serial.hpp>
#include <core/elf/elf_image.hpp>
#include <core/machine/machine_loop.hpp>

namespace grove::metal {

namespace {

void report(PlanGrove const& grove, char const* what, char const* detail) {
    Serial::write("grove: plan grove '");
    Serial::write(grove.name.c_str());
    Serial::write("': ");
    Serial::write(what);
    Serial::write(" ");
    Serial::write(detail);
    Serial::write("\n");
}

} // namespace

PlanRunner::PlanRunner(MetalArch& arch, BootPlan const& plan, Span<BootModule const> modules)
    : m_arch(arch), m_plan(plan), m_modules(modules), m_kernel(arch), m_trace(m_kernel, arch),
      m_injector(m_kernel, m_trace, *this, nullptr, plan.seed),
      m_schedule(Span<ScheduledAction>{m_actions, MaxPlanGroves + MaxPlanFaults}) {}

bool PlanRunner::prepare() {
    for (PlanFault const& fault : m_plan.faults)
        if (fault.action == FaultAction::FloodStart) m_flooded[fault.grove] = true;
    for (usize i = 0; i < m_plan.groves.size(); ++i) {
        PlanGrove const& grove = m_plan.groves[i];
        if (grove.image_module >= m_modules.size) {
            report(grove, "image module index out of range", "");
            return false;
        }
        BootModule const& module = m_modules[grove.image_module];
        Span<u8 const> bytes{reinterpret_cast<u8 const*>(module.start), module.end - module.start};
        ElfResult<ImagePlan> image = validate_elf_image(bytes, grove.limits.memory);
        if (!image) {
            report(grove, "image rejected:", elf_check_name(image.error()));
            return false;
        }
        m_images[i] = image.value();
        if (plan_capabilities(grove).is_error()) {
            report(grove, "capabilities rejected", "");
            return false;
        }
    }
    return true;
}

Result<GroveId> PlanRunner::spawn_with(usize index, Arguments const* arguments) {
    Result<GroveSpec> spec = plan_grove_spec(m_plan.groves[index], m_images[index]);
    GROVE_ASSERT(spec.has_value()); // prepare() checked the capabilities
    if (arguments != nullptr) spec.value().arguments = *arguments;
    Result<GroveId> spawned = m_kernel.spawn(spec.value());
    // As the simulator does: the grove never ran, and says so in the trace.
    if (spawned.is_error()) m_trace.spawn_failed(m_arch.now(), m_plan.groves[index].name, spawned.error());
    return spawned;
}

void PlanRunner::inject_fault(usize index) {
    PlanFault const& fault = m_plan.faults[index];
    ScriptedFault scripted;
    scripted.action = fault.action;
    scripted.grove = m_plan.groves[fault.grove].name;
    scripted.grove_index = fault.grove;
    if (fault.target != PlanFault::NoTarget) scripted.target = m_plan.groves[fault.target].name;
    scripted.rate = fault.rate;
    scripted.bytes = fault.bytes;
    m_injector.apply(scripted, m_arch.now());
}

void PlanRunner::run() {
    for (usize i = 0; i < m_plan.groves.size(); ++i)
        if (!m_flooded[i]) (void)m_schedule.add({m_plan.groves[i].start_at, ScheduledAction::Kind::Start, i});
    for (usize i = 0; i < m_plan.faults.size(); ++i)
        (void)m_schedule.add({m_plan.faults[i].at, ScheduledAction::Kind::Fault, i});
    m_kernel.set_sink(&m_trace);
    run_machine(m_arch, m_kernel, m_schedule, *this, m_plan.duration);
    m_kernel.set_sink(nullptr);
    m_trace.final_counters(m_arch.now(), m_injector.held_pages(m_kernel.manager()));
}

} // namespace grove::metal

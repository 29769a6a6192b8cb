#include <arch_x86_64/plan/plan_runner.hpp>
#include <arch_x86_64/platform/serial.hpp>
#include <core/elf/elf_image.hpp>
#include <core/plan/plan_format.hpp>

namespace grove::metal {

namespace {

constexpr Ticks earliest(Ticks a, Ticks b) { return a < b ? a : b; }

char const* error_text(Error e) {
    switch (e) {
    case Error::InvalidArgument: return "invalid_argument";
    case Error::NotFound: return "not_found";
    case Error::AlreadyExists: return "already_exists";
    case Error::NoCapacity: return "no_capacity";
    case Error::LimitExceeded: return "limit_exceeded";
    case Error::AccessDenied: return "access_denied";
    case Error::InvalidState: return "invalid_state";
    case Error::OutOfMemory: return "out_of_memory";
    default: return "error";
    }
}

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
    : m_arch(arch), m_plan(plan), m_modules(modules), m_kernel(arch), m_trace(m_kernel, arch) {}

bool PlanRunner::prepare() {
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

void PlanRunner::spawn(usize index, Ticks) {
    m_spawned[index] = true;
    Result<GroveSpec> spec = plan_grove_spec(m_plan.groves[index], m_images[index]);
    GROVE_ASSERT(spec.has_value()); // prepare() checked the capabilities
    Result<GroveId> spawned = m_kernel.spawn(spec.value());
    if (spawned.is_error()) report(m_plan.groves[index], "spawn failed:", error_text(spawned.error()));
}

void PlanRunner::inject(PlanFault const& fault) {
    GroveName const& name = m_plan.groves[fault.grove].name;
    Grove const* grove = m_kernel.manager().find_by_name(name.c_str(), name.length());
    GroveId const id = grove == nullptr ? GroveId{} : grove->id;
    // Announced first, so that the events the fault causes follow it; a fault the kernel refuses (a grove not
    // running, a flood) shows as the announcement alone.
    m_trace.fault_injected(m_arch.now(), id, name, plan_fault_action_name(fault.action));
    if (grove == nullptr) return;
    switch (fault.action) {
    case PlanFaultAction::Crash: (void)m_kernel.crash(id, Crash::fault(0, 0)); break;
    case PlanFaultAction::Kill: (void)m_kernel.kill(id); break;
    case PlanFaultAction::Hang: (void)m_kernel.hang(id); break;
    case PlanFaultAction::MemorySpike: (void)m_kernel.charge_memory(id, fault.bytes); break;
    case PlanFaultAction::Stop: (void)m_kernel.stop(id); break;
    case PlanFaultAction::Restart: (void)m_kernel.restart(id); break;
    case PlanFaultAction::FloodStart:
    case PlanFaultAction::FloodStop: break; // no kernel-side flood on metal; run a flooder grove instead
    }
}

bool PlanRunner::apply_due(Ticks now) {
    bool applied = false;
    for (usize i = 0; i < m_plan.groves.size(); ++i) {
        if (m_spawned[i] || m_plan.groves[i].start_at > now) continue;
        spawn(i, now);
        applied = true;
    }
    for (usize i = 0; i < m_plan.faults.size(); ++i) {
        if (m_applied[i] || m_plan.faults[i].at > now) continue;
        m_applied[i] = true;
        inject(m_plan.faults[i]);
        applied = true;
    }
    return applied;
}

Ticks PlanRunner::next_scripted() const {
    Ticks next = Ticks::max();
    for (usize i = 0; i < m_plan.groves.size(); ++i)
        if (!m_spawned[i]) next = earliest(next, m_plan.groves[i].start_at);
    for (usize i = 0; i < m_plan.faults.size(); ++i)
        if (!m_applied[i]) next = earliest(next, m_plan.faults[i].at);
    return next;
}

void PlanRunner::run() {
    m_kernel.set_sink(&m_trace);
    Ticks const end = m_plan.duration;
    Dispatch d = m_kernel.dispatch();
    for (;;) {
        Ticks const now = m_arch.now();
        if (now >= end) break;
        if (apply_due(now)) d = m_kernel.dispatch();
        Ticks const wake = earliest(next_scripted(), end);
        if (d.is_idle()) {
            m_arch.idle_until(earliest(d.wake_at, wake));
            d = m_kernel.dispatch();
            continue;
        }
        if (wake < d.wake_at) m_arch.set_preemption_deadline(wake);
        d = m_kernel.on_trap(d.thread, m_arch.resume(d.thread));
    }
    m_kernel.set_sink(nullptr);
    m_trace.final_counters(m_arch.now());
}

} // namespace grove::metal

#include <arch_x86_64/plan/plan_runner.hpp>
#include <arch_x86_64/platform/decimal.hpp>
#include <arch_x86_64/platform/serial.hpp>
#include <core/elf/elf_image.hpp>
#include <core/plan/plan_format.hpp>

namespace grove::metal {

namespace {

constexpr Ticks earliest(Ticks a, Ticks b) { return a < b ? a : b; }

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
    for (PlanFault const& fault : m_plan.faults)
        if (fault.action == PlanFaultAction::FloodStart) m_flooded[fault.grove] = true;
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

Result<GroveId> PlanRunner::spawn_with(usize index, StaticVector<GroveArgument, MaxArguments> const* arguments) {
    m_spawned[index] = true;
    Result<GroveSpec> spec = plan_grove_spec(m_plan.groves[index], m_images[index]);
    GROVE_ASSERT(spec.has_value()); // prepare() checked the capabilities
    if (arguments != nullptr) spec.value().arguments = *arguments;
    Result<GroveId> spawned = m_kernel.spawn(spec.value());
    // As the simulator does: the grove never ran, and says so in the trace.
    if (spawned.is_error()) m_trace.spawn_failed(m_arch.now(), m_plan.groves[index].name, spawned.error());
    return spawned;
}

void PlanRunner::spawn(usize index, Ticks) { (void)spawn_with(index, nullptr); }

Result<void> PlanRunner::start_flood(PlanFault const& fault, GroveId id) {
    Grove const* grove = m_kernel.manager().find(id);
    if (grove != nullptr && grove->is_alive()) return Error::InvalidState; // already flooding
    if (grove != nullptr) {
        Result<GroveId> const restarted = m_kernel.restart(id);
        if (restarted.is_error()) return restarted.error();
        return {};
    }
    // The flooder's arguments: target forever 0 rate (groves/README.md).
    StaticVector<GroveArgument, MaxArguments> arguments;
    GroveName const& target = m_plan.groves[fault.target].name;
    Decimal const rate(fault.rate);
    (void)arguments.push_back(GroveArgument::from(target.c_str(), target.length()).value());
    (void)arguments.push_back(GroveArgument::from("forever", 7).value());
    (void)arguments.push_back(GroveArgument::from("0", 1).value());
    (void)arguments.push_back(GroveArgument::from(rate.digits, rate.length).value());
    if (spawn_with(fault.grove, &arguments).is_error()) return Error::InvalidArgument;
    return {};
}

void PlanRunner::inject(PlanFault const& fault) {
    GroveName const& name = m_plan.groves[fault.grove].name;
    Grove const* grove = m_kernel.manager().find_by_name(name.c_str(), name.length());
    GroveId const id = grove == nullptr ? GroveId{} : grove->id;
    // The simulator's announcement of each action (sim/runner/scenario_runner.cpp); the kernel's events for it
    // follow it, and its result is the kernel's answer (a grove not loaded: the kernel's NotFound).
    Announcement a{m_arch.now(), id, name, "fault_injected", {}};
    Result<void> result;
    switch (fault.action) {
    case PlanFaultAction::Crash:
        a.fields[0] = {"action", "crash", 0};
        m_trace.announce(a);
        result = m_kernel.crash(id, Crash::fault(0, 0));
        break;
    case PlanFaultAction::Kill:
        a.kind = "killed";
        m_trace.announce(a);
        result = m_kernel.kill(id);
        break;
    case PlanFaultAction::Hang:
        a.kind = "hung";
        m_trace.announce(a);
        result = m_kernel.hang(id);
        break;
    case PlanFaultAction::MemorySpike:
        a.kind = "memory_spike";
        a.fields[0] = {"bytes", nullptr, fault.bytes.value};
        m_trace.announce(a);
        result = m_kernel.charge_memory(id, fault.bytes);
        break;
    case PlanFaultAction::Stop:
        a.fields[0] = {"action", "stop", 0};
        m_trace.announce(a);
        result = m_kernel.stop(id);
        break;
    case PlanFaultAction::Restart: {
        a.fields[0] = {"action", "restart", 0};
        m_trace.announce(a);
        Result<GroveId> const restarted = m_kernel.restart(id);
        if (restarted.is_error()) result = restarted.error();
        break;
    }
    case PlanFaultAction::FloodStart:
        a.kind = "flood_started";
        a.fields[0] = {"target", m_plan.groves[fault.target].name.c_str(), 0};
        a.fields[1] = {"rate", nullptr, fault.rate};
        m_trace.announce(a);
        result = start_flood(fault, id);
        break;
    case PlanFaultAction::FloodStop:
        a.kind = "flood_stopped";
        m_trace.announce(a);
        result = m_kernel.stop(id);
        break;
    }
    m_trace.settle(result);
}

bool PlanRunner::apply_due(Ticks now) {
    bool applied = false;
    for (usize i = 0; i < m_plan.groves.size(); ++i) {
        if (m_spawned[i] || m_flooded[i] || m_plan.groves[i].start_at > now) continue;
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
        if (!m_spawned[i] && !m_flooded[i]) next = earliest(next, m_plan.groves[i].start_at);
    for (usize i = 0; i < m_plan.faults.size(); ++i)
        if (!m_applied[i]) next = earliest(next, m_plan.faults[i].at);
    return next;
}

void PlanRunner::run() {
    m_kernel.set_sink(&m_trace);
    Ticks const end = m_plan.duration;
    Dispatch d = m_kernel.dispatch();
    // Only apply_due changes what is scripted next; between two scripted times a trap costs one comparison here.
    Ticks scripted = next_scripted();
    for (;;) {
        Ticks const now = m_arch.now();
        if (now >= end) break;
        if (now >= scripted) {
            if (apply_due(now)) d = m_kernel.dispatch();
            scripted = next_scripted();
        }
        Ticks const wake = earliest(scripted, end);
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

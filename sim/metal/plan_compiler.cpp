#include <core/plan/plan_reader.hpp>
#include <core/plan/plan_writer.hpp>
#include <sim/metal/plan_compiler.hpp>
#include <sim/scenario/core_mapping.hpp>
#include <sim/scenario/disk_loader.hpp>
#include <sim/scenario/fault_realization.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace grove::metal_host {

namespace {

namespace sc = grove::scenario;

// Stops compilation with a message; caught in compile_plan.
struct CompileError {
    std::string message;
};

template<usize N>
FixedString<N> fixed(std::string const& text, std::string const& what) {
    Result<FixedString<N>> s = FixedString<N>::from(text.data(), text.size());
    if (!s) throw CompileError{fmt::format("{} '{}' is longer than {} bytes or holds a NUL byte", what, text, N)};
    return s.value();
}

template<typename T, usize N>
void append(StaticVector<T, N>& list, T const& value, std::string const& what) {
    if (!list.push_back(value)) throw CompileError{fmt::format("{}: more than {} on metal", what, N)};
}

u16 flags_of(sc::Capabilities const& c) {
    u16 flags = 0;
    auto set = [&](bool on, CapabilityKind kind) {
        if (on) flags = static_cast<u16>(flags | (1u << static_cast<u8>(kind)));
    };
    set(c.thread_create, CapabilityKind::ThreadCreate);
    set(c.memory_manage, CapabilityKind::MemoryManage);
    set(c.filesystem, CapabilityKind::Filesystem);
    set(c.graphics, CapabilityKind::Graphics);
    set(c.network, CapabilityKind::Network);
    return flags;
}

PlanGrove grove_of(sc::GroveSpec const& g, std::vector<std::string> const& images) {
    std::string const what = fmt::format("grove '{}'", g.name);
    PlanGrove p;
    p.name = fixed<MaxGroveNameLength>(g.name, "the grove name");
    auto const image = std::find(images.begin(), images.end(), g.image);
    p.image_module = static_cast<u16>(1 + (image - images.begin()));
    for (std::string const& a : g.args) append(p.arguments, fixed<MaxArgumentLength>(a, "the argument"), what);
    for (sc::PortRange const& r : g.capabilities.io_ports) append(p.io_ports, IoPortRange{r.first, r.last}, what);
    for (sc::PhysicalRange const& r : g.capabilities.physical)
        append(p.physical, PhysicalRange{PhysAddr{r.base}, r.length}, what);
    for (std::string const& peer : g.capabilities.ipc_send)
        append(p.send_to, fixed<MaxGroveNameLength>(peer, "the peer"), what);
    for (std::string const& peer : g.capabilities.ipc_receive)
        append(p.receive_from, fixed<MaxGroveNameLength>(peer, "the peer"), what);
    for (std::string const& peer : g.capabilities.crash_watch)
        append(p.watch, fixed<MaxGroveNameLength>(peer, "the peer"), what);
    for (std::string const& peer : g.capabilities.service_manage)
        append(p.manage, fixed<MaxGroveNameLength>(peer, "the peer"), what);
    p.flags = flags_of(g.capabilities);
    for (u8 const line : g.capabilities.irq) {
        if (line >= abi::IrqLines)
            throw CompileError{
                fmt::format("{}: interrupt line {} does not exist (0 to {})", what, line, abi::IrqLines - 1)};
        p.irq_lines = static_cast<u16>(p.irq_lines | (1u << line));
    }
    p.limits = sc::core_limits(g.limits);
    p.respawn = sc::core_respawn(g.respawn);
    p.budget = sc::core_budget(g.respawn);
    p.priority = static_cast<u8>(g.priority);
    p.start_at = g.start_at;
    p.stop_timeout = g.stop_timeout;
    p.watchdog_timeout = g.watchdog;
    p.provides = sc::core_provides(g).bits();
    return p;
}

u8 grove_index(sc::Scenario const& s, std::string const& name) {
    for (usize i = 0; i < s.groves.size(); ++i)
        if (s.groves[i].name == name) return static_cast<u8>(i);
    throw CompileError{fmt::format("grove '{}' is not declared", name)};
}

} // namespace

std::vector<std::string> plan_module_images(scenario::Scenario const& scripted) {
    sc::Scenario s = scripted;
    (void)sc::put_disk_loaders(s); // a scenario it refuses has no plan (compile_plan says why)
    std::vector<std::string> images;
    for (sc::GroveSpec const& g : s.groves)
        if (std::find(images.begin(), images.end(), g.image) == images.end()) images.push_back(g.image);
    return images;
}

scenario::Parsed<std::vector<u8>> compile_plan(scenario::Scenario const& scripted, std::string const& name) {
    // The faults the seed draws are realized here, so the kernel runs them as ordinary faults of its plan.
    sc::RealizedScenario const realized = sc::realize_faults(scripted, scripted.seed);
    if (!realized.error.empty()) return scenario::Diagnostic{name, 0, 0, realized.error};
    sc::Scenario const& s = realized.scenario;
    auto plan = std::make_unique<BootPlan>();
    try {
        plan->duration = s.duration;
        plan->seed = s.seed;
        std::vector<std::string> const images = plan_module_images(s);
        for (sc::GroveSpec const& g : s.groves) append(plan->groves, grove_of(g, images), "groves");
        for (sc::Fault const& f : s.faults) {
            (void)grove_index(s, f.grove);
            if (f.action == FaultAction::FloodStart) (void)grove_index(s, f.target);
            append(plan->faults, sc::plan_fault(s, f), "faults");
        }
    } catch (CompileError const& e) {
        return scenario::Diagnostic{name, 0, 0, e.message + "; the boot plan cannot hold this scenario"};
    }
    std::vector<u8> bytes(boot_plan_size(*plan));
    if (write_boot_plan(*plan, {bytes.data(), bytes.size()}).is_error())
        return scenario::Diagnostic{name, 0, 0, "the boot plan is larger than 4 GiB"};
    auto check = std::make_unique<BootPlan>();
    PlanCheck const verdict = read_boot_plan({bytes.data(), bytes.size()}, *check);
    if (verdict != PlanCheck::Ok)
        return scenario::Diagnostic{name, 0, 0,
                                    fmt::format("the compiled boot plan is refused ({}); the scenario does not fit "
                                                "what the kernel accepts",
                                                plan_check_name(verdict))};
    return bytes;
}

} // namespace grove::metal_host

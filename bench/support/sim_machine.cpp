#include <bench/support/sim_machine.hpp>

#include <sim/backend/virtual_clock.hpp>
#include <sim/runner/spec_mapping.hpp>

#include <stdexcept>

namespace grove::bench {

SimMachine::SimMachine(std::vector<std::filesystem::path> image_directories)
    : m_images(runner::image_search(std::move(image_directories))),
      m_arch(std::make_unique<sim::UnicornArch>(sim::UnicornArch::DefaultFrames, Precision)),
      m_kernel(std::make_unique<Kernel>(*m_arch)) {}

GroveId SimMachine::try_spawn(std::string const& name, std::string const& image,
                              std::vector<std::string> const& arguments, u32 priority,
                              std::vector<std::string> const& ipc_send, std::vector<std::string> const& ipc_receive) {
    runner::GroveImage const* loaded = m_images.get(image);
    if (loaded == nullptr) return GroveId{};
    scenario::GroveSpec grove;
    grove.name = name;
    grove.image = image;
    grove.args = arguments;
    grove.priority = priority;
    grove.capabilities.ipc_send = ipc_send;
    grove.capabilities.ipc_receive = ipc_receive;
    // Nothing throttles a benchmark grove: the whole CPU, and an IPC rate far above what it can send.
    grove.limits.cpu_percent = 100;
    grove.limits.ipc_rate = 1'000'000'000;
    grove.limits.ipc_burst = 1'000'000;
    runner::SpecMapping const mapped = runner::map_grove_spec(grove, loaded->plan, arguments);
    if (!mapped.ok()) return GroveId{};
    Result<GroveId> const spawned = m_kernel->spawn(mapped.spec);
    if (spawned.is_error()) return GroveId{};
    m_loop.begin();
    return spawned.value();
}

GroveId SimMachine::spawn(std::string const& name, std::string const& image, std::vector<std::string> const& arguments,
                          u32 priority, std::vector<std::string> const& ipc_send,
                          std::vector<std::string> const& ipc_receive) {
    GroveId const id = try_spawn(name, image, arguments, priority, ipc_send, ipc_receive);
    if (id.is_null())
        throw std::runtime_error("cannot spawn grove '" + name + "' from image '" + image + "' (" + m_images.error() +
                                 ")");
    return id;
}

bool SimMachine::Runner::after_resume(ThreadId, Trap const&) {
    if (machine.m_arch->has_inexact_fault())
        throw std::runtime_error("a benchmark grove faulted on a data access, which the fast precision cannot "
                                 "report exactly; benchmark groves must not fault");
    ++machine.m_traps;
    return true;
}

void SimMachine::step(Ticks end) {
    Ticks const before = now();
    if (m_loop.step(end) == Loop::Turn::Idled) m_idle_ticks += now().value - before.value;
}

void SimMachine::run_until(Ticks t) {
    while (now() < t) step(t);
}

void SimMachine::run_until_exit(GroveId grove) {
    Ticks const end = Ticks(now().value + seconds(3600).value);
    for (;;) {
        Grove const* g = m_kernel->manager().find(grove);
        if (g == nullptr || !g->is_alive() || now() >= end) return;
        step();
    }
}

IpcCounters const& SimMachine::ipc_counters(GroveId grove) const {
    Grove const* g = m_kernel->manager().find(grove);
    return m_kernel->ipc().grove_counters(g == nullptr ? u8{0} : g->slot);
}

u64 SimMachine::guest_instructions() const {
    return now().value - m_idle_ticks - m_traps * sim::VirtualClock::TrapCost.value;
}

} // namespace grove::bench

#include <core/machine/fault_injector.hpp>

#include <core/base/decimal.hpp>
#include <core/explore/seed_streams.hpp>
#include <core/trace/runner_events.hpp>

namespace grove {

namespace {

Result<void> without_value(Result<GroveId> const& result) {
    if (result.is_error()) return result.error();
    return {};
}

GroveArgument argument(char const* text, usize length) { return GroveArgument::from(text, length).value(); }

} // namespace

FaultInjector::FaultInjector(Kernel& kernel, AnnouncementSink& sink, FloodSpawner& spawner, DiskPower* disks, u64 seed)
    : m_kernel(kernel), m_sink(sink), m_spawner(spawner), m_disks(disks),
      m_power_cuts(stream_prng(seed, SeedStream::PowerCuts)) {}

void FaultInjector::apply(ScriptedFault const& fault, Ticks now) {
    Grove const* grove = m_kernel.manager().registry().find_by_name(fault.grove.c_str(), fault.grove.length());
    GroveId const id = grove == nullptr ? GroveId{} : grove->id;
    Announcement a{now, id, fault.grove, runner_event::FaultInjected, {}};
    Result<void> result;
    switch (fault.action) {
    case FaultAction::Crash:
        a.fields[0] = {"action", "crash", 0};
        m_sink.announce(a);
        result = m_kernel.crash(id, Crash::fault(0, 0));
        break;
    case FaultAction::Kill:
        a.kind = runner_event::Killed;
        m_sink.announce(a);
        result = m_kernel.kill(id);
        break;
    case FaultAction::Hang:
        a.kind = runner_event::Hung;
        m_sink.announce(a);
        result = m_kernel.hang(id);
        break;
    case FaultAction::MemorySpike:
        a.kind = runner_event::MemorySpike;
        a.fields[0] = {"bytes", nullptr, fault.bytes.value};
        m_sink.announce(a);
        result = m_kernel.charge_memory(id, fault.bytes);
        if (result.has_value()) note_spike(*grove, fault.bytes);
        break;
    case FaultAction::Stop:
        a.fields[0] = {"action", "stop", 0};
        m_sink.announce(a);
        result = m_kernel.stop(id);
        break;
    case FaultAction::Restart:
        a.fields[0] = {"action", "restart", 0};
        m_sink.announce(a);
        result = without_value(m_kernel.restart(id));
        break;
    case FaultAction::FloodStart:
        a.kind = runner_event::FloodStarted;
        a.fields[0] = {"target", fault.target.c_str(), 0};
        a.fields[1] = {"rate", nullptr, fault.rate};
        m_sink.announce(a);
        result = start_flood(fault, grove);
        break;
    case FaultAction::FloodStop:
        a.kind = runner_event::FloodStopped;
        m_sink.announce(a);
        result = m_kernel.stop(id);
        break;
    case FaultAction::PowerCut: {
        PowerCut const cut{static_cast<u32>(m_power_cuts.below(PowerCut::SectorBytes + 1))};
        a.kind = runner_event::PowerCut;
        a.fields[0] = {"tear", nullptr, cut.tear};
        m_sink.announce(a);
        // A cut nobody reboots after would leave the storage stack running over drives that lost their caches.
        if (grove == nullptr) {
            result = Error::NotFound;
            break;
        }
        if (m_disks != nullptr) m_disks->cut_power(cut, now);
        result = reboot_storage(*grove);
        break;
    }
    }
    m_sink.settle(result);
}

Result<void> FaultInjector::start_flood(ScriptedFault const& fault, Grove const* grove) {
    if (grove != nullptr && grove->is_alive()) return Error::InvalidState; // already flooding
    if (grove != nullptr) return without_value(m_kernel.restart(grove->id));
    // The flooder's arguments: target forever 0 rate (groves/README.md).
    Decimal const rate(fault.rate);
    FloodSpawner::Arguments arguments;
    (void)arguments.push_back(argument(fault.target.c_str(), fault.target.length()));
    (void)arguments.push_back(argument("forever", 7));
    (void)arguments.push_back(argument("0", 1));
    (void)arguments.push_back(argument(rate.digits, rate.length));
    if (m_spawner.spawn_flooder(fault.grove_index, arguments).is_error()) return Error::InvalidArgument;
    return {};
}

Result<void> FaultInjector::reboot_storage(Grove const& grove) {
    StaticVector<GroveId, MaxGroves> below; // the live groves `grove` may send to, by registry slot
    m_kernel.manager().registry().for_each([&](Grove const& g) {
        if (g.slot != grove.slot && g.is_alive() && grove.spec.capabilities.allows_send_to(g.name()))
            (void)below.push_back(g.id);
    });
    bool const top = grove.is_alive();
    GroveId const top_id = grove.id;
    Result<void> result;
    auto keep_first_error = [&](Result<void> const& step) {
        if (step.is_error() && result.has_value()) result = step.error();
    };
    if (top) keep_first_error(m_kernel.kill(top_id));
    for (GroveId const id : below) keep_first_error(m_kernel.kill(id));
    for (GroveId const id : below) keep_first_error(without_value(m_kernel.restart(id)));
    if (top) keep_first_error(without_value(m_kernel.restart(top_id)));
    return result;
}

void FaultInjector::note_spike(Grove const& grove, Bytes bytes) {
    Spike& spike = m_spikes[grove.slot];
    if (spike.grove != grove.id) spike = Spike{grove.id, Bytes(0)};
    spike.bytes += bytes;
}

PageCount FaultInjector::held_pages(GroveManager const& manager) const {
    PageCount held{};
    manager.registry().for_each([&](Grove const& g) {
        if (!g.is_alive()) return;
        Bytes const charged = g.usage.memory.used();
        Bytes const spiked = spiked_memory(g);
        held += pages_for(charged > spiked ? charged - spiked : Bytes{});
    });
    return held;
}

Bytes FaultInjector::spiked_memory(Grove const& grove) const {
    Spike const& spike = m_spikes[grove.slot];
    return spike.grove == grove.id ? spike.bytes : Bytes(0);
}

} // namespace grove

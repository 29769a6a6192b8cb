#include <core/machine/fault_injector.hpp>

#include <core/base/decimal.hpp>
#include <core/trace/runner_events.hpp>

namespace grove {

namespace {

Result<void> without_value(Result<GroveId> const& result) {
    if (result.is_error()) return result.error();
    return {};
}

GroveArgument argument(char const* text, usize length) { return GroveArgument::from(text, length).value(); }

} // namespace

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

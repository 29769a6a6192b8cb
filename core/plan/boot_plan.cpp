#include <core/plan/boot_plan.hpp>

namespace grove {

namespace {

enum class PeerKind : u8 { Send, Receive, Watch, Manage };

Result<void> grant_peers(Capabilities& caps, StaticVector<GroveName, MaxIpcPeers> const& peers, PeerKind kind) {
    for (GroveName const& peer : peers) {
        bool const any = peer.equals("*", 1);
        switch (kind) {
        case PeerKind::Send: TRY(any ? caps.grant_send_to_any() : caps.grant_send_to(peer)); break;
        case PeerKind::Receive: TRY(any ? caps.grant_receive_from_any() : caps.grant_receive_from(peer)); break;
        case PeerKind::Watch: TRY(any ? caps.grant_watch_any() : caps.grant_watch(peer)); break;
        case PeerKind::Manage: TRY(any ? caps.grant_manage_any() : caps.grant_manage(peer)); break;
        }
    }
    return {};
}

} // namespace

Result<Capabilities> plan_capabilities(PlanGrove const& grove) {
    Capabilities caps;
    for (IoPortRange const& range : grove.io_ports) TRY(caps.grant_io_ports(range));
    for (PhysicalRange const& range : grove.physical) TRY(caps.grant_physical(range));
    TRY(grant_peers(caps, grove.send_to, PeerKind::Send));
    TRY(grant_peers(caps, grove.receive_from, PeerKind::Receive));
    TRY(grant_peers(caps, grove.watch, PeerKind::Watch));
    for (u8 line = 0; line < abi::IrqLines; ++line)
        if ((grove.irq_lines & (1u << line)) != 0) TRY(caps.grant_irq(line));
    TRY(grant_peers(caps, grove.manage, PeerKind::Manage));
    for (u8 kind = 0; kind < CapabilityKindCount; ++kind)
        if ((grove.flags & (1u << kind)) != 0) TRY(caps.grant(static_cast<CapabilityKind>(kind)));
    return caps;
}

Result<GroveSpec> plan_grove_spec(PlanGrove const& grove, ImagePlan const& image) {
    GroveSpec spec;
    spec.name = grove.name;
    spec.capabilities = TRY(plan_capabilities(grove));
    spec.limits = grove.limits;
    spec.respawn = grove.respawn;
    spec.restart_budget = grove.budget;
    spec.priority = grove.priority;
    spec.image = image;
    for (GroveArgument const& argument : grove.arguments) (void)spec.arguments.push_back(argument);
    spec.stop_timeout = grove.stop_timeout;
    spec.watchdog_timeout = grove.watchdog_timeout;
    spec.provides = TRY(ProvidedServices::from_bits(grove.provides));
    return spec;
}

} // namespace grove

#include <core/grove/spawn_spec.hpp>

namespace grove {

namespace {

// What a request may carry fits a fresh Capabilities, so granting what was checked cannot fail.
static_assert(abi::MaxServicePeers <= MaxIpcPeers && abi::MaxServicePortRanges <= MaxIoPortRanges &&
              abi::MaxServicePhysicalRanges <= MaxPhysicalRanges);

// The text's bytes when its length is 1..31, without a zero byte, and the rest of it zeros.
bool is_valid_text(abi::ServiceText const& t) {
    if (t.length == 0 || t.length > sizeof t.text) return false;
    for (usize i = 0; i < sizeof t.text; ++i)
        if ((t.text[i] == '\0') != (i >= t.length)) return false;
    return true;
}

Result<void, SpawnRefusal> read_peers(abi::ServiceText const* texts, u8 count,
                                      StaticVector<IpcPeer, abi::MaxServicePeers>& out) {
    if (count > abi::MaxServicePeers) return SpawnRefusal{};
    for (u8 i = 0; i < count; ++i) {
        abi::ServiceText const& t = texts[i];
        if (!is_valid_text(t)) return SpawnRefusal{};
        bool const any = t.length == 1 && t.text[0] == '*';
        if (!any && !is_valid_grove_name(t.text, t.length)) return SpawnRefusal{};
        (void)out.push_back(IpcPeer{any, any ? GroveName{} : GroveName::from(t.text, t.length).value()});
    }
    return {};
}

// The peers the spawner may pass on, as `kind`, granted to `caps`; the first it may not is the refusal.
Result<void, SpawnRefusal> delegate_peers(StaticVector<IpcPeer, abi::MaxServicePeers> const& peers, CapabilityKind kind,
                                          Capabilities const& spawner, Capabilities& caps) {
    for (IpcPeer const& peer : peers) {
        if (!spawner.may_delegate_peer(kind, peer))
            return SpawnRefusal{Error::AccessDenied, kind, peer.any ? GroveName::from("*", 1).value() : peer.name};
        MUST(caps.grant_peer(kind, peer)); // a valid name (read_peers), at most MaxServicePeers of MaxIpcPeers
    }
    return {};
}

// The authority's peers, ranges and lines, well formed (nothing about the spawner looked at yet).
struct ReadAuthority {
    StaticVector<IpcPeer, abi::MaxServicePeers> watch;
    StaticVector<IpcPeer, abi::MaxServicePeers> manage;
};

Result<void, SpawnRefusal> read_authority(abi::ServiceAuthority const& a, ReadAuthority& out) {
    if (a.reserved[0] != 0 || a.reserved[1] != 0) return SpawnRefusal{};
    if (a.port_count > abi::MaxServicePortRanges || a.physical_count > abi::MaxServicePhysicalRanges)
        return SpawnRefusal{};
    static_assert(abi::IrqLines == 16, "every bit of irq_lines names a line");
    for (u8 i = 0; i < a.port_count; ++i)
        if (a.ports[i].first > a.ports[i].last) return SpawnRefusal{};
    for (u8 i = 0; i < a.physical_count; ++i)
        if (!PhysicalRange{PhysAddr{a.physical[i].base}, Bytes(a.physical[i].length)}.is_valid()) return SpawnRefusal{};
    TRY(read_peers(a.watch, a.watch_count, out.watch));
    TRY(read_peers(a.manage, a.manage_count, out.manage));
    return {};
}

// Each port range, physical range and line of `a` inside the spawner's, granted to `caps`; then its peers.
Result<void, SpawnRefusal> delegate_authority(abi::ServiceAuthority const& a, ReadAuthority const& peers,
                                              Capabilities const& spawner, Capabilities& caps) {
    for (u8 i = 0; i < a.port_count; ++i) {
        IoPortRange const range{a.ports[i].first, a.ports[i].last};
        if (!spawner.allows_io_ports(range))
            return SpawnRefusal{Error::AccessDenied, CapabilityKind::IoPort, {}, range.first};
        // first <= last (read_authority), inside one of the spawner's ranges, none of which holds a machine port
        // (grant_io_ports), at most 4 of MaxIoPortRanges.
        MUST(caps.grant_io_ports(range));
    }
    for (u8 i = 0; i < a.physical_count; ++i) {
        PhysicalRange const range{PhysAddr{a.physical[i].base}, Bytes(a.physical[i].length)};
        if (!spawner.allows_physical(range))
            return SpawnRefusal{Error::AccessDenied, CapabilityKind::PhysicalMemory, {}, range.base.value};
        // Valid (read_authority), inside one of the spawner's ranges, none of which overlaps the machine's own
        // (grant_physical), at most 4 of MaxPhysicalRanges.
        MUST(caps.grant_physical(range));
    }
    for (u8 line = 0; line < abi::IrqLines; ++line) {
        if ((a.irq_lines & (1u << line)) == 0) continue;
        if (!spawner.allows_irq(line)) return SpawnRefusal{Error::AccessDenied, CapabilityKind::Irq, {}, line};
        MUST(caps.grant_irq(line)); // a line below IrqLines
    }
    TRY(delegate_peers(peers.watch, CapabilityKind::CrashWatch, spawner, caps));
    TRY(delegate_peers(peers.manage, CapabilityKind::ServiceManage, spawner, caps));
    return {};
}

} // namespace

Result<void, SpawnRefusal> narrow_spawn_spec(abi::ServiceSpec const& request, abi::ServiceAuthority const* authority,
                                             GroveSpec const& spawner, GroveSpec& out) {
    // Well formed first: nothing about the spawner is revealed by a malformed request.
    if (request.reserved[0] != 0 || request.reserved[1] != 0) return SpawnRefusal{};
    if (!is_valid_text(request.name) || !is_valid_grove_name(request.name.text, request.name.length))
        return SpawnRefusal{};
    if (request.argument_count > abi::MaxServiceArguments) return SpawnRefusal{};
    if (request.respawn > static_cast<u8>(abi::ServiceRespawn::Limited)) return SpawnRefusal{};
    for (u8 i = 0; i < request.argument_count; ++i)
        if (!is_valid_text(request.arguments[i])) return SpawnRefusal{};
    for (u8 kind = 0; kind < 16; ++kind)
        if ((request.flags & (1u << kind)) != 0 &&
            (kind >= CapabilityKindCount || !is_flag_capability(static_cast<CapabilityKind>(kind))))
            return SpawnRefusal{};
    StaticVector<IpcPeer, abi::MaxServicePeers> send_to;
    StaticVector<IpcPeer, abi::MaxServicePeers> receive_from;
    TRY(read_peers(request.send_to, request.send_count, send_to));
    TRY(read_peers(request.receive_from, request.receive_count, receive_from));
    ReadAuthority authority_peers;
    if (authority != nullptr) TRY(read_authority(*authority, authority_peers));
    ResourceLimits limits = spawner.limits;
    limits.memory = Bytes(request.memory);
    limits.threads = Count(request.threads);
    limits.cpu_percent = request.cpu_percent;
    limits.grants = Count(request.grants);
    if (limits.validate().is_error()) return SpawnRefusal{};

    // Then narrower than the spawner: capabilities, then limits.
    Capabilities const& held = spawner.capabilities;
    Capabilities caps;
    for (u8 kind = 0; kind < CapabilityKindCount; ++kind) {
        auto const k = static_cast<CapabilityKind>(kind);
        if ((request.flags & (1u << kind)) == 0) continue;
        if (!held.has(k)) return SpawnRefusal{Error::AccessDenied, k, {}};
        MUST(caps.grant(k)); // a flag capability: checked with the request's form
    }
    TRY(delegate_peers(send_to, CapabilityKind::IpcSend, held, caps));
    TRY(delegate_peers(receive_from, CapabilityKind::IpcReceive, held, caps));
    if (authority != nullptr) TRY(delegate_authority(*authority, authority_peers, held, caps));
    ResourceLimits const& most = spawner.limits;
    if (limits.memory.value > most.memory.value || limits.threads.value > most.threads.value ||
        limits.cpu_percent > most.cpu_percent || limits.grants.value > most.grants.value)
        return SpawnRefusal{Error::LimitExceeded, CapabilityKind::IoPort, {}};

    out = GroveSpec{};
    out.name = GroveName::from(request.name.text, request.name.length).value();
    out.capabilities = caps;
    out.limits = limits;
    out.respawn =
        RespawnPolicy{static_cast<RespawnMode>(request.respawn),
                      request.respawn == static_cast<u8>(abi::ServiceRespawn::Limited) ? request.respawn_limit : 0};
    out.restart_budget = spawner.restart_budget;
    out.priority = spawner.priority;
    for (u8 i = 0; i < request.argument_count; ++i)
        (void)out.arguments.push_back(
            GroveArgument::from(request.arguments[i].text, request.arguments[i].length).value());
    return {};
}

} // namespace grove

#include <core/grove/capabilities.hpp>

namespace grove {

Result<void> Capabilities::grant_io_ports(IoPortRange range) {
    if (range.first > range.last) return Error::InvalidArgument;
    if (machine_ports_in(range) != nullptr) return Error::AccessDenied;
    if (!m_io_ports.push_back(range)) return Error::NoCapacity;
    return {};
}

Result<void> Capabilities::grant_physical(PhysicalRange range) {
    if (!range.is_valid()) return Error::InvalidArgument;
    if (machine_physical_in(range) != nullptr) return Error::AccessDenied;
    if (!m_physical.push_back(range)) return Error::NoCapacity;
    return {};
}

Result<void> Capabilities::grant_irq(u8 line) {
    if (line >= abi::IrqLines) return Error::InvalidArgument;
    m_irq_lines = static_cast<u16>(m_irq_lines | (1u << line));
    return {};
}

Result<void> Capabilities::grant(CapabilityKind kind) {
    if (!is_flag_capability(kind)) return Error::InvalidArgument;
    m_flags = static_cast<u16>(m_flags | capability_bit(kind));
    return {};
}

Result<void> Capabilities::add_peer(PeerList& list, IpcPeer const& peer) {
    if (!peer.any && !is_valid_grove_name(peer.name.c_str(), peer.name.length())) return Error::InvalidArgument;
    if (!list.push_back(peer)) return Error::NoCapacity;
    return {};
}

bool Capabilities::has(CapabilityKind kind) const {
    switch (kind) {
    case CapabilityKind::IoPort: return !m_io_ports.is_empty();
    case CapabilityKind::PhysicalMemory: return !m_physical.is_empty();
    case CapabilityKind::IpcSend: return !m_send.is_empty();
    case CapabilityKind::IpcReceive: return !m_receive.is_empty();
    case CapabilityKind::CrashWatch: return !m_watch.is_empty();
    case CapabilityKind::ServiceManage: return !m_manage.is_empty();
    case CapabilityKind::Irq: return m_irq_lines != 0;
    case CapabilityKind::ThreadCreate:
    case CapabilityKind::MemoryManage:
    case CapabilityKind::Filesystem:
    case CapabilityKind::Graphics:
    case CapabilityKind::Network: return (m_flags & capability_bit(kind)) != 0;
    }
    return false;
}

template<typename Self>
auto* Capabilities::peers_of(Self& self, CapabilityKind kind) {
    using List = decltype(&self.m_send);
    switch (kind) {
    case CapabilityKind::IpcSend: return &self.m_send;
    case CapabilityKind::IpcReceive: return &self.m_receive;
    case CapabilityKind::CrashWatch: return &self.m_watch;
    case CapabilityKind::ServiceManage: return &self.m_manage;
    default: return List{nullptr};
    }
}

Result<void> Capabilities::grant_peer(CapabilityKind kind, IpcPeer const& peer) {
    PeerList* list = peers_of(*this, kind);
    if (list == nullptr) return Error::InvalidArgument;
    return add_peer(*list, peer);
}

bool Capabilities::may_delegate_peer(CapabilityKind kind, IpcPeer const& peer) const {
    PeerList const* found = peers_of(*this, kind);
    if (found == nullptr) return false;
    PeerList const& list = *found;
    if (!peer.any) return allows_peer(list, peer.name.c_str(), peer.name.length());
    for (IpcPeer const& held : list)
        if (held.any) return true;
    return false;
}

bool Capabilities::allows_io_port(u16 port) const {
    for (auto const& range : m_io_ports)
        if (range.contains(port)) return true;
    return false;
}

bool Capabilities::allows_io_ports(IoPortRange range) const {
    for (auto const& granted : m_io_ports)
        if (range.first <= range.last && granted.first <= range.first && range.last <= granted.last) return true;
    return false;
}

bool Capabilities::allows_physical(PhysicalRange range) const {
    for (auto const& granted : m_physical)
        if (granted.contains(range)) return true;
    return false;
}

bool Capabilities::allows_peer(PeerList const& list, char const* name, usize length) {
    for (auto const& peer : list)
        if (peer.any || peer.name.equals(name, length)) return true;
    return false;
}

} // namespace grove

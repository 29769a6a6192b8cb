#pragma once
#include <core/arch/arch.hpp>
#include <core/base/static_vector.hpp>
#include <core/grove/capability_kind.hpp>
#include <core/grove/grove_name.hpp>

namespace grove {

inline constexpr usize MaxIoPortRanges = 16;
inline constexpr usize MaxPhysicalRanges = 16;
inline constexpr usize MaxIpcPeers = 16;

// A range of physical addresses: [base, base + length).
struct PhysicalRange {
    PhysAddr base;
    Bytes length;

    // False for an empty range or one that wraps around the address space.
    constexpr bool is_valid() const {
        u64 end = 0;
        return !length.is_zero() && checked_add(base.value, length.value, end);
    }
    constexpr u64 end() const { return base.value + length.value; }
    constexpr bool contains(PhysicalRange other) const {
        return other.is_valid() && other.base.value >= base.value && other.end() <= end();
    }
};

// The ports of the machine's own devices, never granted to a grove on any target: the interrupt controllers (the
// 8259 pair and its edge/level registers), QEMU's isa-debug-exit device, through which the bare-metal kernel ends
// the run with its verdict, and COM1, which carries its trace. A grove holding one could mask or acknowledge
// interrupts behind the kernel's back, end the machine with a verdict of its choosing, or write trace records.
inline constexpr IoPortRange MachinePorts[] = {
    {0x20, 0x21}, {0xa0, 0xa1}, {0x4d0, 0x4d1}, {0xf4, 0xf7}, {0x3f8, 0x3ff},
};
// The first of MachinePorts that `range` overlaps, or null.
constexpr IoPortRange const* machine_ports_in(IoPortRange range) {
    for (IoPortRange const& kept : MachinePorts)
        if (range.first <= kept.last && kept.first <= range.last) return &kept;
    return nullptr;
}

// The physical addresses of the machine's own interrupt controllers and timers, never granted to a grove on any
// target: the I/O APIC, the HPET and the local APIC (the bare-metal kernel's preemption timer and interrupt
// acknowledgement), 0xfec00000 to 0xfeffffff. A grove holding them could stop the kernel's preemption.
inline constexpr PhysicalRange MachinePhysical[] = {{PhysAddr{0xfec0'0000}, Bytes(0x40'0000)}};
// The first of MachinePhysical that the valid `range` overlaps, or null.
constexpr PhysicalRange const* machine_physical_in(PhysicalRange range) {
    for (PhysicalRange const& kept : MachinePhysical)
        if (range.base.value < kept.end() && kept.base.value < range.end()) return &kept;
    return nullptr;
}

// Who an IPC capability lets a grove talk to: one grove by name, or any grove.
struct IpcPeer {
    bool any = false;
    GroveName name;
};

// What a grove may do. A grove starts with nothing; every grant adds to one list or sets one flag, and the
// queries answer from those only. Invariant: every stored range is valid (first <= last, non-empty, no wrap).
// Capacities are fixed; a grant beyond them fails with NoCapacity and changes nothing.
class Capabilities {
public:
    Capabilities() = default;

    // --- grants (InvalidArgument for a malformed argument, NoCapacity when the list is full) -----------------
    // AccessDenied for a range that includes one of MachinePorts, or overlaps MachinePhysical.
    Result<void> grant_io_ports(IoPortRange range);
    Result<void> grant_physical(PhysicalRange range);
    Result<void> grant_send_to(GroveName const& peer) { return add_peer(m_send, IpcPeer{false, peer}); }
    Result<void> grant_send_to_any() { return add_peer(m_send, IpcPeer{true, {}}); }
    Result<void> grant_receive_from(GroveName const& peer) { return add_peer(m_receive, IpcPeer{false, peer}); }
    Result<void> grant_receive_from_any() { return add_peer(m_receive, IpcPeer{true, {}}); }
    Result<void> grant_watch(GroveName const& peer) { return add_peer(m_watch, IpcPeer{false, peer}); }
    Result<void> grant_watch_any() { return add_peer(m_watch, IpcPeer{true, {}}); }
    Result<void> grant_manage(GroveName const& peer) { return add_peer(m_manage, IpcPeer{false, peer}); }
    Result<void> grant_manage_any() { return add_peer(m_manage, IpcPeer{true, {}}); }
    // A peer of a list kind: IpcSend, IpcReceive, CrashWatch or ServiceManage (InvalidArgument for another kind).
    Result<void> grant_peer(CapabilityKind kind, IpcPeer const& peer);
    // An interrupt line, 0 .. abi::IrqLines-1 (InvalidArgument beyond).
    Result<void> grant_irq(u8 line);
    // Sets a flag capability (ThreadCreate, MemoryManage, Filesystem, Graphics, Network); InvalidArgument for the
    // list kinds, which are granted through the functions above.
    Result<void> grant(CapabilityKind kind);

    // --- queries ------------------------------------------------------------------------------------------------
    // True when the grove holds any authority of that kind (a flag set, or a non-empty list).
    bool has(CapabilityKind kind) const;
    bool allows_io_port(u16 port) const;
    // True when the whole range (first <= last) lies inside one granted range.
    bool allows_io_ports(IoPortRange range) const;
    // True when the whole range lies inside one granted range.
    bool allows_physical(PhysicalRange range) const;
    bool allows_send_to(char const* name, usize length) const { return allows_peer(m_send, name, length); }
    bool allows_send_to(GroveName const& name) const { return allows_send_to(name.c_str(), name.length()); }
    bool allows_receive_from(char const* name, usize length) const { return allows_peer(m_receive, name, length); }
    bool allows_receive_from(GroveName const& name) const { return allows_receive_from(name.c_str(), name.length()); }
    // May the grove hear of the crashes and give-ups of the grove of that name?
    bool allows_watch(GroveName const& name) const { return allows_peer(m_watch, name.c_str(), name.length()); }
    // May the grove start, stop, restart and see the status of the grove of that name (ServiceManage)?
    bool allows_manage(char const* name, usize length) const { return allows_peer(m_manage, name, length); }
    bool allows_manage(GroveName const& name) const { return allows_manage(name.c_str(), name.length()); }
    // No room for one more ServiceManage peer (grant_manage would give NoCapacity).
    bool is_manage_list_full() const { return m_manage.is_full(); }
    // May a grove holding these capabilities pass `peer` on, as a peer of `kind` (IpcSend, IpcReceive, CrashWatch,
    // ServiceManage), to a grove it spawns? A named peer when it holds that grove itself; "*" only when it holds
    // "*" itself; never for another kind.
    bool may_delegate_peer(CapabilityKind kind, IpcPeer const& peer) const;
    bool allows_irq(u64 line) const { return line < abi::IrqLines && (m_irq_lines & (1u << line)) != 0; }
    // The granted interrupt lines, bit n for line n.
    u16 irq_lines() const { return m_irq_lines; }

    // The granted port ranges, for Arch::set_io_ports.
    Span<IoPortRange const> io_ports() const { return {m_io_ports.begin(), m_io_ports.size()}; }
    Span<PhysicalRange const> physical_ranges() const { return {m_physical.begin(), m_physical.size()}; }

private:
    using PeerList = StaticVector<IpcPeer, MaxIpcPeers>;
    static Result<void> add_peer(PeerList& list, IpcPeer const& peer);
    // The peer list of a list kind of `self` (const or not), null for the other kinds.
    template<typename Self>
    static auto* peers_of(Self& self, CapabilityKind kind);
    static bool allows_peer(PeerList const& list, char const* name, usize length);

    StaticVector<IoPortRange, MaxIoPortRanges> m_io_ports;
    StaticVector<PhysicalRange, MaxPhysicalRanges> m_physical;
    PeerList m_send;
    PeerList m_receive;
    PeerList m_watch;
    PeerList m_manage;
    u16 m_flags = 0; // bit (1 << CapabilityKind) for the flag kinds
    u16 m_irq_lines = 0;
    static_assert(abi::IrqLines <= 16, "the lines are a 16-bit set");
};

} // namespace grove

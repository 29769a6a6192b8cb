#pragma once
#include <core/base/enum_count.hpp>

namespace grove {

// The kinds of authority a grove can hold. The first four, CrashWatch, Irq and ServiceManage carry lists (which
// ports, ranges, peers, watched groves, interrupt lines, controlled groves); the others are plain flags. The numeric values are part of the trace encoding: append, never renumber.
enum class CapabilityKind : u8 {
    IoPort = 0,
    PhysicalMemory = 1,
    IpcSend = 2,
    IpcReceive = 3,
    ThreadCreate = 4,
    MemoryManage = 5,
    Filesystem = 6,
    Graphics = 7,
    Network = 8,
    CrashWatch = 9,     // hearing of the crashes and give-ups of the groves named (SubscribeCrashes)
    Irq = 10,           // owning interrupt lines and taking their interrupts (IrqWait, IrqAck)
    ServiceManage = 11, // controlling the groves named: start, stop, restart, status, list (MINIX's `control`)
};

inline constexpr usize CapabilityKindCount = 12;

constexpr char const* capability_kind_name(CapabilityKind k) {
    switch (k) {
    case CapabilityKind::IoPort: return "io_port";
    case CapabilityKind::PhysicalMemory: return "physical_memory";
    case CapabilityKind::IpcSend: return "ipc_send";
    case CapabilityKind::IpcReceive: return "ipc_receive";
    case CapabilityKind::ThreadCreate: return "thread_create";
    case CapabilityKind::MemoryManage: return "memory_manage";
    case CapabilityKind::Filesystem: return "filesystem";
    case CapabilityKind::Graphics: return "graphics";
    case CapabilityKind::Network: return "network";
    case CapabilityKind::CrashWatch: return "crash_watch";
    case CapabilityKind::Irq: return "irq";
    case CapabilityKind::ServiceManage: return "service_manage";
    }
    return "unknown";
}

static_assert(count_matches_names<CapabilityKind>(CapabilityKindCount, capability_kind_name));

// True for the kinds that are a plain flag (granted whole, no list).
constexpr bool is_flag_capability(CapabilityKind k) {
    return k == CapabilityKind::ThreadCreate || k == CapabilityKind::MemoryManage || k == CapabilityKind::Filesystem ||
           k == CapabilityKind::Graphics || k == CapabilityKind::Network;
}

// Bit (1 << kind) of a set of capability kinds.
constexpr u16 capability_bit(CapabilityKind kind) { return static_cast<u16>(1u << static_cast<u8>(kind)); }

// True for the kinds a grove may provide as a service (`provides`): whoever sends or calls it must hold that kind.
constexpr bool is_service_capability(CapabilityKind k) {
    return k == CapabilityKind::Filesystem || k == CapabilityKind::Graphics || k == CapabilityKind::Network;
}

} // namespace grove

#pragma once
#include <core/arch/arch.hpp>
#include <core/base/static_vector.hpp>
#include <core/grove/capabilities.hpp>
#include <core/grove/capacity.hpp>
#include <core/grove/grove_spec.hpp>
#include <core/machine/fault_action.hpp>

namespace grove {

// A boot plan: what the bare-metal kernel runs, as the host compiled it from a scenario (DESIGN.md §4). The binary
// form is in plan_format.hpp; write_boot_plan and read_boot_plan convert. Plain data with fixed capacities, so a
// plan fits in the kernel's static storage.

inline constexpr usize MaxPlanGroves = MaxGroves;
inline constexpr usize MaxPlanFaults = 256;
inline constexpr u8 PlanPriorityLevels = 32; // priorities 0..31, as in the scenario file

// One grove of the plan. `image_module` is the index of its ELF image among the boot modules. IPC peers are grove
// names, or "*" for any grove. `flags` has bit (1 << CapabilityKind) set for each flag capability (ThreadCreate,
// MemoryManage, Filesystem, Graphics, Network). Invariants of a plan that read_boot_plan accepted: see there.
struct PlanGrove {
    GroveName name;
    u16 image_module = 0;
    StaticVector<GroveArgument, MaxArguments> arguments;
    StaticVector<IoPortRange, MaxIoPortRanges> io_ports;
    StaticVector<PhysicalRange, MaxPhysicalRanges> physical;
    StaticVector<GroveName, MaxIpcPeers> send_to;
    StaticVector<GroveName, MaxIpcPeers> receive_from;
    StaticVector<GroveName, MaxIpcPeers> watch;  // CrashWatch: whose crashes and give-ups it may hear of
    StaticVector<GroveName, MaxIpcPeers> manage; // ServiceManage: which groves it may control
    u16 flags = 0;
    u16 irq_lines = 0; // Irq: bit n for interrupt line n (below abi::IrqLines)
    ResourceLimits limits;
    RespawnPolicy respawn = RespawnPolicy::never();
    RestartBudget budget;
    u8 priority = 16;
    Ticks start_at{};
    Ticks stop_timeout = milliseconds(10);
    Ticks watchdog_timeout{};
    u16 provides = 0; // bit (1 << CapabilityKind) for each service it provides (Filesystem, Graphics, Network)
};

// Something done to a grove at `at`. `grove` and `target` are indices into the plan's groves; target is
// NoTarget except for FloodStart; bytes is non-zero only for MemorySpike; rate only for FloodStart (0: as fast as
// it can).
struct PlanFault {
    static constexpr u8 NoTarget = 0xff;
    Ticks at{};
    FaultAction action = FaultAction::Crash;
    u8 grove = 0;
    u8 target = NoTarget;
    u32 rate = 0;
    Bytes bytes{};
};

struct BootPlan {
    Ticks duration{};
    u64 seed = 0;
    StaticVector<PlanGrove, MaxPlanGroves> groves;
    StaticVector<PlanFault, MaxPlanFaults> faults; // in scenario order; faults at the same time apply in this order
};

// The capabilities the grove starts with. InvalidArgument for a peer name that is neither a grove name nor "*"
// (read_boot_plan has already refused such plans).
Result<Capabilities> plan_capabilities(PlanGrove const& grove);

// The core's GroveSpec for a plan grove and its validated image (the image's bytes must outlive the grove).
// InvalidArgument as plan_capabilities.
Result<GroveSpec> plan_grove_spec(PlanGrove const& grove, ImagePlan const& image);

} // namespace grove

#pragma once
#include <core/base/result.hpp>
#include <core/base/static_vector.hpp>
#include <core/plan/boot_plan.hpp>

namespace grove {

// Faults drawn from the seed (issue 12, DESIGN.md §7): scripted faults whose moment is a range, and rules of random
// faults ([[random_faults]]), realized before the run into an explicit schedule of PlanFaults. Both runners apply
// that schedule (the simulator directly, metal through the boot plan, which holds it as ordinary faults), and it
// can be written back out as an explicit scenario. Everything here is a pure function of its input: the same seed
// and input give the same schedule on every host and in the kernel.

inline constexpr usize MaxRandomFaultRules = 16;

// An inclusive range of virtual time. Invariant: first <= last; a single moment has first == last.
struct TimeWindow {
    Ticks first{};
    Ticks last{};
    constexpr bool is_moment() const { return first == last; }
};

// A scripted fault (a boot-plan fault, `fault.at` unused) whose moment is drawn from `at`.
struct FaultTemplate {
    TimeWindow at;
    PlanFault fault;
};

constexpr u16 fault_action_bit(FaultAction action) { return static_cast<u16>(1u << static_cast<u8>(action)); }

// The actions a random fault may take. FloodStart stands for a flood burst: a flood-start, and a flood-stop of the
// same flooder after a drawn burst length (left out when that is past the end of the run).
inline constexpr u16 RandomFaultActions =
    fault_action_bit(FaultAction::Crash) | fault_action_bit(FaultAction::Kill) | fault_action_bit(FaultAction::Hang) |
    fault_action_bit(FaultAction::MemorySpike) | fault_action_bit(FaultAction::Stop) |
    fault_action_bit(FaultAction::Restart) | fault_action_bit(FaultAction::FloodStart) |
    fault_action_bit(FaultAction::PowerCut);

// One [[random_faults]] rule: `count` faults at uniform moments of `window`, each taking one of `actions` (uniform)
// on one of `groves` (uniform; bit i is plan grove i); a flood burst starts one of `flooders` against
// `flood_target`. Invariants (InvalidArgument otherwise): actions is a non-empty subset of RandomFaultActions;
// groves is not empty unless actions is the flood burst alone; flooders is not empty and flood_target is a grove
// exactly when actions holds FloodStart; 0 < min_bytes <= max_bytes when it holds MemorySpike; window.first <=
// window.last < end; burst.first <= burst.last.
struct RandomFaultRule {
    u16 actions = 0;
    u64 groves = 0;
    u64 flooders = 0;
    TimeWindow window;
    u32 count = 0;
    Bytes min_bytes{};
    Bytes max_bytes{};
    u8 flood_target = PlanFault::NoTarget;
    u32 flood_rate = 0;
    TimeWindow burst;
};

// What a rule enabled in this run: in swarm mode a non-empty random subset of its actions and of its groves (each
// kept with probability 1/2, one drawn uniformly when none was) and a count in 1..count; otherwise the rule
// itself.
struct SwarmChoice {
    u16 actions = 0;
    u64 groves = 0;
    u32 count = 0;
};

struct FaultDrawInput {
    u64 seed = 0;
    Ticks end{};                       // the run's duration: every realized fault comes before it
    usize grove_count = MaxPlanGroves; // the plan's groves: rules name groves and targets below it
    Span<FaultTemplate const> scripted;
    Span<RandomFaultRule const> rules;
    bool swarm = false;
};

// The realized schedule. Invariant: faults are ordered by time; at one moment, the scripted faults in their given
// order, then each rule's in rule order and draw order.
struct FaultSchedule {
    StaticVector<PlanFault, MaxPlanFaults> faults;
    StaticVector<SwarmChoice, MaxRandomFaultRules> choices; // one per rule
};

// Realizes `input` into `out` (cleared first): ranged moments drawn from SeedStream::FaultTimes in order, swarm
// choices from SeedStream::Swarm (sub-stream: the rule's index), each rule's faults from SeedStream::RandomFaults
// (sub-stream: the rule's index). InvalidArgument when a template or a rule breaks its invariants or a moment is
// not before `end`; NoCapacity when more than MaxPlanFaults faults result, or more than MaxRandomFaultRules rules
// are given. On failure `out` holds no meaningful schedule.
Result<void> draw_fault_schedule(FaultDrawInput const& input, FaultSchedule& out);

} // namespace grove

#pragma once
#include <core/base/std.hpp>

namespace grove {

// What a scripted fault does to a grove (scenarios/README.md): the vocabulary of the scenario file, of the boot
// plan and of both runners. The numeric values are the plan's encoding (core/plan/plan_format.hpp): append, never
// renumber. Adding an action: a value here, its name in fault_action_name, FaultActionCount, what FaultInjector
// does with it, and the parser's fields for it.
enum class FaultAction : u8 {
    Crash = 0,
    Kill = 1,
    Hang = 2,
    MemorySpike = 3,
    FloodStart = 4,
    FloodStop = 5,
    Stop = 6,
    Restart = 7,
    PowerCut = 8,
};
inline constexpr u8 FaultActionCount = 9;

// The scenario file's name of the action ("memory-spike"); nullptr for a value that is not an action.
constexpr char const* fault_action_name(FaultAction action) {
    switch (action) {
    case FaultAction::Crash: return "crash";
    case FaultAction::Kill: return "kill";
    case FaultAction::Hang: return "hang";
    case FaultAction::MemorySpike: return "memory-spike";
    case FaultAction::FloodStart: return "flood-start";
    case FaultAction::FloodStop: return "flood-stop";
    case FaultAction::Stop: return "stop";
    case FaultAction::Restart: return "restart";
    case FaultAction::PowerCut: return "power-cut";
    }
    return nullptr;
}

// FaultActionCount is the number of actions: every value below it has a name and the value at it has none (the
// switch above names every enumerator, so a new one without a name does not compile under -Wswitch -Werror).
constexpr bool fault_action_count_matches() {
    for (u8 value = 0; value < FaultActionCount; ++value)
        if (fault_action_name(static_cast<FaultAction>(value)) == nullptr) return false;
    return fault_action_name(static_cast<FaultAction>(FaultActionCount)) == nullptr;
}
static_assert(fault_action_count_matches(), "FaultActionCount must be the number of FaultAction values");

} // namespace grove

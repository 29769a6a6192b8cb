#pragma once
#include <core/explore/fault_draw.hpp>
#include <sim/scenario/scenario.hpp>

#include <string>
#include <vector>

namespace grove::scenario {

// A scenario with every fault its seed draws written out (core/explore/fault_draw.hpp): the faults are explicit,
// in time order, none a range, and it has no random faults left; its seed is the one drawn with. Replaying `scenario` with that seed is the
// same run, on either target, and it can be written back out as a scenario file.
struct RealizedScenario {
    Scenario scenario;
    std::vector<SwarmChoice> choices; // per [[random_faults]] rule: what the run enabled (the rule when no swarm)
    bool drew_faults = false;         // the scenario has ranged moments or random faults: its faults were drawn
    std::string error;                // set when the draws could not be realized (nothing else is then)
};

// A grove argument that stands for the run's seed: realize_faults writes the seed in decimal in its place.
inline constexpr char const* SeedArgument = "{seed}";

// Realizes `s` with `seed` (the scenario's own or --seed), every argument "{seed}" of its groves replaced by the
// seed. A scenario that draws nothing comes back with only that replaced.
RealizedScenario realize_faults(Scenario const& s, u64 seed);

// A scenario fault as a boot-plan fault (grove names as indices) and back. The grove names must be declared.
PlanFault plan_fault(Scenario const& s, Fault const& fault);
Fault scenario_fault(Scenario const& s, PlanFault const& fault);

// The lines that describe a realized run to a person and in the trace: per rule "random_faults 1: crash,kill on
// echo,client, 3 faults", then per fault "at 12ms: crash echo".
std::vector<std::string> describe_realization(RealizedScenario const& realized);

} // namespace grove::scenario

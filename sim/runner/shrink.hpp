#pragma once
// Shrinking a failing run (grovesim shrink): from a scenario with every random choice written out, remove faults
// and groves and shorten the duration while the run still fails the same way, and keep the smallest scenario found.
#include <sim/scenario/scenario.hpp>

#include <functional>
#include <string>
#include <vector>

namespace grove::runner {

// What one run of a candidate showed: the names of the failed rows of its verdict (the invariant or expectation,
// as `grovesim sweep` reports them before ": expected"), "the run did not finish" when it did not, or, when the
// candidate could not be run at all, `refused` with the reason.
struct ProbeOutcome {
    std::vector<std::string> failed;
    bool refused = false;
    std::string reason;
};

// Runs a candidate scenario; the shrinker calls it once per candidate, in a deterministic order.
using ShrinkProbe = std::function<ProbeOutcome(scenario::Scenario const&)>;

struct ShrinkResult {
    std::string error;              // set when the scenario does not fail to begin with (nothing else is then)
    std::string failure;            // the failure kept all along: the original run's first failed invariant, else
                                    // its first failed row
    scenario::Scenario scenario;    // the smallest candidate that still fails with `failure`
    usize runs = 0;                 // probes made, the original run included
    std::vector<std::string> steps; // what was removed or shortened, in order, for a person to read
};

// The name of a failed row in a failure text "NAME: expected X, seen Y" (the whole text when it has no such form).
std::string failure_name(std::string const& failure_text);

// Shrinks `explicit_scenario` (no ranges, no [[random_faults]]: scenario::realize_faults) while `probe` keeps
// reporting the same failure:
//   1. faults: chunks of halving size, then one at a time (delta debugging);
//   2. groves no remaining fault names, last first, with every mention of them (capabilities, expectations);
//   3. the duration: bisected between the last fault or start (plus 1 ns) and the current one, to 1 us;
// and again from 1. while a round removed something. Each candidate is kept only when its probe names the same
// failure; the result therefore fails that way when replayed.
ShrinkResult shrink_failure(scenario::Scenario const& explicit_scenario, ShrinkProbe const& probe);

} // namespace grove::runner

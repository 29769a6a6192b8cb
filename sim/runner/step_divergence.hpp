#pragma once
// First divergence: where two runs of one scenario part (grovesim run --check-determinism, grovesim divergence).
#include <sim/runner/scenario_runner.hpp>
#include <sim/scenario/trace.hpp>

#include <optional>
#include <string>
#include <vector>

namespace grove::runner {

// The first difference between two runs, for a person: a one-line summary and the lines that show both sides'
// state there (A first, then B).
struct RunDivergence {
    std::string summary;
    std::vector<std::string> details;
};

// Compares two traces with step stamps (scenario::StepStamp) event by event: the first event whose canonical line
// or stamp differs, or where one trace ends first, then the final records' stamps. When the lines agree but the
// stamps do not, the traps between the last agreeing event and this one differ. Nothing when they are the same.
std::optional<RunDivergence> compare_stamped_traces(scenario::Trace const& a, scenario::Trace const& b);

// Compares two runs step by step (each step's running hash; RunOptions::steps), then their traces
// (compare_stamped_traces): the first step that differs is given with both sides' grove, thread, time, trap, pc and
// registers, and the first event that differs after it. Nothing when the runs are the same.
std::optional<RunDivergence> compare_runs(scenario::Trace const& a, std::vector<StepRecord> const& a_steps,
                                          scenario::Trace const& b, std::vector<StepRecord> const& b_steps);

// One step as a line: "step 1234 at 5000123ns: echo gen 1 thread 3.1 syscall pc=0x401234 hash=... rip=... ...".
std::string describe_step(StepRecord const& step);

} // namespace grove::runner

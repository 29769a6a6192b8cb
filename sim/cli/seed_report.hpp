#pragma once
// One run of a scenario with a given seed, in a child process, as `grovesim sweep` and `grovesim shrink` make it:
// the child replays the scenario and reports on its captured standard output; the parent reads that back.
#include <sim/cli/images_option.hpp>
#include <sim/runner/isolated_run.hpp>
#include <sim/runner/sweep_results.hpp>
#include <sim/scenario/scenario.hpp>

#include <string>

namespace grove::sim {

// In the child: replays `s` with `seed` and prints "digest <hex>", then one "failed <text>" per failed row of the
// verdict, or "error <text>" when the run could not start. Returns the exit status (cli/exit_status.hpp).
int report_seed_run(scenario::Scenario const& s, u64 seed, ImageDirectories const& images,
                    runner::RunProgress* progress);

// In the parent: what the child of report_seed_run showed.
runner::SeedRun read_seed_run(u64 seed, runner::IsolatedOutcome const& outcome);

} // namespace grove::sim

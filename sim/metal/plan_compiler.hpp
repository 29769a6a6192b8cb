#pragma once
#include <sim/scenario/parsed.hpp>
#include <sim/scenario/scenario.hpp>

#include <string>
#include <vector>

namespace grove::metal_host {

// The boot modules of a scenario on metal: module 0 is the plan, then one module per image the scenario uses,
// in order of first use (a grove loaded from disk: its loader's, scenario::put_disk_loaders). Returns those image
// names (module i + 1 is image i).
std::vector<std::string> plan_module_images(scenario::Scenario const& scenario);

// The scenario as a binary boot plan (core/plan/plan_format.hpp) whose image module indices follow
// plan_module_images(). The plan is read back with read_boot_plan before it is returned, so a plan that comes back
// is one the kernel accepts. Fails (a Diagnostic naming `name`) when the scenario does not fit a plan: more groves
// or faults than a plan holds, an argument longer than MaxArgumentLength, more ranges or peers than a grove holds.
//
// Mapping: limits, respawn policy and budget as in the scenario and as the simulator maps them
// (max_crashes_in_window = 0, no window, becomes MaxCrashesPerWindow - 1 crashes in a window of one tick, which
// never gives up); the CPU period
// is the core's default; the faults the seed draws (moments given as ranges, [[random_faults]]) are realized first
// (sim/scenario/fault_realization.hpp) and the plan holds the realized faults in time order; the seed and duration
// are copied.
scenario::Parsed<std::vector<u8>> compile_plan(scenario::Scenario const& scenario, std::string const& name);

} // namespace grove::metal_host

#pragma once
#include <filesystem>
#include <vector>

namespace grove::sim {

// The directory of the shipped scenarios (the source tree's scenarios/), compiled in.
std::filesystem::path shipped_scenario_directory();

// The shipped scenario files: every *.toml directly in that directory (not its examples/), sorted by name.
std::vector<std::filesystem::path> shipped_scenarios();

} // namespace grove::sim

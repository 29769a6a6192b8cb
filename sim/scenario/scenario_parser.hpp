#pragma once
#include <sim/scenario/parsed.hpp>
#include <sim/scenario/scenario.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace grove::scenario {

// How to read a scenario. Every scenario is read the same way today (an image is any valid image name,
// image_search.hpp: whether the file exists is the runner's question, asked of its search directories).
struct ParseOptions {};

// Reads a scenario strictly (scenarios/README.md is the reference): unknown keys at any level, wrong types,
// numbers out of range, bad durations and sizes, invalid image names, undeclared grove names and duplicate groves are
// all errors. On failure the Diagnostic names `name` (or the path), the line and column, what is wrong and what to
// do. Never throws and never crashes, whatever the input.
Parsed<Scenario> parse_scenario_string(std::string_view text, std::string_view name, ParseOptions const& options);
Parsed<Scenario> parse_scenario_file(std::filesystem::path const& path, ParseOptions const& options);

} // namespace grove::scenario

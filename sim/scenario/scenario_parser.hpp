#pragma once
#include <sim/scenario/parsed.hpp>
#include <sim/scenario/scenario.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace grove::scenario {

// The grove programs the project builds: echo, client, flooder, crasher, memhog, threadbomb, spinner, sleeper,
// warden, io.
std::vector<std::string> standard_image_names();

struct ParseOptions {
    // The image names a scenario may load; anything else is an error. Usually standard_image_names(), or the
    // images the runner actually found.
    std::vector<std::string> images = standard_image_names();
};

// Reads a scenario strictly (scenarios/README.md is the reference): unknown keys at any level, wrong types,
// numbers out of range, bad durations and sizes, unknown images, undeclared grove names and duplicate groves are
// all errors. On failure the Diagnostic names `name` (or the path), the line and column, what is wrong and what to
// do. Never throws and never crashes, whatever the input.
Parsed<Scenario> parse_scenario_string(std::string_view text, std::string_view name, ParseOptions const& options);
Parsed<Scenario> parse_scenario_file(std::filesystem::path const& path, ParseOptions const& options);

} // namespace grove::scenario

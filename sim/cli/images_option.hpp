#pragma once
// `--images DIR`, shared by every command that runs a scenario: where a scenario's `image = "name"` is found
// (<DIR>/<name>.elf), before the build's own programs (runner::image_search).
#include <CLI/CLI.hpp>

#include <filesystem>
#include <vector>

namespace grove::sim {

using ImageDirectories = std::vector<std::filesystem::path>;

// Adds `--images DIR` (repeatable; searched in the order given, then the build's own images) to the command.
void add_images_option(CLI::App& command, ImageDirectories& directories);

} // namespace grove::sim

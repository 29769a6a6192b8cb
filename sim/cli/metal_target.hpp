#pragma once
// The target a command runs scenarios on (`--target sim|metal`) and the options of the bare-metal target, shared by
// `run`, `list` and `diff`. The bare-metal target itself is sim/metal/metal_runner.hpp.
#include <sim/cli/images_option.hpp>
#include <sim/metal/metal_runner.hpp>

#include <CLI/CLI.hpp>

#include <string>

namespace grove::sim {

enum class Target { Sim, Metal };

// Adds `--target sim|metal` (default sim) to the command.
void add_target_option(CLI::App& command, Target& target);

// What the command line says about QEMU.
struct MetalCommandOptions {
    std::string boot = "iso";      // iso: GRUB from the ISO (as a PC boots); kernel: QEMU's -kernel loader (faster)
    unsigned timeout_seconds = 60; // a simulation or guest still running after this long is stopped and reported
};

// Adds `--boot iso|kernel` (meaningful with --target metal) and `--timeout SECONDS` (both targets).
void add_metal_options(CLI::App& command, MetalCommandOptions& options);

// This build's metal options with the command line's: the boot method, the timeout, the image directories (`images`
// before the build's own, as in the simulator) and the scenario path for diagnostics.
metal_host::MetalOptions metal_options(MetalCommandOptions const& options, ImageDirectories const& images,
                                       std::string const& path);

} // namespace grove::sim

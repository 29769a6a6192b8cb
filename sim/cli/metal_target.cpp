#include <sim/cli/metal_target.hpp>
#include <sim/runner/grove_images.hpp>

#include <map>

namespace grove::sim {

void add_target_option(CLI::App& command, Target& target) {
    std::map<std::string, Target> const names{{"sim", Target::Sim}, {"metal", Target::Metal}};
    command
        .add_option("--target", target,
                    "Where to run: sim (the simulator, the default) or metal (the bare-metal kernel booted in "
                    "qemu-system-x86_64 with -icount, no display)")
        ->transform(CLI::CheckedTransformer(names, CLI::ignore_case))
        ->default_str("sim");
}

void add_metal_options(CLI::App& command, MetalCommandOptions& options) {
    command
        .add_option("--boot", options.boot,
                    "With --target metal: iso (GRUB from the scenario's ISO, built or reused under build/metal) "
                    "or kernel (QEMU's own loader, about 4 s faster)")
        ->check(CLI::IsMember({"iso", "kernel"}))
        ->capture_default_str();
    command
        .add_option("--timeout", options.timeout_seconds,
                    "Seconds of wall-clock time a scenario may take: a simulation (or, with --target metal, a "
                    "guest) still running then is stopped and reported as a run that did not finish, with the "
                    "grove, pc and virtual time where it was")
        ->check(CLI::Range(1u, 3600u))
        ->capture_default_str();
}

metal_host::MetalOptions metal_options(MetalCommandOptions const& options, ImageDirectories const& images,
                                       std::string const& path) {
    metal_host::MetalOptions metal = metal_host::default_metal_options();
    metal.boot = options.boot == "kernel" ? metal_host::BootMethod::Kernel : metal_host::BootMethod::Iso;
    metal.timeout_seconds = options.timeout_seconds;
    metal.image_dirs = runner::image_search(images).directories();
    metal.name = path;
    return metal;
}

} // namespace grove::sim

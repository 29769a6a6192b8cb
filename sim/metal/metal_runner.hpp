#pragma once
// The bare-metal target of the scenario runner: a scenario compiled to a boot plan, booted in QEMU with the
// kernel and the grove images, and its trace read back from the serial port. This header is the whole interface
// for a command line (`grovesim run --target metal`, `grovesim list --target metal`).
#include <sim/scenario/parsed.hpp>
#include <sim/scenario/scenario.hpp>
#include <sim/scenario/trace.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace grove::metal_host {

// How QEMU loads the kernel. Iso: a GRUB ISO made with grub-mkrescue (Multiboot2; the way a PC boots; about 5 s
// of firmware and GRUB under -icount). Kernel: QEMU's own Multiboot1 loader with -kernel and the plan and images
// as -initrd modules (about 1 s). Both run the same kernel and plan.
enum class BootMethod { Iso, Kernel };

struct MetalOptions {
    std::filesystem::path kernel;       // grove_kernel.elf
    std::filesystem::path image_dir;    // where <image>.elf are (build/groves)
    std::filesystem::path cache_dir;    // ISOs and plans, by content hash (build/metal)
    std::string qemu = "qemu-system-x86_64";
    std::string grub_mkrescue = "grub-mkrescue";
    BootMethod boot = BootMethod::Iso;
    unsigned timeout_seconds = 60;      // wall-clock bound on one QEMU run; a guest still running is killed
    std::string name;                   // the scenario's file name, for diagnostics
};

// The paths of this build (the kernel, build/groves, build/metal, the QEMU and grub-mkrescue CMake found).
MetalOptions default_metal_options();

// A finished run: the trace read from the serial port (events and, when the kernel reached the end, the final
// counters) and the whole serial output (boot messages, grove console lines as "# ...").
struct MetalRun {
    scenario::Trace trace;
    std::string serial;
};

// Why a scenario cannot run on metal, or nothing when it can. Today: flood-start and flood-stop faults (the
// kernel has no built-in flood; use a flooder grove), images missing from options.image_dir are reported by
// run_on_metal itself.
std::optional<std::string> metal_unsupported_reason(scenario::Scenario const& scenario);
inline bool can_run_on_metal(scenario::Scenario const& scenario) { return !metal_unsupported_reason(scenario); }

// Builds (or reuses, when its content hash is already in options.cache_dir) the ISO for the scenario: GRUB, the
// kernel, the plan and the images as module2 entries. Returns the ISO's path.
scenario::Parsed<std::filesystem::path> build_metal_iso(scenario::Scenario const& scenario,
                                                        MetalOptions const& options);

// Runs the scenario in QEMU (-machine q35 -icount shift=0,sleep=off -display none -serial stdio -no-reboot
// -device isa-debug-exit) and returns its trace. Fails with a Diagnostic naming options.name when the scenario
// cannot run on metal, a file is missing, the ISO cannot be made, QEMU cannot start, the guest does not finish
// within options.timeout_seconds (it is killed; the message says so and quotes the last serial lines), the kernel
// reports failure (a plan or image it refused, a panic), or the serial trace cannot be read.
scenario::Parsed<MetalRun> run_on_metal(scenario::Scenario const& scenario, MetalOptions const& options);

} // namespace grove::metal_host

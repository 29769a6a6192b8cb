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
#include <vector>

namespace grove::metal_host {

// How QEMU loads the kernel. Iso: a GRUB ISO made with grub-mkrescue (Multiboot2; the way a PC boots; about 5 s
// of firmware and GRUB under -icount). Kernel: QEMU's own Multiboot1 loader with -kernel and the plan and images
// as -initrd modules (about 1 s). Both run the same kernel and plan.
enum class BootMethod { Iso, Kernel };

struct MetalOptions {
    std::filesystem::path kernel; // grove_kernel.elf
    // Where <image>.elf are looked for, in order (scenario::ImageSearch; by default build/groves).
    std::vector<std::filesystem::path> image_dirs;
    std::filesystem::path cache_dir; // ISOs and plans, by content hash (build/metal)
    std::string qemu = "qemu-system-x86_64";
    std::string grub_mkrescue = "grub-mkrescue";
    BootMethod boot = BootMethod::Iso;
    unsigned timeout_seconds = 60; // wall-clock bound on one QEMU run; a guest still running is killed
    std::string name;              // the scenario's file name, for diagnostics
    // When set, each disk's image as the run left it is written to <keep_disks>/<scenario name>.disk<N>.img.
    std::optional<std::filesystem::path> keep_disks;
    // When set, QEMU starts halted with its gdb stub on 127.0.0.1:<gdb_port> (-gdb, -S) and waits for gdb
    // (write_gdb_script); the wall-clock bound is off, as a debugging session takes its time.
    std::optional<u16> gdb_port;
};

// The paths of this build (the kernel, build/groves, build/metal, the QEMU and grub-mkrescue CMake found).
MetalOptions default_metal_options();

// How a boot ended.
enum class MetalOutcome {
    Completed,    // the kernel reported success and the trace ends with the final record
    TimedOut,     // the guest still ran after timeout_seconds and was killed
    KernelFailed, // the kernel reported failure (a plan or image it refused, a panic) or QEMU ended otherwise
    Incomplete,   // the kernel reported success but the serial trace has no final record
};

// One boot: the trace read from the serial port (events and, when the run completed, the final counters) and the
// whole serial output (boot messages, grove console lines as "# ...") with the kernel's compact records expanded
// into JSON lines and its name records left out (compact_trace.hpp), line ends "\n" (a grove's own "\r" kept; from
// a damaged record on, the output as it came). When the run did not complete,
// `failure` says what happened and quotes the last serial lines, and the trace holds the events read before that
// (and before a damaged record, which the failure names too).
// A disk of the run ([[disks]]) as QEMU left it: the per-run copy of its image, attached as the ATA drive of the
// primary channel (-device isa-ide). QEMU writes every sector the drive accepted through to the file, flushed or
// not; the simulator loses the unflushed ones at the end-of-run power cut (sim/devices/ata_disk.hpp), so the two
// hashes agree for a run that flushes what it wrote.
struct MetalDisk {
    std::string path; // as the scenario names it
    u64 hash = 0;     // FNV-1a 64 of the image after the run
    std::string kept; // where the image was kept (MetalOptions::keep_disks), else empty
};

// The picture the display showed at the end of the run, as the kernel read it back from the framebuffer
// (arch_x86_64/isa/bochs_display.hpp): its mode and x86::bochs::picture_hash.
struct MetalDisplay {
    u16 width = 0;
    u16 height = 0;
    u16 bpp = 0;
    u64 hash = 0;
};

struct MetalRun {
    scenario::Trace trace;
    std::vector<MetalDisk> disks;        // by [[disks]] index, once the guest ended
    std::optional<MetalDisplay> display; // when the display was on at the end
    std::string serial;
    MetalOutcome outcome = MetalOutcome::Completed;
    std::string failure;

    bool completed() const { return outcome == MetalOutcome::Completed; }
};

// Why a scenario cannot run on metal, or nothing when it can: more than one disk (the primary channel holds one), or
// a flood-start fault on a grove whose image is not `flooder` (the simulator refuses it too). Images
// that no directory of options.image_dirs holds are reported by run_on_metal, naming the directories tried.
std::optional<std::string> metal_unsupported_reason(scenario::Scenario const& scenario);
inline bool can_run_on_metal(scenario::Scenario const& scenario) { return !metal_unsupported_reason(scenario); }

// Builds (or reuses, when its content hash is already in options.cache_dir) the ISO for the scenario: GRUB, the
// kernel, the plan and the images as module2 entries. Returns the ISO's path.
scenario::Parsed<std::filesystem::path> build_metal_iso(scenario::Scenario const& scenario,
                                                        MetalOptions const& options);

// Writes <options.cache_dir>/<scenario name>.gdb for options.gdb_port: a gdb script that loads the kernel's symbols
// and each grove image's (once per image, every grove is loaded at the address it is linked at: the grove window,
// each in its own address space) and connects to QEMU's stub. Returns its path; fails naming what is missing.
scenario::Parsed<std::filesystem::path> write_gdb_script(scenario::Scenario const& scenario,
                                                         MetalOptions const& options);

// Runs the scenario in QEMU (-machine q35 -icount shift=0,sleep=off -display none -serial stdio -no-reboot
// -device isa-debug-exit) and returns its trace. Fails with a Diagnostic naming options.name when it cannot boot
// at all: the scenario cannot run on metal, a file is missing, the ISO cannot be made, QEMU cannot start, or the
// serial trace cannot be read. A boot that does not finish (killed after options.timeout_seconds, the kernel's
// failure, no final record) comes back as a MetalRun whose outcome says so.
scenario::Parsed<MetalRun> run_on_metal(scenario::Scenario const& scenario, MetalOptions const& options);

} // namespace grove::metal_host

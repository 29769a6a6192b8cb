#pragma once
#include <arch_x86_64/isa/bochs_display.hpp>
#include <core/arch/trap.hpp>
#include <sim/backend/crash_report.hpp>
#include <sim/backend/fault_precision.hpp>
#include <sim/backend/instruction_observer.hpp>
#include <sim/runner/grove_images.hpp>
#include <sim/runner/run_progress.hpp>
#include <sim/scenario/scenario.hpp>
#include <sim/scenario/trace.hpp>
#include <sim/scenario/verdict.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace grove::runner {

// The precision every run starts with, unless RunOptions says otherwise.
inline constexpr sim::FaultPrecision DefaultPrecision = sim::FaultPrecision::Fast;

// One step of a run: a resume of a grove thread, ended by a trap, as RunOptions::steps records it (grovesim run
// --check-determinism): the thread, its grove, the trap and the registers at the trap, and the running hash after
// it (scenario::StepStamp).
struct StepRecord {
    u64 step = 0;  // from 1
    Ticks started; // virtual time at the resume
    Ticks time;    // virtual time at the trap
    std::string grove;
    u32 generation = 0;
    ThreadId thread;
    TrapKind kind = TrapKind::Timer;
    u64 pc = 0;
    sim::RegisterSnapshot registers;
    u64 hash = 0;
    bool operator==(StepRecord const&) const = default;
};

struct RunOptions {
    // Searched for the images before the build's own (image_search).
    std::vector<std::filesystem::path> image_directories;
    std::optional<u64> seed;         // replaces the scenario's seed
    RunProgress* progress = nullptr; // when set, updated before every resume (reset for an exact replay)
    // Fast: the run goes without the exact-fault memory hook and, should a grove fault on a data access (whose pc
    // Fast cannot know), is discarded at that trap and replayed from the start with Exact; the result is the same
    // either way, only the time it takes differs. Exact: one run with the hook (sim/backend/fault_precision.hpp).
    sim::FaultPrecision precision = DefaultPrecision;
    // When set, each disk's image as the run left it (flushed sectors only: see sim/devices/ata_disk.hpp) is written
    // to <keep_disks>/<scenario name>.disk<N>.img.
    std::optional<std::filesystem::path> keep_disks;
    // When set, every step of the returned run is appended (that of the Exact replay, should Fast be discarded).
    std::vector<StepRecord>* steps = nullptr;
    // When set, sees every instruction of the run (a debugger, sim/gdb/): the run is Exact from the start (no
    // replay), and ends at once, with RunResult::abandoned, when the observer gives it up.
    sim::InstructionObserver* observer = nullptr;
};

// A disk of the run ([[disks]]) as the run left it: the power is cut at the end, so its image holds the flushed
// sectors only.
struct DiskResult {
    std::string path;  // as the scenario names it
    u64 hash = 0;      // FNV-1a 64 of the image
    u64 unflushed = 0; // sectors written but never flushed, lost at the power cut
    std::string kept;  // where the image was kept (RunOptions::keep_disks), else empty
};

// The picture the machine's display shows at the end of the run (sim/devices/bochs_display.hpp), when it is on.
struct DisplayResult {
    x86::bochs::Picture picture;
    u64 hash = 0; // x86::bochs::picture_hash
};

// One replayed scenario. `error` is set when the scenario could not be run at all (an image missing or invalid,
// a grove the kernel cannot represent): bad input, with nothing else filled in.
struct RunResult {
    std::string error;
    u64 seed = 0;
    scenario::Trace trace;
    scenario::Verdict verdict;
    bool replayed = false;  // the Fast run met a data fault: this is the result of the Exact replay
    bool abandoned = false; // RunOptions::observer gave the run up: nothing else is filled in
    std::vector<DiskResult> disks;
    std::optional<DisplayResult> display;
};

// Replays `scenario` in the simulator: a UnicornArch and a Kernel of its own, every grove loaded from its ELF image
// at its start_at, the faults applied at their moments of virtual time (faults at one moment in file order, after
// the groves starting then), for `duration` of virtual time. Returns the trace (the core's events converted, crash
// reports, the runner's own events for injected faults), the final counters (digest: the kernel's trace digest)
// and the verdict: the scenario's expectations followed by two checks of the machine itself, the kernel's IPC
// invariant and the memory accounting (free frames = all frames - the pages of live groves).
//
// Deterministic: nothing depends on the host clock, host addresses or host randomness; the same scenario, seed
// and images give the same trace and digest, in either precision (a discarded Fast run leaves nothing behind: the
// trace, the verdict and the groves' console text all come from the run that is returned).
//
// The run is the machine loop every backend runs (core/machine/machine_loop.hpp); the faults are applied and
// announced by the core's FaultInjector (core/machine/fault_injector.hpp), as on metal: each is announced by an
// event of the runner (killed, hung, memory_spike, flood_started, flood_stopped, or fault_injected with the
// action) whose `result` field says whether the kernel accepted it ("ok", or the error's name).
RunResult run_scenario(scenario::Scenario const& scenario, RunOptions const& options);

} // namespace grove::runner

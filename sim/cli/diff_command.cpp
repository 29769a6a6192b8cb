// grovesim diff SCENARIO...: the differential test. Runs each scenario in the simulator and on the bare-metal kernel
// in QEMU and compares, grove by grove, the ordered events of the two traces with times and timing-dependent
// fields set aside (sim/metal/trace_comparison.hpp), and the hash of each disk image and of the display's picture as the two runs left them. Meant for scenarios marked `timing_independent = true`.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/images_option.hpp>
#include <sim/cli/metal_target.hpp>

#include <sim/metal/trace_comparison.hpp>
#include <sim/runner/scenario_runner.hpp>
#include <sim/scenario/scenario_parser.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace grove::sim {

namespace {

struct DiffOptions {
    std::vector<std::string> scenarios;
    ImageDirectories images;
    MetalCommandOptions metal;
    bool any_scenario = false; // also scenarios not marked timing independent
};

int diff_one(std::string const& path, DiffOptions const& options) {
    auto parsed = scenario::parse_scenario_file(path, scenario::ParseOptions{});
    if (!parsed) {
        fmt::print(stderr, "grovesim diff: {}\n", parsed.error().text());
        return ExitBadInput;
    }
    scenario::Scenario const& s = parsed.value();
    if (!s.timing_independent && !options.any_scenario) {
        fmt::print(stderr,
                   "grovesim diff: {}: not marked timing_independent = true, so its sequences may rightly differ "
                   "between the simulator and metal; give --any to compare anyway\n",
                   path);
        return ExitBadInput;
    }
    if (auto reason = metal_host::metal_unsupported_reason(s)) {
        fmt::print(stderr, "grovesim diff: {}: cannot run on metal: {}\n", path, *reason);
        return ExitBadInput;
    }

    runner::RunOptions run_options;
    run_options.image_directories = options.images;
    runner::RunResult simulated = runner::run_scenario(s, run_options);
    if (!simulated.error.empty()) {
        fmt::print(stderr, "grovesim diff: {}: {}\n", path, simulated.error);
        return ExitBadInput;
    }
    auto booted = metal_host::run_on_metal(s, metal_options(options.metal, options.images, path));
    if (!booted) {
        fmt::print(stderr, "grovesim diff: {}\n", booted.error().text());
        return ExitBadInput;
    }

    fmt::print("== {} ({}) ==\n", s.name, path);
    if (!booted.value().completed()) {
        fmt::print("grovesim diff: {}: on metal: {}\nsequences: NOT COMPARED (the metal run did not finish)\n\n", path,
                   booted.value().failure);
        return ExitFailure;
    }
    scenario::Trace const& metal = booted.value().trace;
    fmt::print("simulator: {} events, verdict {}; metal ({} boot): {} events, verdict {}\n",
               simulated.trace.events.size(), simulated.verdict.holds() ? "PASS" : "FAIL", options.metal.boot,
               metal.events.size(), scenario::evaluate_verdict(s, metal).holds() ? "PASS" : "FAIL");
    metal_host::SequenceComparison const comparison = metal_host::compare_grove_sequences(simulated.trace, metal);
    fmt::print("{}\n", metal_host::format_comparison(comparison));
    // The disks as each target left them: the simulator's flushed sectors, QEMU's every written one (a run that
    // flushes what it wrote leaves the same image on both).
    bool same_disks = simulated.disks.size() == booted.value().disks.size();
    for (usize i = 0; i < simulated.disks.size() && i < booted.value().disks.size(); ++i) {
        u64 const sim_hash = simulated.disks[i].hash, metal_hash = booted.value().disks[i].hash;
        fmt::print("disk {}: {} (simulator {}, metal {})\n", simulated.disks[i].path,
                   sim_hash == metal_hash ? "SAME" : "DIFFERENT", scenario::format_digest(sim_hash),
                   scenario::format_digest(metal_hash));
        same_disks = same_disks && sim_hash == metal_hash;
    }
    if (!simulated.disks.empty()) fmt::print("\n");
    // The display's picture as each target left it: its mode and hash, or none on both.
    auto const describe = [](u16 width, u16 height, u16 bpp, u64 hash) {
        return fmt::format("{}x{}x{} {}", width, height, bpp, scenario::format_digest(hash));
    };
    std::string const sim_display = simulated.display
                                        ? describe(simulated.display->picture.width, simulated.display->picture.height,
                                                   simulated.display->picture.bpp, simulated.display->hash)
                                        : "off";
    std::optional<metal_host::MetalDisplay> const& shown = booted.value().display;
    std::string const metal_display = shown ? describe(shown->width, shown->height, shown->bpp, shown->hash) : "off";
    bool const same_display = sim_display == metal_display;
    if (simulated.display || shown)
        fmt::print("display: {} (simulator {}, metal {})\n\n", same_display ? "SAME" : "DIFFERENT", sim_display,
                   metal_display);
    return comparison.same() && same_disks && same_display ? ExitSuccess : ExitFailure;
}

int diff(DiffOptions const& options) {
    int worst = ExitSuccess;
    for (std::string const& path : options.scenarios) worst = std::max(worst, diff_one(path, options));
    return worst;
}

} // namespace

void add_diff_command(CLI::App& app, int& exit_status) {
    auto options = std::make_shared<DiffOptions>();
    CLI::App* command = app.add_subcommand(
        "diff", "Run scenarios in the simulator and on the bare-metal kernel in QEMU and compare each grove's "
                "sequence of events (generation, kind and the fields that do not depend on timing; times, stop "
                "deadlines, the CPU ticks and message counts of CPU and IPC-rate limits, and the simulator's crash "
                "reports and console text are left out). Exits 0 when every sequence matches, 1 at a difference "
                "(the first one is shown with both events), 2 on bad input.");
    command->add_option("scenario", options->scenarios, "Scenario files marked timing_independent = true")->required();
    add_images_option(*command, options->images);
    command->add_flag("--any", options->any_scenario, "Also compare scenarios not marked timing_independent");
    add_metal_options(*command, options->metal);
    command->callback([options, &exit_status] { exit_status = diff(*options); });
}

} // namespace grove::sim

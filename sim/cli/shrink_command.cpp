// grovesim shrink SCENARIO --seed S -o MIN.toml: writes the run of SCENARIO with seed S as an explicit scenario
// (every fault its seed draws written out, the seed in every "{seed}" argument), then removes faults and groves
// and shortens the duration while the run still fails the same way (sim/runner/shrink.hpp), each candidate run in
// a child process of its own; writes the smallest failing scenario found, which `grovesim run` replays.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/images_option.hpp>
#include <sim/cli/seed_report.hpp>

#include <sim/runner/shrink.hpp>
#include <sim/scenario/fault_realization.hpp>
#include <sim/scenario/quantity_text.hpp>
#include <sim/scenario/scenario_parser.hpp>
#include <sim/scenario/scenario_writer.hpp>

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <optional>

namespace grove::sim {

namespace {

struct ShrinkCommandOptions {
    std::string scenario;
    std::optional<u64> seed;
    std::string output;
    ImageDirectories images;
    unsigned timeout_seconds = 60;
};

runner::ProbeOutcome probe(scenario::Scenario const& candidate, ShrinkCommandOptions const& options) {
    runner::IsolatedOutcome const outcome = runner::run_isolated(
        [&](runner::RunProgress* progress) {
            return report_seed_run(candidate, candidate.seed, options.images, progress);
        },
        options.timeout_seconds, runner::IsolatedOutput::Captured);
    runner::SeedRun const run = read_seed_run(candidate.seed, outcome);
    runner::ProbeOutcome seen;
    if (run.outcome == runner::SeedOutcome::BadInput) {
        seen.refused = true;
        seen.reason = run.failures.empty() ? std::string("bad input") : run.failures.front();
        return seen;
    }
    if (run.outcome == runner::SeedOutcome::Passed) return seen;
    for (std::string const& failure : run.failures) seen.failed.push_back(runner::failure_name(failure));
    return seen;
}

int shrink(ShrinkCommandOptions const& options) {
    auto parsed = scenario::parse_scenario_file(options.scenario, scenario::ParseOptions{});
    if (!parsed.has_value()) {
        fmt::print(stderr, "grovesim shrink: {}\n", parsed.error().text());
        return ExitBadInput;
    }
    scenario::Scenario const& s = parsed.value();
    u64 const seed = options.seed.value_or(s.seed);
    scenario::RealizedScenario realized = scenario::realize_faults(s, seed);
    if (!realized.error.empty()) {
        fmt::print(stderr, "grovesim shrink: {}: {}\n", options.scenario, realized.error);
        return ExitBadInput;
    }
    scenario::Scenario& explicit_scenario = realized.scenario;
    explicit_scenario.random_faults.clear();
    explicit_scenario.explore = scenario::Explore{};
    fmt::print("shrinking {} seed {}: {} groves, {} faults, duration {}\n", s.name, seed,
               explicit_scenario.groves.size(), explicit_scenario.faults.size(),
               scenario::format_duration(explicit_scenario.duration));

    runner::ShrinkResult result = runner::shrink_failure(explicit_scenario, [&](scenario::Scenario const& candidate) {
        return probe(candidate, options);
    });
    if (!result.error.empty()) {
        fmt::print(stderr, "grovesim shrink: {} --seed {}: {}\n", options.scenario, seed, result.error);
        return result.error.find("does not fail") != std::string::npos ? ExitFailure : ExitBadInput;
    }
    for (std::string const& step : result.steps) fmt::print("  {}\n", step);
    scenario::Scenario& minimal = result.scenario;
    minimal.name = s.name + "-min";
    minimal.description =
        fmt::format("{} seed {} shrunk ({} runs): fails '{}' with {} groves, {} faults, duration {} "
                    "(from {} groves, {} faults, {})",
                    s.name, seed, result.runs, result.failure, minimal.groves.size(), minimal.faults.size(),
                    scenario::format_duration(minimal.duration), explicit_scenario.groves.size(),
                    explicit_scenario.faults.size(), scenario::format_duration(explicit_scenario.duration));
    std::ofstream out(options.output, std::ios::trunc);
    out << fmt::format("# grovesim shrink {} --seed {}: every choice of that seed written out, then shrunk.\n",
                       options.scenario, seed)
        << scenario::format_scenario(minimal);
    if (!out) {
        fmt::print(stderr, "grovesim shrink: {}: cannot write the scenario\n", options.output);
        return ExitBadInput;
    }
    fmt::print("failure kept: {}\nshrunk in {} runs to {} groves, {} faults, duration {}; written to {}\n"
               "replay: grovesim run {}\n",
               result.failure, result.runs, minimal.groves.size(), minimal.faults.size(),
               scenario::format_duration(minimal.duration), options.output, options.output);
    return ExitSuccess;
}

} // namespace

void add_shrink_command(CLI::App& app, int& exit_status) {
    auto options = std::make_shared<ShrinkCommandOptions>();
    CLI::App* command = app.add_subcommand(
        "shrink", "Shrink a failing run: write the run of SCENARIO with --seed as an explicit scenario (every fault "
                  "the seed draws written out), then remove faults and groves and shorten the duration while the "
                  "run still fails with the same invariant or expectation, each candidate in a child process; write "
                  "the smallest scenario found to -o, which `grovesim run` replays and which fails the same way. "
                  "Exits 0 when written, 1 when the run does not fail, 2 on bad input.");
    command->add_option("scenario", options->scenario, "The scenario file (TOML)")->required();
    command->add_option("--seed", options->seed, "The failing seed (default: the scenario's)");
    command->add_option("-o,--output", options->output, "Where to write the shrunk scenario")->required();
    add_images_option(*command, options->images);
    command->add_option("--timeout", options->timeout_seconds,
                        "The wall-clock seconds one candidate run may take (default 60; 0: no limit)");
    command->callback([options, &exit_status] { exit_status = shrink(*options); });
}

} // namespace grove::sim

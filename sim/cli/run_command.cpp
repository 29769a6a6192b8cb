// grovesim run SCENARIO...: replays scenarios in the simulator and prints, for each, the trace, the verdict table
// and the digest. Each scenario runs in a child process of its own, so that one that takes the emulator down is
// reported (grove, pc, virtual time) and the next one still runs.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/scenario_directory.hpp>

#include <sim/runner/isolated_run.hpp>
#include <sim/runner/scenario_runner.hpp>
#include <sim/runner/timeline_text.hpp>
#include <sim/scenario/quantity_text.hpp>
#include <sim/scenario/scenario_parser.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace grove::sim {

namespace {

// The timeline shows this many events at most; --trace writes them all.
constexpr usize TimelineLimit = 60;

struct RunCommandOptions {
    std::vector<std::string> scenarios;
    std::optional<u64> seed;
    std::string trace_path;
    std::string images;
    std::string digests_path;
    std::string write_digests_path;
    bool quiet = false;
};

// A digests file: "<scenario name> <16 hex digits>" per line; '#' starts a comment.
struct DigestFile {
    std::map<std::string, u64> digests;
    std::string error;
};

DigestFile read_digests(std::string const& path) {
    DigestFile file;
    std::ifstream in(path);
    if (!in) {
        file.error = fmt::format("{}: cannot read the digests file; check the path", path);
        return file;
    }
    std::string line;
    for (u32 number = 1; std::getline(in, line); ++number) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::istringstream words(line);
        std::string name, digest_text, rest;
        if (!(words >> name)) continue;
        std::optional<u64> digest;
        if (words >> digest_text) digest = scenario::parse_digest_text(digest_text);
        if (!digest.has_value() || (words >> rest)) {
            file.error = fmt::format("{}:{}:1: expected '<scenario name> <16 hex digits>'; fix the line", path, number);
            return file;
        }
        file.digests[name] = *digest;
    }
    return file;
}

void print_header(std::string const& path, scenario::Scenario const& s, u64 seed) {
    fmt::print("== {} ({}) ==\n", s.name, path);
    if (!s.description.empty()) fmt::print("{}\n", s.description);
    fmt::print("seed {}, duration {}, {} groves, {} faults{}\n", seed, scenario::format_duration(s.duration),
               s.groves.size(), s.faults.size(), s.timing_independent ? ", timing independent" : "");
}

// Runs in the child: replays the scenario, prints and writes what was asked; returns the exit status.
int replay(std::string const& path, scenario::Scenario const& s, RunCommandOptions const& options,
           DigestFile const& digests, runner::RunProgress* progress) {
    runner::RunOptions run_options;
    if (!options.images.empty()) run_options.image_directory = options.images;
    run_options.seed = options.seed;
    run_options.progress = progress;
    runner::RunResult result = runner::run_scenario(s, run_options);
    if (!result.error.empty()) {
        fmt::print(stderr, "grovesim run: {}: {}\n", path, result.error);
        return ExitBadInput;
    }
    u64 const digest = result.trace.final_counters->digest;
    if (!options.digests_path.empty()) {
        auto const recorded = digests.digests.find(s.name);
        bool const found = recorded != digests.digests.end();
        bool const same = found && recorded->second == digest;
        result.verdict.rows.push_back(scenario::VerdictRow{
            fmt::format("digest recorded in {}", options.digests_path), same,
            found ? scenario::format_digest(recorded->second) : std::string("a recorded digest"),
            found ? scenario::format_digest(digest) : fmt::format("none for '{}'", s.name)});
    }
    print_header(path, s, result.seed);
    if (!options.quiet) {
        fmt::print("trace ({} events):\n", result.trace.events.size());
        fmt::print("{}", runner::format_timeline(result.trace.events, TimelineLimit));
    }
    fmt::print("{}", scenario::format_verdict_table(result.verdict));
    fmt::print("digest: {}\n\n", scenario::format_digest(digest));
    if (!options.trace_path.empty()) {
        std::ofstream out(options.trace_path, std::ios::binary | std::ios::trunc);
        scenario::write_trace(out, result.trace);
        if (!out) {
            fmt::print(stderr, "grovesim run: {}: cannot write the trace\n", options.trace_path);
            return ExitBadInput;
        }
    }
    if (!options.write_digests_path.empty()) {
        std::ofstream out(options.write_digests_path, std::ios::app);
        out << s.name << ' ' << scenario::format_digest(digest) << '\n';
    }
    return result.verdict.holds() ? ExitSuccess : ExitFailure;
}

int run(RunCommandOptions const& options) {
    if (!options.trace_path.empty() && options.scenarios.size() > 1) {
        fmt::print(stderr, "grovesim run: --trace writes one scenario's trace; give one scenario with it\n");
        return ExitBadInput;
    }
    DigestFile digests;
    if (!options.digests_path.empty()) {
        digests = read_digests(options.digests_path);
        if (!digests.error.empty()) {
            fmt::print(stderr, "grovesim run: {}\n", digests.error);
            return ExitBadInput;
        }
    }
    if (!options.write_digests_path.empty()) std::ofstream(options.write_digests_path, std::ios::trunc);

    int worst = ExitSuccess;
    auto note = [&](int status) {
        if (status > worst) worst = status;
    };
    for (std::string const& path : options.scenarios) {
        auto parsed = scenario::parse_scenario_file(path, scenario::ParseOptions{});
        if (!parsed.has_value()) {
            fmt::print(stderr, "grovesim run: {}\n", parsed.error().text());
            note(ExitBadInput);
            continue;
        }
        scenario::Scenario const& s = parsed.value();
        runner::IsolatedOutcome const outcome = runner::run_isolated(
            [&](runner::RunProgress* progress) { return replay(path, s, options, digests, progress); });
        if (outcome.died) {
            fmt::print("grovesim run: {}: {}\nverdict: FAIL (the run did not finish)\n\n", path, outcome.failure);
            note(ExitFailure);
            continue;
        }
        note(outcome.exit_status);
    }
    return worst;
}

} // namespace

void add_run_command(CLI::App& app, int& exit_status) {
    auto options = std::make_shared<RunCommandOptions>();
    CLI::App* command = app.add_subcommand(
        "run", "Replay scenario files in the simulator and print each one's trace, verdict table and digest. "
               "Exits 0 when every expectation holds, 1 when one fails, 2 on bad input (the file, line and column "
               "are named).");
    command->add_option("scenario", options->scenarios, "Scenario files (TOML); `grovesim list` names the shipped ones")
        ->required();
    command->add_option("--seed", options->seed, "Use this seed instead of the scenario's");
    command->add_option("--trace", options->trace_path, "Write the whole trace as JSON Lines to this file (one scenario)");
    command->add_option("--images", options->images,
                        fmt::format("The directory holding the grove images <name>.elf (default {})",
                                    runner::default_image_directory().string()));
    command->add_option("--digests", options->digests_path,
                        "Also check each scenario's digest against this file of '<scenario name> <digest>' lines");
    command->add_option("--write-digests", options->write_digests_path,
                        "Write '<scenario name> <digest>' for every scenario run to this file");
    command->add_flag("--quiet", options->quiet, "Print only the verdict tables and digests, not the traces");
    command->callback([options, &exit_status] { exit_status = run(*options); });
}

} // namespace grove::sim

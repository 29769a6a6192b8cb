// grovesim sweep SCENARIO --seeds A..B [--jobs N] [--shard I/N] [--json FILE]: runs one scenario once per seed,
// each run in a child process of its own (as `run` does), up to N at once; shows the progress, then a summary
// table and, for every failing seed, what failed and the line that reproduces it. grovesim sweep-merge FILE...
// joins the JSON results of shards of one sweep.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/images_option.hpp>
#include <sim/cli/report_option.hpp>
#include <sim/cli/seed_report.hpp>
#include <sim/runner/sweep_results.hpp>

#include <sim/runner/isolated_run.hpp>
#include <sim/runner/run_report.hpp>
#include <sim/runner/scenario_runner.hpp>
#include <sim/scenario/scenario_parser.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace grove::sim {

namespace {

using runner::SeedOutcome;
using runner::SeedRun;
using runner::SeedSweep;
using runner::SweepResults;
using Clock = std::chrono::steady_clock;

struct SweepCommandOptions {
    std::string scenario;
    std::string seeds;
    std::string shard;
    unsigned jobs = 1;
    unsigned timeout_seconds = 60;
    ImageDirectories images;
    std::string json_path;
    std::string report_format; // json or junit, with report_path
    std::string report_path;
};

// The progress: runs done, runs per second, failures so far and the time left; redrawn in place on a terminal,
// else a plain line at most every few seconds (and at the end).
class Progress {
public:
    explicit Progress(usize total)
        : m_total(total), m_start(Clock::now()), m_last(m_start), m_terminal(isatty(STDERR_FILENO) != 0) {}

    void show(usize done, usize failures, bool last) {
        Clock::time_point const now = Clock::now();
        auto const interval = m_terminal ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
        if (!last && now - m_last < interval) return;
        m_last = now;
        double const seconds = std::chrono::duration<double>(now - m_start).count();
        double const rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
        std::string const left =
            rate > 0 ? fmt::format("{:.0f}s left", static_cast<double>(m_total - done) / rate) : "time left unknown";
        std::string const line = fmt::format("sweep: {}/{} runs, {:.2f} runs/s, {} failure{}, {}", done, m_total, rate,
                                             failures, failures == 1 ? "" : "s", left);
        if (m_terminal) fmt::print(stderr, "\r{}\x1b[K{}", line, last ? "\n" : "");
        else fmt::print(stderr, "{}\n", line);
        std::fflush(stderr);
    }

    double seconds() const { return std::chrono::duration<double>(Clock::now() - m_start).count(); }

private:
    usize m_total;
    Clock::time_point m_start;
    Clock::time_point m_last;
    bool m_terminal;
};

bool write_json(std::string const& path, SweepResults const& results, char const* command) {
    if (path.empty()) return true;
    std::ofstream out(path, std::ios::trunc);
    out << runner::sweep_json(results);
    if (out) return true;
    fmt::print(stderr, "grovesim {}: {}: cannot write the results\n", command, path);
    return false;
}

int exit_status_of(SweepResults const& results) {
    if (results.count(SeedOutcome::BadInput) != 0) return ExitBadInput;
    return results.count(SeedOutcome::Passed) == results.runs.size() ? ExitSuccess : ExitFailure;
}

int sweep(SweepCommandOptions const& options) {
    std::optional<SeedSweep> range = runner::parse_seed_range(options.seeds);
    if (!range) {
        fmt::print(stderr, "grovesim sweep: --seeds {}: expected A..B, two seeds with A <= B (e.g. 1..1000)\n",
                   options.seeds);
        return ExitBadInput;
    }
    if (!options.shard.empty() && !runner::parse_shard(options.shard, *range)) {
        fmt::print(stderr, "grovesim sweep: --shard {}: expected I/N with 0 <= I < N (e.g. 0/4)\n", options.shard);
        return ExitBadInput;
    }
    std::optional<runner::ReportFormat> report_format;
    if (!options.report_path.empty()) {
        report_format = runner::report_format_from_name(options.report_format);
        if (!report_format) {
            fmt::print(stderr, "grovesim sweep: --report takes a format, json or junit, and a file: --report junit "
                               "results.xml\n");
            return ExitBadInput;
        }
    }
    auto parsed = scenario::parse_scenario_file(options.scenario, scenario::ParseOptions{});
    if (!parsed.has_value()) {
        fmt::print(stderr, "grovesim sweep: {}\n", parsed.error().text());
        return ExitBadInput;
    }
    scenario::Scenario const& s = parsed.value();

    SweepResults results;
    results.scenario = options.scenario;
    results.name = s.name;
    results.sweep = *range;
    results.shards = {range->shard_index};
    results.jobs = std::max(options.jobs, 1u);
    std::vector<u64> const seeds = range->seeds();
    results.runs.resize(seeds.size());

    struct Running {
        usize index;
        std::unique_ptr<runner::IsolatedChild> child;
    };
    std::vector<Running> running;
    usize next = 0, done = 0, failures = 0;
    Progress progress(seeds.size());
    while (done < seeds.size()) {
        while (running.size() < results.jobs && next < seeds.size()) {
            u64 const seed = seeds[next];
            running.push_back(Running{next++, std::make_unique<runner::IsolatedChild>(
                                                  [&, seed](runner::RunProgress* p) {
                                                      return report_seed_run(s, seed, options.images, p);
                                                  },
                                                  options.timeout_seconds, runner::IsolatedOutput::Captured)});
        }
        bool ended = false;
        for (usize i = 0; i < running.size();) {
            if (!running[i].child->poll()) {
                ++i;
                continue;
            }
            SeedRun run = read_seed_run(seeds[running[i].index], running[i].child->outcome());
            if (run.outcome != SeedOutcome::Passed) ++failures;
            results.runs[running[i].index] = std::move(run);
            running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
            ++done;
            ended = true;
        }
        progress.show(done, failures, done == seeds.size());
        if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    results.wall_seconds = progress.seconds();
    fmt::print("{}", runner::format_summary(results));
    if (!write_json(options.json_path, results, "sweep")) return ExitBadInput;
    if (report_format) {
        if (auto error = runner::write_report(runner::sweep_report(results), *report_format, options.report_path)) {
            fmt::print(stderr, "grovesim sweep: {}\n", *error);
            return ExitBadInput;
        }
    }
    return exit_status_of(results);
}

int merge(std::vector<std::string> const& paths, std::string const& json_path) {
    std::vector<SweepResults> shards(paths.size());
    for (usize i = 0; i < paths.size(); ++i) {
        if (auto error = runner::read_sweep_json(paths[i], shards[i])) {
            fmt::print(stderr, "grovesim sweep-merge: {}\n", *error);
            return ExitBadInput;
        }
    }
    SweepResults merged;
    if (auto error = runner::merge_sweeps(shards, merged)) {
        fmt::print(stderr, "grovesim sweep-merge: {}\n", *error);
        return ExitBadInput;
    }
    fmt::print("{}", runner::format_summary(merged));
    if (!write_json(json_path, merged, "sweep-merge")) return ExitBadInput;
    return exit_status_of(merged);
}

} // namespace

void add_sweep_command(CLI::App& app, int& exit_status) {
    auto options = std::make_shared<SweepCommandOptions>();
    CLI::App* command = app.add_subcommand(
        "sweep", "Run one scenario once per seed of --seeds A..B, each run in a child process of its own, up to "
                 "--jobs at once; show the progress (runs done, runs/s, failures, time left), then a summary table "
                 "and, for every failing seed, what failed and the `grovesim run SCENARIO --seed S` that reproduces "
                 "it. --shard I/N runs the seeds S with (S - A) % N == I only, so that N machines or batch jobs share "
                 "a sweep; `grovesim sweep-merge` joins their --json results. Exits 0 when every seed passed, 1 when "
                 "one failed or did not finish, 2 on bad input.");
    command->add_option("scenario", options->scenario, "The scenario file (TOML)")->required();
    command->add_option("--seeds", options->seeds, "The seeds, A..B inclusive")->required();
    command->add_option("--jobs", options->jobs, "Runs at once (default 1)")->check(CLI::Range(1u, 256u));
    command->add_option("--shard", options->shard, "Run shard I of N (0 <= I < N) of the seeds");
    command->add_option("--timeout", options->timeout_seconds,
                        "The wall-clock seconds a run may take before it is stopped and counted as not finished "
                        "(default 60; 0: no limit)");
    add_images_option(*command, options->images);
    command->add_option("--json", options->json_path,
                        "Write the results (per seed: outcome, digest, failures) as JSON");
    add_report_option(*command, options->report_format, options->report_path, "seed");
    command->callback([options, &exit_status] { exit_status = sweep(*options); });

    auto paths = std::make_shared<std::vector<std::string>>();
    auto json_path = std::make_shared<std::string>();
    CLI::App* merge_command = app.add_subcommand(
        "sweep-merge", "Join the --json results of the shards of one sweep (every shard once) and print the summary "
                       "table and the failing seeds as `grovesim sweep` does. Exits 0 when every seed passed, 1 when "
                       "one failed, 2 when the files are not the shards of one sweep.");
    merge_command->add_option("results", *paths, "The JSON results of the shards")->required();
    merge_command->add_option("--json", *json_path, "Write the joined results as JSON");
    merge_command->callback([paths, json_path, &exit_status] { exit_status = merge(*paths, *json_path); });
}

} // namespace grove::sim

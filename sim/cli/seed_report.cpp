#include <sim/cli/exit_status.hpp>
#include <sim/cli/seed_report.hpp>
#include <sim/runner/scenario_runner.hpp>

#include <fmt/format.h>

#include <sstream>

namespace grove::sim {

int report_seed_run(scenario::Scenario const& s, u64 seed, ImageDirectories const& images,
                    runner::RunProgress* progress) {
    runner::RunOptions options;
    options.image_directories = images;
    options.seed = seed;
    options.progress = progress;
    runner::RunResult const result = runner::run_scenario(s, options);
    if (!result.error.empty()) {
        fmt::print("error {}\n", result.error);
        return ExitBadInput;
    }
    fmt::print("digest {}\n", scenario::format_digest(result.trace.final_counters->digest));
    for (scenario::VerdictRow const& row : result.verdict.rows)
        if (!row.passed) fmt::print("failed {}: expected {}, seen {}\n", row.expectation, row.expected, row.seen);
    return result.verdict.holds() ? ExitSuccess : ExitFailure;
}

runner::SeedRun read_seed_run(u64 seed, runner::IsolatedOutcome const& outcome) {
    runner::SeedRun run;
    run.seed = seed;
    if (outcome.died) {
        run.outcome = runner::SeedOutcome::Unfinished;
        run.failures.push_back("the run did not finish: " + outcome.failure);
        return run;
    }
    std::istringstream lines(outcome.output);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("digest ", 0) == 0) run.digest = scenario::parse_digest_text(line.substr(7));
        else if (line.rfind("failed ", 0) == 0) run.failures.push_back(line.substr(7));
        else if (line.rfind("error ", 0) == 0) run.failures.push_back(line.substr(6));
    }
    run.outcome = outcome.exit_status == ExitSuccess   ? runner::SeedOutcome::Passed
                  : outcome.exit_status == ExitFailure ? runner::SeedOutcome::Failed
                                                       : runner::SeedOutcome::BadInput;
    if (run.outcome != runner::SeedOutcome::Passed && run.failures.empty())
        run.failures.push_back(fmt::format("the run ended with exit status {}", outcome.exit_status));
    return run;
}

} // namespace grove::sim

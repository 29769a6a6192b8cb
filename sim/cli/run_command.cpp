// grovesim run SCENARIO...: replays scenarios in the simulator (or, with --target metal, boots them on the bare-metal
// kernel in QEMU) and prints, for each, the trace, the verdict table and the digest. In the simulator each scenario
// runs in a child process of its own, so that one that takes the emulator down is reported (grove, pc, virtual
// time) and the next one still runs; on metal QEMU is that child, stopped after --timeout.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/images_option.hpp>
#include <sim/cli/report_option.hpp>
#include <sim/cli/metal_target.hpp>
#include <sim/cli/scenario_directory.hpp>

#include <sim/gdb/gdb_stub.hpp>
#include <sim/runner/isolated_run.hpp>
#include <sim/runner/run_report.hpp>
#include <sim/runner/scenario_runner.hpp>
#include <sim/runner/step_divergence.hpp>
#include <sim/runner/timeline_json.hpp>
#include <sim/runner/timeline_text.hpp>
#include <sim/scenario/fault_realization.hpp>
#include <sim/scenario/quantity_text.hpp>
#include <sim/scenario/scenario_parser.hpp>
#include <sim/scenario/untrusted_text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
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
    ImageDirectories images;
    std::string digests_path;
    std::string write_digests_path;
    bool quiet = false;    // one line per scenario and a summary line
    bool no_trace = false; // the verdict tables and digests, without the traces
    Target target = Target::Sim;
    MetalCommandOptions metal;
    unsigned repeat = 1; // metal: boots of each scenario, compared with each other
    std::string keep_disks;
    bool check_determinism = false;
    std::string timeline_path; // --timeline: the Chrome trace-event JSON of the run
    std::string report_format; // json or junit, with report_path
    std::string report_path;
    std::optional<u16> gdb_port; // --gdb: serve the GDB remote protocol (sim) or start QEMU's stub (metal)
};

// Where a run's human-readable output goes: standard output, unless the trace goes there (--trace -).
std::FILE* human_output(RunCommandOptions const& options) { return options.trace_path == "-" ? stderr : stdout; }

// Where the child of one scenario's run leaves its report case for the parent (--report).
std::string case_path(RunCommandOptions const& options) { return options.report_path + ".case"; }

runner::ReportCase report_case(std::string const& path, scenario::Scenario const& s, u64 seed,
                               scenario::Verdict const& verdict, std::optional<u64> digest) {
    runner::ReportCase c{s.name, path, seed, runner::SeedOutcome::Passed, digest, {}, std::nullopt};
    for (scenario::VerdictRow const& row : verdict.rows)
        if (!row.passed)
            c.failures.push_back(fmt::format("{}: expected {}, seen {}", row.expectation, row.expected, row.seen));
    if (!c.failures.empty()) c.outcome = runner::SeedOutcome::Failed;
    return c;
}

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

void print_header(std::string const& path, scenario::Scenario const& s, u64 seed, std::FILE* out = stdout) {
    fmt::print(out, "== {} ({}) ==\n", s.name, scenario::printable(path, 256));
    if (!s.description.empty()) fmt::print(out, "{}\n", s.description);
    fmt::print(out, "seed {}, duration {}, {} groves, {} faults{}\n", seed, scenario::format_duration(s.duration),
               s.groves.size(), s.faults.size(), s.timing_independent ? ", timing independent" : "");
    if (s.explore.quantum_jitter_percent != 0 || s.explore.change_per_mille != 0)
        fmt::print("schedule perturbed from seed {}: quantum jitter {}%, change points {} per mille\n", seed,
                   s.explore.quantum_jitter_percent, s.explore.change_per_mille);
    if (!s.draws_from_seed()) return;
    // The faults this seed draws, as the run applies them (and as its trace opens: swarm_choice, fault_planned).
    scenario::RealizedScenario const realized = scenario::realize_faults(s, seed);
    if (!realized.error.empty()) return;
    fmt::print(out, "drawn from seed {}{}:\n", seed, s.explore.swarm ? " (swarm)" : "");
    for (std::string const& line : scenario::describe_realization(realized)) fmt::print(out, "  {}\n", line);
}

// The verdict of a run that ended before its verdict could be made; the verdict line gives the reason up to its
// first ';' or line break.
// --quiet: the scenario's one line, "PASS  <name>  <path>  digest <hex>", or FAIL with how many expectations failed
// and the first of them.
std::string verdict_line(std::string const& path, scenario::Scenario const& s, scenario::Verdict const& verdict,
                         u64 digest) {
    usize failed = 0;
    std::string first;
    for (scenario::VerdictRow const& row : verdict.rows) {
        if (row.passed) continue;
        if (failed++ == 0) first = fmt::format("{}: expected {}, seen {}", row.expectation, row.expected, row.seen);
    }
    std::string const outcome = failed == 0 ? std::string()
                                            : fmt::format("  ({} of {} expectations failed; {})", failed,
                                                          verdict.rows.size(), scenario::printable(first, 200));
    return fmt::format("{}  {}  {}  digest {}{}\n", failed == 0 ? "PASS" : "FAIL", s.name,
                       scenario::printable(path, 256), scenario::format_digest(digest), outcome);
}

void print_unfinished(std::string const& path, std::string const& reason, std::FILE* out = stdout) {
    std::string const summary = reason.substr(0, reason.find_first_of(";\n"));
    fmt::print(out, "grovesim run: {}: the run did not finish: {}\nverdict: FAIL (the run did not finish: {})\n\n",
               scenario::printable(path, 256), reason, summary);
}

// --quiet: a run that did not finish, on one line.
void print_unfinished_line(std::string const& path, scenario::Scenario const& s, std::string const& reason,
                           std::FILE* out = stdout) {
    fmt::print(out, "FAIL  {}  {}  (the run did not finish: {})\n", s.name, scenario::printable(path, 256),
               scenario::printable(reason.substr(0, reason.find_first_of(";\n")), 200));
}

// Writes the trace to --trace when it was given; false (after a message) when it cannot be written.
bool write_trace_file(RunCommandOptions const& options, scenario::Trace const& trace) {
    if (options.trace_path.empty()) return true;
    if (options.trace_path == "-") {
        std::string const text = scenario::format_trace(trace);
        std::fwrite(text.data(), 1, text.size(), stdout);
        return std::fflush(stdout) == 0;
    }
    std::ofstream out(options.trace_path, std::ios::binary | std::ios::trunc);
    scenario::write_trace(out, trace);
    if (out) return true;
    fmt::print(stderr, "grovesim run: {}: cannot write the trace\n", options.trace_path);
    return false;
}

// --check-determinism: replays the scenario a second time in this process, step by step, and compares the two
// runs (every step's running hash and registers, every event and its stamp, the final record); adds the verdict row
// and returns the first divergence, if any.
std::optional<runner::RunDivergence> check_determinism(scenario::Scenario const& s, runner::RunOptions options,
                                                       runner::RunResult& first,
                                                       std::vector<runner::StepRecord> const& first_steps) {
    std::vector<runner::StepRecord> again_steps;
    options.steps = &again_steps;
    options.progress = nullptr;
    runner::RunResult const again = runner::run_scenario(s, options);
    std::optional<runner::RunDivergence> divergence =
        again.error.empty() ? runner::compare_runs(first.trace, first_steps, again.trace, again_steps)
                            : runner::RunDivergence{"the second run could not start: " + again.error, {}};
    u64 const steps = first.trace.final_counters->steps ? first.trace.final_counters->steps->step : 0;
    first.verdict.rows.push_back(scenario::VerdictRow{"determinism (run twice, step by step)", !divergence,
                                                      "the same steps, events and final record",
                                                      divergence ? divergence->summary
                                                                 : fmt::format("the same {} steps and {} events", steps,
                                                                               first.trace.events.size())});
    return divergence;
}

// Runs in the child: replays the scenario, prints and writes what was asked; returns the exit status.
int replay(std::string const& path, scenario::Scenario const& s, RunCommandOptions const& options,
           DigestFile const& digests, runner::RunProgress* progress) {
    runner::RunOptions run_options;
    run_options.image_directories = options.images;
    run_options.seed = options.seed;
    run_options.progress = progress;
    if (!options.keep_disks.empty()) run_options.keep_disks = options.keep_disks;
    std::vector<runner::StepRecord> steps;
    if (options.check_determinism || !options.timeline_path.empty()) run_options.steps = &steps;
    runner::RunResult result;
    if (options.gdb_port) {
        std::string error;
        auto connection = gdb::Connection::listen(*options.gdb_port, error);
        if (!connection) {
            fmt::print(stderr, "grovesim run: --gdb: {}\n", error);
            return ExitBadInput;
        }
        fmt::print(stderr, "gdb: waiting on 127.0.0.1:{} (target remote 127.0.0.1:{})\n", connection->port(),
                   connection->port());
        std::fflush(stderr);
        if (!connection->accept()) {
            fmt::print(stderr, "grovesim run: --gdb: no connection came\n");
            return ExitBadInput;
        }
        result = gdb::debug_scenario(s, run_options, std::move(*connection));
    } else {
        result = runner::run_scenario(s, run_options);
    }
    if (!result.error.empty()) {
        fmt::print(stderr, "grovesim run: {}: {}\n", path, result.error);
        return ExitBadInput;
    }
    std::optional<runner::RunDivergence> divergence;
    if (options.check_determinism) divergence = check_determinism(s, run_options, result, steps);
    u64 const digest = result.trace.final_counters->digest;
    if (!options.digests_path.empty()) {
        auto const recorded = digests.digests.find(s.name);
        bool const found = recorded != digests.digests.end();
        bool const same = found && recorded->second == digest;
        result.verdict.rows.push_back(
            scenario::VerdictRow{fmt::format("digest recorded in {}", options.digests_path), same,
                                 found ? scenario::format_digest(recorded->second) : std::string("a recorded digest"),
                                 found ? scenario::format_digest(digest) : fmt::format("none for '{}'", s.name)});
    }
    std::FILE* const human = human_output(options);
    if (options.quiet) {
        fmt::print(human, "{}", verdict_line(path, s, result.verdict, digest));
    } else {
        print_header(path, s, result.seed, human);
        if (!options.no_trace) {
            fmt::print(human, "trace ({} events):\n", result.trace.events.size());
            fmt::print(human, "{}", runner::format_timeline(result.trace.events, TimelineLimit));
        }
        fmt::print(human, "{}", scenario::format_verdict_table(result.verdict));
        if (divergence) {
            fmt::print(human, "first divergence: {}\n", divergence->summary);
            for (std::string const& line : divergence->details) fmt::print(human, "  {}\n", line);
        }
        fmt::print(human, "digest: {}\n", scenario::format_digest(digest));
        for (runner::DiskResult const& disk : result.disks)
            fmt::print(human, "disk {}: {} ({} unflushed sectors lost at the power cut){}\n", disk.path,
                       scenario::format_digest(disk.hash), disk.unflushed,
                       disk.kept.empty() ? "" : ", kept in " + disk.kept);
        if (result.display)
            fmt::print(human, "display: {}x{}x{}, picture {}\n", result.display->picture.width,
                       result.display->picture.height, result.display->picture.bpp,
                       scenario::format_digest(result.display->hash));
        fmt::print(human, "\n");
    }
    if (!write_trace_file(options, result.trace)) return ExitBadInput;
    if (!options.timeline_path.empty()) {
        std::ofstream out(options.timeline_path, std::ios::trunc);
        out << runner::timeline_json(result.trace, steps);
        if (!out) {
            fmt::print(stderr, "grovesim run: {}: cannot write the timeline\n", options.timeline_path);
            return ExitBadInput;
        }
    }
    if (!options.report_path.empty()) {
        std::ofstream out(case_path(options), std::ios::trunc);
        out << runner::report_case_line(report_case(path, s, result.seed, result.verdict, digest)) << '\n';
    }
    if (!options.write_digests_path.empty()) {
        std::ofstream out(options.write_digests_path, std::ios::app);
        out << s.name << ' ' << scenario::format_digest(digest) << '\n';
    }
    return result.verdict.holds() ? ExitSuccess : ExitFailure;
}

// ----- metal ----------------------------------------------------------------------------------------------------

// The digest a metal boot reports is the kernel's own (FNV-1a over the canonical events, timestamps included), and
// on metal virtual time includes the kernel's own instructions: it is never the simulator's. Expectations that
// compare with the simulator's recorded digest are therefore not checked on metal; they are listed under the
// table, and --repeat compares boots with each other instead.
std::vector<std::string> simulator_digest_expectations(scenario::Scenario const& s, RunCommandOptions const& options) {
    std::vector<std::string> skipped;
    if (s.expect.digest)
        skipped.push_back(fmt::format("trace digest {} (expect.digest)", scenario::format_digest(*s.expect.digest)));
    if (!options.digests_path.empty()) skipped.push_back(fmt::format("digest recorded in {}", options.digests_path));
    return skipped;
}

std::string times_text(unsigned count) { return count == 2 ? "twice" : fmt::format("{} times", count); }

// Rows comparing every later boot with the first: the kernel's digest, and the whole event stream.
void add_repeat_rows(std::vector<scenario::Trace> const& boots, scenario::Verdict& verdict) {
    if (boots.size() < 2) return;
    scenario::Trace const& first = boots.front();
    std::string const times = times_text(static_cast<unsigned>(boots.size()));
    scenario::VerdictRow digest{fmt::format("digest (metal, same boot {})", times), true,
                                scenario::format_digest(first.final_counters->digest), ""};
    scenario::VerdictRow stream{fmt::format("event stream (metal, same boot {})", times), true,
                                "identical, times included", "identical"};
    for (usize b = 1; b < boots.size(); ++b) {
        scenario::Trace const& other = boots[b];
        if (!digest.seen.empty()) digest.seen += ", ";
        digest.seen += scenario::format_digest(other.final_counters->digest);
        digest.passed = digest.passed && other.final_counters->digest == first.final_counters->digest;
        if (!stream.passed || (other.events == first.events && other.final_counters == first.final_counters)) continue;
        stream.passed = false;
        usize i = 0;
        while (i < other.events.size() && i < first.events.size() && other.events[i] == first.events[i]) ++i;
        stream.seen = i < other.events.size() || i < first.events.size()
                          ? fmt::format("boot {} differs at event {}: {}", b + 1, i + 1,
                                        i < other.events.size() ? scenario::format_event_line(other.events[i])
                                                                : std::string("(no more events)"))
                          : fmt::format("boot {} has other final counters", b + 1);
    }
    verdict.rows.push_back(std::move(digest));
    verdict.rows.push_back(std::move(stream));
}

// Boots the scenario on metal `options.repeat` times; prints and writes what was asked; returns the exit status.
int replay_on_metal(std::string const& path, scenario::Scenario s, RunCommandOptions const& options,
                    runner::Report* report) {
    if (options.seed) s.seed = *options.seed;
    if (auto reason = metal_host::metal_unsupported_reason(s)) {
        fmt::print(stderr, "grovesim run: {}: cannot run on metal: {}\n", path, *reason);
        return ExitBadInput;
    }
    metal_host::MetalOptions metal = metal_options(options.metal, options.images, path);
    if (!options.keep_disks.empty()) metal.keep_disks = options.keep_disks;
    if (options.gdb_port) {
        metal.gdb_port = options.gdb_port;
        auto script = metal_host::write_gdb_script(s, metal);
        if (!script) {
            fmt::print(stderr, "grovesim run: {}\n", script.error().text());
            return ExitBadInput;
        }
        fmt::print(stderr, "gdb: QEMU waits on 127.0.0.1:{}: gdb -x {}\n", *options.gdb_port, script.value().string());
        std::fflush(stderr);
    }
    std::vector<scenario::Trace> boots;
    std::vector<metal_host::MetalDisk> disks; // the first boot's
    std::optional<metal_host::MetalDisplay> display;
    for (unsigned b = 0; b < std::max(options.repeat, 1u); ++b) {
        auto booted = metal_host::run_on_metal(s, metal);
        if (!booted) {
            fmt::print(stderr, "grovesim run: {}\n", booted.error().text());
            return ExitBadInput;
        }
        if (!booted.value().completed()) {
            std::string const reason = fmt::format("boot {} on metal: {}", b + 1, booted.value().failure);
            if (options.quiet) {
                print_unfinished_line(path, s, reason);
                return ExitFailure;
            }
            print_header(path, s, s.seed);
            print_unfinished(path, reason);
            return ExitFailure;
        }
        if (boots.empty()) {
            disks = booted.value().disks;
            display = booted.value().display;
        }
        boots.push_back(std::move(booted.value().trace));
    }
    scenario::Trace const& trace = boots.front();

    std::vector<std::string> const skipped = simulator_digest_expectations(s, options);
    scenario::Scenario checked = s;
    checked.expect.digest.reset();
    scenario::Verdict verdict = scenario::evaluate_verdict(checked, trace);
    verdict.rows.push_back(
        trace.final_counters->memory
            ? scenario::memory_accounting_row(*trace.final_counters->memory)
            : scenario::VerdictRow{"memory accounting", false, "reported in the final record", "no memory counters"});
    add_repeat_rows(boots, verdict);

    if (options.quiet) {
        fmt::print("{}", verdict_line(path, s, verdict, trace.final_counters->digest));
    } else {
        print_header(path, s, s.seed);
        fmt::print("on metal: qemu-system-x86_64 -icount shift=0, {} boot, {}\n", options.metal.boot,
                   boots.size() == 1 ? std::string("one run") : fmt::format("{} runs compared", boots.size()));
        if (!options.no_trace) {
            fmt::print("trace ({} events):\n", trace.events.size());
            fmt::print("{}", runner::format_timeline(trace.events, TimelineLimit));
        }
        fmt::print("{}", scenario::format_verdict_table(verdict));
        for (std::string const& expectation : skipped)
            fmt::print("not checked on metal: {}: the simulator's digest; a metal trace has its own times and "
                       "digest{}\n",
                       expectation, boots.size() > 1 ? "" : " (--repeat 2 compares two boots instead)");
        fmt::print("digest: {}\n", scenario::format_digest(trace.final_counters->digest));
        for (metal_host::MetalDisk const& disk : disks)
            fmt::print("disk {}: {} (as QEMU left it: every sector written, flushed or not){}\n", disk.path,
                       scenario::format_digest(disk.hash), disk.kept.empty() ? "" : ", kept in " + disk.kept);
        if (display)
            fmt::print("display: {}x{}x{}, picture {} (read back from the framebuffer)\n", display->width,
                       display->height, display->bpp, scenario::format_digest(display->hash));
        fmt::print("\n");
    }
    if (!write_trace_file(options, trace)) return ExitBadInput;
    if (report != nullptr) report->cases.push_back(report_case(path, s, s.seed, verdict, trace.final_counters->digest));
    return verdict.holds() ? ExitSuccess : ExitFailure;
}

// The case the child of a run left for the report (and removes it), when --report was given and it left one.
std::optional<runner::ReportCase> read_case(RunCommandOptions const& options) {
    if (options.report_path.empty()) return std::nullopt;
    std::ifstream in(case_path(options));
    std::string line;
    std::getline(in, line);
    in.close();
    std::remove(case_path(options).c_str());
    return runner::read_report_case(line);
}

int run(RunCommandOptions const& options) {
    if (options.trace_path == "-" && options.target == Target::Metal) {
        fmt::print(stderr, "grovesim run: --trace - writes the simulator's trace to standard output; on metal, give "
                           "a file\n");
        return ExitBadInput;
    }
    if (!options.timeline_path.empty() && (options.scenarios.size() > 1 || options.target == Target::Metal)) {
        fmt::print(stderr, "grovesim run: --timeline writes one simulator run's timeline; give one scenario, without "
                           "--target metal\n");
        return ExitBadInput;
    }
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
    if (options.target == Target::Metal && !options.write_digests_path.empty()) {
        fmt::print(stderr, "grovesim run: --write-digests records the simulator's digests; run it without --target "
                           "metal\n");
        return ExitBadInput;
    }
    if (options.target == Target::Metal && options.check_determinism) {
        fmt::print(stderr, "grovesim run: --check-determinism compares two simulator runs step by step; on metal, "
                           "--repeat 2 compares two boots\n");
        return ExitBadInput;
    }
    if (options.target == Target::Sim && options.repeat != 1) {
        fmt::print(stderr, "grovesim run: --repeat compares boots on metal; the simulator gives the same trace on "
                           "every run (give --target metal)\n");
        return ExitBadInput;
    }
    if (options.gdb_port && *options.gdb_port == 0 && options.target == Target::Metal) {
        fmt::print(stderr, "grovesim run: --gdb 0 picks a port in the simulator only; QEMU needs the port: give one\n");
        return ExitBadInput;
    }
    if (options.gdb_port && (options.scenarios.size() != 1 || options.repeat != 1 || options.check_determinism)) {
        fmt::print(stderr, "grovesim run: --gdb debugs one run of one scenario: give one scenario, without --repeat "
                           "or --check-determinism\n");
        return ExitBadInput;
    }
    if (!options.write_digests_path.empty()) std::ofstream(options.write_digests_path, std::ios::trunc);

    std::optional<runner::ReportFormat> report_format;
    if (!options.report_path.empty() || !options.report_format.empty()) {
        report_format = runner::report_format_from_name(options.report_format);
        if (!report_format || options.report_path.empty()) {
            fmt::print(stderr, "grovesim run: --report takes a format, json or junit, and a file: --report junit "
                               "results.xml\n");
            return ExitBadInput;
        }
    }
    runner::Report report{"run", "grovesim run", {}};
    runner::Report* const reporting = report_format ? &report : nullptr;

    int worst = ExitSuccess;
    usize counts[3] = {0, 0, 0}; // scenarios that passed, failed, were bad input: by exit status
    auto note = [&](int status) {
        if (status > worst) worst = status;
        ++counts[status == ExitSuccess ? 0 : status == ExitFailure ? 1 : 2];
    };
    for (std::string const& path : options.scenarios) {
        auto parsed = scenario::parse_scenario_file(path, scenario::ParseOptions{});
        if (!parsed.has_value()) {
            fmt::print(stderr, "grovesim run: {}\n", parsed.error().text());
            note(ExitBadInput);
            report.cases.push_back(runner::ReportCase{path,
                                                      path,
                                                      options.seed.value_or(0),
                                                      runner::SeedOutcome::BadInput,
                                                      std::nullopt,
                                                      {parsed.error().text()},
                                                      std::nullopt});
            continue;
        }
        scenario::Scenario const& s = parsed.value();
        if (options.target == Target::Metal) {
            note(replay_on_metal(path, s, options, reporting));
            continue;
        }
        auto const started = std::chrono::steady_clock::now();
        if (options.gdb_port) { // in this process: a debugging session has no wall-clock bound
            note(replay(path, s, options, digests, nullptr));
            continue;
        }
        runner::IsolatedOutcome const outcome = runner::run_isolated(
            [&](runner::RunProgress* progress) { return replay(path, s, options, digests, progress); },
            options.metal.timeout_seconds);
        std::optional<runner::ReportCase> reported = read_case(options);
        if (outcome.died && options.quiet) {
            print_unfinished_line(path, s, outcome.failure, human_output(options));
        } else if (outcome.died) {
            print_header(path, s, options.seed.value_or(s.seed), human_output(options));
            print_unfinished(path, outcome.failure, human_output(options));
        }
        if (outcome.died) {
            note(ExitFailure);
            reported = runner::ReportCase{s.name,
                                          path,
                                          options.seed.value_or(s.seed),
                                          runner::SeedOutcome::Unfinished,
                                          std::nullopt,
                                          {"the run did not finish: " + outcome.failure},
                                          std::nullopt};
        } else {
            note(outcome.exit_status);
        }
        if (!reported)
            reported = runner::ReportCase{s.name,
                                          path,
                                          options.seed.value_or(s.seed),
                                          runner::SeedOutcome::BadInput,
                                          std::nullopt,
                                          {"the run could not start (see the messages above)"},
                                          std::nullopt};
        reported->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        report.cases.push_back(*reported);
    }
    if (options.quiet)
        fmt::print(human_output(options), "{} passed, {} failed{}\n", counts[0], counts[1],
                   counts[2] == 0 ? std::string() : fmt::format(", {} bad input", counts[2]));
    if (report_format) {
        if (auto error = runner::write_report(report, *report_format, options.report_path)) {
            fmt::print(stderr, "grovesim run: {}\n", *error);
            return ExitBadInput;
        }
    }
    return worst;
}

} // namespace

void add_run_command(CLI::App& app, int& exit_status) {
    auto options = std::make_shared<RunCommandOptions>();
    CLI::App* command = app.add_subcommand(
        "run", "Replay scenario files in the simulator (or boot them on the bare-metal kernel in QEMU with --target "
               "metal) and print each one's trace, verdict table and digest. Exits 0 when every expectation holds, "
               "1 when one fails (on metal also: a guest that did not finish), 2 on bad input (the file, line and "
               "column are named). On metal the digest is the kernel's, times included, so expectations on the "
               "simulator's digest are listed as not checked; --repeat 2 compares two boots instead.");
    command->add_option("scenario", options->scenarios, "Scenario files (TOML); `grovesim list` names the shipped ones")
        ->required();
    command->add_option("--seed", options->seed, "Use this seed instead of the scenario's");
    command->add_option("--trace", options->trace_path,
                        "Write the whole trace as JSON Lines to this file (one scenario); - writes it to standard "
                        "output, and everything else grovesim prints to standard error");
    add_report_option(*command, options->report_format, options->report_path, "scenario");
    command->add_option("--timeline", options->timeline_path,
                        "Write the run as a timeline in the Chrome trace-event format (JSON) that Perfetto and "
                        "chrome://tracing open: a track per grove and thread, running/blocked/ready/throttled "
                        "slices, instants for crashes, respawns and limit events, arrows from sends to deliveries "
                        "(one scenario)");
    add_images_option(*command, options->images);
    command->add_option("--digests", options->digests_path,
                        "Also check each scenario's digest against this file of '<scenario name> <digest>' lines");
    command->add_option("--write-digests", options->write_digests_path,
                        "Write '<scenario name> <digest>' for every scenario run to this file");
    command->add_option("--keep-disks", options->keep_disks,
                        "Keep each disk image as the run left it (flushed sectors only) in this directory, as "
                        "<scenario name>.disk<N>.img");
    command->add_flag("--quiet", options->quiet,
                      "Print one line per scenario (PASS or FAIL, its name, path and digest; for a failure how many "
                      "expectations failed and the first) and a summary line: '16 passed, 0 failed'");
    command->add_flag("--no-trace", options->no_trace,
                      "Print each scenario's verdict table and digest, without its trace");
    command->add_flag("--check-determinism", options->check_determinism,
                      "Replay each scenario twice and compare the runs step by step (every trap's running hash and "
                      "registers, every event); the verdict gets a row, and the first step where they part is "
                      "printed with both sides' grove, thread, time, trap, pc and registers");
    add_target_option(*command, options->target);
    add_metal_options(*command, options->metal);
    command
        ->add_option("--repeat", options->repeat,
                     "With --target metal: boot each scenario this many times; the verdict gets rows comparing "
                     "their digests and event streams")
        ->check(CLI::Range(1u, 100u));
    command->add_option("--gdb", options->gdb_port,
                        "Debug the run with gdb on 127.0.0.1:PORT (0: a free port, printed). In the simulator grovesim "
                        "serves the GDB remote protocol itself: a thread per grove thread, breakpoints, steps, "
                        "'monitor stop-at NS' and 'monitor time', reverse-stepi and reverse-continue (by replaying "
                        "the run), none of which changes the run's events or digest; the run waits for gdb and has "
                        "no --timeout. With --target metal QEMU starts halted with its own stub there, and a gdb "
                        "script that loads the kernel's and the groves' symbols is written and named");
    command->callback([options, &exit_status] { exit_status = run(*options); });
}

} // namespace grove::sim

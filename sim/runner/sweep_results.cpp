#include <sim/runner/sweep_results.hpp>
#include <sim/scenario/json_text.hpp>
#include <sim/scenario/trace.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>

namespace grove::runner {

namespace {

using Json = nlohmann::json;

std::optional<u64> parse_u64(std::string_view text) {
    u64 value = 0;
    auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::string shard_text(SweepResults const& results) {
    if (results.sweep.shard_count == 1) return "";
    if (results.shards.size() == results.sweep.shard_count)
        return fmt::format(", {} shards joined", results.sweep.shard_count);
    return fmt::format(", shard {}/{}", results.shards.empty() ? 0 : results.shards.front(), results.sweep.shard_count);
}

} // namespace

char const* outcome_name(SeedOutcome outcome) {
    switch (outcome) {
    case SeedOutcome::Passed: return "passed";
    case SeedOutcome::Failed: return "failed";
    case SeedOutcome::Unfinished: return "unfinished";
    case SeedOutcome::BadInput: return "bad-input";
    }
    return "?";
}

std::optional<SeedOutcome> outcome_named(std::string const& name) {
    for (SeedOutcome outcome :
         {SeedOutcome::Passed, SeedOutcome::Failed, SeedOutcome::Unfinished, SeedOutcome::BadInput})
        if (name == outcome_name(outcome)) return outcome;
    return std::nullopt;
}

std::vector<u64> SeedSweep::seeds() const {
    std::vector<u64> out;
    for (u64 seed = first + shard_index;; seed += shard_count) {
        if (seed > last || seed < first) break; // past the range, or wrapped around 2^64
        out.push_back(seed);
        if (last - seed < shard_count) break;
    }
    return out;
}

std::optional<SeedSweep> parse_seed_range(std::string const& text) {
    auto const dots = text.find("..");
    if (dots == std::string::npos) return std::nullopt;
    auto const first = parse_u64(std::string_view(text).substr(0, dots));
    auto const last = parse_u64(std::string_view(text).substr(dots + 2));
    if (!first || !last || *first > *last) return std::nullopt;
    SeedSweep sweep;
    sweep.first = *first;
    sweep.last = *last;
    return sweep;
}

bool parse_shard(std::string const& text, SeedSweep& sweep) {
    auto const slash = text.find('/');
    if (slash == std::string::npos) return false;
    auto const index = parse_u64(std::string_view(text).substr(0, slash));
    auto const count = parse_u64(std::string_view(text).substr(slash + 1));
    if (!index || !count || *count == 0 || *index >= *count) return false;
    sweep.shard_index = *index;
    sweep.shard_count = *count;
    return true;
}

usize SweepResults::count(SeedOutcome outcome) const {
    return static_cast<usize>(
        std::count_if(runs.begin(), runs.end(), [&](SeedRun const& run) { return run.outcome == outcome; }));
}

std::string format_summary(SweepResults const& r) {
    std::set<u64> digests;
    for (SeedRun const& run : r.runs)
        if (run.digest) digests.insert(*run.digest);
    double const rate = r.wall_seconds > 0 ? static_cast<double>(r.runs.size()) / r.wall_seconds : 0;
    std::string out = fmt::format("sweep {} ({}): seeds {}..{}{}, {} job{}\n", r.name, r.scenario, r.sweep.first,
                                  r.sweep.last, shard_text(r), r.jobs, r.jobs == 1 ? "" : "s");
    out += "| runs | passed | failed | did not finish | bad input | distinct digests | wall time | runs/s |\n";
    out += "|-----:|-------:|-------:|---------------:|----------:|-----------------:|----------:|-------:|\n";
    out += fmt::format("| {:>4} | {:>6} | {:>6} | {:>14} | {:>9} | {:>16} | {:>7.1f} s | {:>6.2f} |\n", r.runs.size(),
                       r.count(SeedOutcome::Passed), r.count(SeedOutcome::Failed), r.count(SeedOutcome::Unfinished),
                       r.count(SeedOutcome::BadInput), digests.size(), r.wall_seconds, rate);
    usize const failing = r.runs.size() - r.count(SeedOutcome::Passed);
    if (failing == 0) return out + "every seed passed\n";
    out += fmt::format("{} failing seed{}:\n", failing, failing == 1 ? "" : "s");
    bool first = true;
    for (SeedRun const& run : r.runs) {
        if (run.outcome == SeedOutcome::Passed) continue;
        out += fmt::format("seed {} {}:\n", run.seed, outcome_name(run.outcome));
        for (std::string const& failure : run.failures) out += fmt::format("  {}\n", failure);
        out += fmt::format("  reproduce: grovesim run {} --seed {}\n", r.scenario, run.seed);
        // The first failure is the one offered for shrinking (the others are usually the same bug again).
        if (first && run.outcome != SeedOutcome::BadInput)
            out += fmt::format("  shrink: grovesim shrink {} --seed {} -o {}-seed{}.min.toml\n", r.scenario, run.seed,
                               r.name, run.seed);
        first = false;
    }
    return out;
}

std::string sweep_json(SweepResults const& r) {
    Json runs = Json::array();
    for (SeedRun const& run : r.runs) {
        Json entry{{"seed", std::to_string(run.seed)},
                   {"outcome", outcome_name(run.outcome)},
                   {"failures", run.failures}};
        if (run.digest) entry["digest"] = scenario::format_digest(*run.digest);
        runs.push_back(std::move(entry));
    }
    Json shards = Json::array();
    for (u64 shard : r.shards) shards.push_back(shard);
    Json const document{{"scenario", r.scenario},
                        {"name", r.name},
                        {"first_seed", std::to_string(r.sweep.first)},
                        {"last_seed", std::to_string(r.sweep.last)},
                        {"shard_count", r.sweep.shard_count},
                        {"shards", shards},
                        {"jobs", r.jobs},
                        {"wall_seconds", r.wall_seconds},
                        {"runs", runs}};
    return scenario::json_text(document, 2) + "\n";
}

std::optional<std::string> read_sweep_json(std::string const& path, SweepResults& r) {
    std::ifstream in(path);
    if (!in) return fmt::format("{}: cannot read the sweep results; check the path", path);
    try {
        Json const document = Json::parse(in);
        r = SweepResults{};
        r.scenario = document.at("scenario").get<std::string>();
        r.name = document.at("name").get<std::string>();
        auto const first = parse_u64(document.at("first_seed").get<std::string>());
        auto const last = parse_u64(document.at("last_seed").get<std::string>());
        if (!first || !last || *first > *last)
            return fmt::format("{}: first_seed..last_seed is not a seed range", path);
        r.sweep.first = *first;
        r.sweep.last = *last;
        r.sweep.shard_count = document.at("shard_count").get<u64>();
        r.shards = document.at("shards").get<std::vector<u64>>();
        if (r.sweep.shard_count == 0 || r.shards.empty())
            return fmt::format("{}: shard_count and shards must name at least one shard", path);
        for (u64 shard : r.shards)
            if (shard >= r.sweep.shard_count) return fmt::format("{}: shard {} is not below shard_count", path, shard);
        r.sweep.shard_index = r.shards.front();
        r.jobs = document.at("jobs").get<unsigned>();
        r.wall_seconds = document.at("wall_seconds").get<double>();
        for (Json const& entry : document.at("runs")) {
            SeedRun run;
            auto const seed = parse_u64(entry.at("seed").get<std::string>());
            auto const outcome = outcome_named(entry.at("outcome").get<std::string>());
            if (!seed || !outcome) return fmt::format("{}: a run with a bad seed or outcome", path);
            run.seed = *seed;
            run.outcome = *outcome;
            run.failures = entry.at("failures").get<std::vector<std::string>>();
            if (entry.contains("digest")) {
                run.digest = scenario::parse_digest_text(entry.at("digest").get<std::string>());
                if (!run.digest) return fmt::format("{}: seed {}: the digest is not 16 hex digits", path, run.seed);
            }
            r.runs.push_back(std::move(run));
        }
    } catch (Json::exception const& error) {
        return fmt::format("{}: not the JSON results of a sweep (grovesim sweep --json): {}", path, error.what());
    }
    return std::nullopt;
}

std::optional<std::string> merge_sweeps(std::vector<SweepResults> const& shards, SweepResults& merged) {
    if (shards.empty()) return std::string("no sweep results to join");
    SweepResults const& first = shards.front();
    merged = SweepResults{};
    merged.scenario = first.scenario;
    merged.name = first.name;
    merged.sweep = first.sweep;
    merged.sweep.shard_index = 0;
    merged.jobs = 0;
    std::set<u64> held;
    for (SweepResults const& shard : shards) {
        if (shard.name != first.name || shard.sweep.first != first.sweep.first ||
            shard.sweep.last != first.sweep.last || shard.sweep.shard_count != first.sweep.shard_count)
            return fmt::format(
                "scenario '{}' seeds {}..{} in {} shards is another sweep than scenario '{}' seeds {}..{} "
                "in {} shards",
                shard.name, shard.sweep.first, shard.sweep.last, shard.sweep.shard_count, first.name, first.sweep.first,
                first.sweep.last, first.sweep.shard_count);
        for (u64 index : shard.shards)
            if (!held.insert(index).second)
                return fmt::format("shard {}/{} is given twice", index, first.sweep.shard_count);
        merged.runs.insert(merged.runs.end(), shard.runs.begin(), shard.runs.end());
        merged.wall_seconds += shard.wall_seconds;
        merged.jobs += shard.jobs;
    }
    std::string missing;
    for (u64 index = 0; index < first.sweep.shard_count; ++index)
        if (!held.contains(index))
            missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", index, first.sweep.shard_count);
    if (!missing.empty()) return fmt::format("shards missing: {}", missing);
    std::sort(merged.runs.begin(), merged.runs.end(),
              [](SeedRun const& a, SeedRun const& b) { return a.seed < b.seed; });
    merged.shards.assign(held.begin(), held.end());
    return std::nullopt;
}

} // namespace grove::runner

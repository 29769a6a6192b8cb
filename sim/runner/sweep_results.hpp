#pragma once
// The results of a sweep (grovesim sweep) or of several shards joined (grovesim sweep-merge): one record per seed,
// the summary table and the failures with the line that reproduces each, and the JSON form a shard writes
// (--json) and sweep-merge reads back.
#include <core/base/std.hpp>

#include <optional>
#include <string>
#include <vector>

namespace grove::runner {

// A sweep's seeds: first..last inclusive, of which shard `index` of `count` runs those with
// (seed - first) % count == index. Without --shard the one shard 0/1 runs them all.
struct SeedSweep {
    u64 first = 1;
    u64 last = 1;
    u64 shard_index = 0;
    u64 shard_count = 1;

    // The seeds this shard runs, in increasing order.
    std::vector<u64> seeds() const;
};

// "A..B" (A <= B); nullopt otherwise.
std::optional<SeedSweep> parse_seed_range(std::string const& text);
// "I/N" (0 <= I < N) into `sweep`; false otherwise.
bool parse_shard(std::string const& text, SeedSweep& sweep);

enum class SeedOutcome { Passed, Failed, Unfinished, BadInput };

// "passed", "failed", "unfinished", "bad-input" (in reports and JSON), and back (nothing for another name).
char const* outcome_name(SeedOutcome outcome);
std::optional<SeedOutcome> outcome_named(std::string const& name);

struct SeedRun {
    u64 seed = 0;
    SeedOutcome outcome = SeedOutcome::Passed;
    std::optional<u64> digest;         // the trace digest, when the run finished
    std::vector<std::string> failures; // the failed invariants and expectations, or why the run did not finish
    bool operator==(SeedRun const&) const = default;
};

struct SweepResults {
    std::string scenario; // the scenario file as given
    std::string name;     // the scenario's name
    SeedSweep sweep;
    std::vector<u64> shards;   // the shard indices these results hold (one for a shard, all after a merge)
    std::vector<SeedRun> runs; // in seed order
    double wall_seconds = 0;   // summed over shards after a merge
    unsigned jobs = 1;

    usize count(SeedOutcome outcome) const;
};

// The summary table, then each failing seed with what failed and `grovesim run SCENARIO --seed S`.
std::string format_summary(SweepResults const& results);

// The JSON form (seeds and digests as strings, exact for jq). read_sweep_json returns an error text on a file that
// is not one (naming the file and what is wrong).
std::string sweep_json(SweepResults const& results);
std::optional<std::string> read_sweep_json(std::string const& path, SweepResults& results);

// Joins shards of one sweep (same scenario, seeds and shard count; each shard once). An error text names what does
// not fit: another sweep, a shard twice, shards missing.
std::optional<std::string> merge_sweeps(std::vector<SweepResults> const& shards, SweepResults& merged);

} // namespace grove::runner

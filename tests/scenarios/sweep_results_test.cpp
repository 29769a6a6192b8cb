// The seeds of a sweep, their shards, and the results of shards joined (sim/runner/sweep_results.hpp).
#include <sim/runner/sweep_results.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

namespace grove::runner {
namespace {

std::string shard_text(u64 index, u64 count) { return std::to_string(index) + "/" + std::to_string(count); }

SeedSweep sweep_of(std::string const& seeds, std::string const& shard = "") {
    std::optional<SeedSweep> sweep = parse_seed_range(seeds);
    EXPECT_TRUE(sweep.has_value()) << seeds;
    if (!shard.empty()) { EXPECT_TRUE(parse_shard(shard, *sweep)) << shard; }
    return sweep.value_or(SeedSweep{});
}

TEST(SeedSweep, ParsesRangesAndRefusesOthers) {
    EXPECT_EQ(sweep_of("1..1000").seeds().size(), 1000u);
    EXPECT_EQ(sweep_of("7..7").seeds(), std::vector<u64>{7});
    EXPECT_EQ(sweep_of("18446744073709551614..18446744073709551615").seeds(),
              (std::vector<u64>{18446744073709551614ull, 18446744073709551615ull}));
    for (char const* bad : {"", "5", "5..", "..5", "9..3", "1...3", "a..b", "-1..3", "1..18446744073709551616"})
        EXPECT_FALSE(parse_seed_range(bad).has_value()) << bad;
    SeedSweep sweep;
    for (char const* bad : {"", "1", "2/2", "0/0", "/3", "1/", "-1/2", "a/b"})
        EXPECT_FALSE(parse_shard(bad, sweep)) << bad;
}

TEST(SeedSweep, ShardsPartitionTheSeedsDeterministically) {
    for (u64 count : {1u, 2u, 3u, 7u, 64u, 200u}) {
        std::multiset<u64> seen;
        for (u64 index = 0; index < count; ++index) {
            std::vector<u64> const seeds = sweep_of("5..104", shard_text(index, count)).seeds();
            EXPECT_EQ(seeds, sweep_of("5..104", shard_text(index, count)).seeds()); // the same every time
            // Round robin: the shards differ in size by one at most.
            EXPECT_LE(seeds.size(), 100 / count + 1);
            EXPECT_GE(seeds.size(), 100 / count);
            seen.insert(seeds.begin(), seeds.end());
        }
        std::vector<u64> const all = sweep_of("5..104").seeds();
        EXPECT_EQ(std::vector<u64>(seen.begin(), seen.end()), all) << count << " shards: every seed exactly once";
    }
    // The last seeds of the range, where a step could wrap around 2^64.
    EXPECT_EQ(sweep_of("18446744073709551613..18446744073709551615", "1/2").seeds(),
              std::vector<u64>{18446744073709551614ull});
}

SweepResults shard_results(u64 index, u64 count) {
    SweepResults results;
    results.scenario = "scenarios/sweeps/chaos.toml";
    results.name = "sweep-chaos";
    results.sweep = sweep_of("1..6", shard_text(index, count));
    results.shards = {index};
    results.wall_seconds = 1.5;
    for (u64 seed : results.sweep.seeds()) {
        SeedRun run{seed, SeedOutcome::Passed, 0x1000 + seed, {}};
        if (seed == 5) run = SeedRun{seed, SeedOutcome::Failed, 0xffff'ffff'ffff'fff5ull, {"invariant 'x' violated"}};
        results.runs.push_back(run);
    }
    return results;
}

TEST(SweepResults, MergeJoinsShardsInSeedOrder) {
    SweepResults merged;
    ASSERT_EQ(merge_sweeps({shard_results(2, 3), shard_results(0, 3), shard_results(1, 3)}, merged), std::nullopt);
    ASSERT_EQ(merged.runs.size(), 6u);
    for (usize i = 0; i < merged.runs.size(); ++i) EXPECT_EQ(merged.runs[i].seed, i + 1);
    EXPECT_EQ(merged.count(SeedOutcome::Failed), 1u);
    EXPECT_DOUBLE_EQ(merged.wall_seconds, 4.5);
    std::string const summary = format_summary(merged);
    EXPECT_NE(summary.find("3 shards joined"), std::string::npos) << summary;
    EXPECT_NE(summary.find("seed 5 failed:\n  invariant 'x' violated\n  reproduce: grovesim run "
                           "scenarios/sweeps/chaos.toml --seed 5"),
              std::string::npos)
        << summary;
}

TEST(SweepResults, MergeRefusesMissingRepeatedAndForeignShards) {
    SweepResults merged;
    EXPECT_EQ(merge_sweeps({shard_results(0, 3), shard_results(2, 3)}, merged), "shards missing: 1/3");
    EXPECT_EQ(merge_sweeps({shard_results(0, 2), shard_results(0, 2), shard_results(1, 2)}, merged),
              "shard 0/2 is given twice");
    SweepResults other = shard_results(1, 2);
    other.sweep.last = 7;
    EXPECT_NE(merge_sweeps({shard_results(0, 2), other}, merged).value_or("").find("another sweep"), std::string::npos);
}

TEST(SweepResults, JsonKeepsEverySeedAndDigestExact) {
    SweepResults const shard = shard_results(1, 2);
    std::filesystem::path const path = std::filesystem::temp_directory_path() / "grove_sweep_results_test.json";
    std::ofstream(path) << sweep_json(shard);
    SweepResults read;
    ASSERT_EQ(read_sweep_json(path.string(), read), std::nullopt);
    EXPECT_EQ(read.runs, shard.runs);
    EXPECT_EQ(read.sweep.first, 1u);
    EXPECT_EQ(read.sweep.shard_count, 2u);
    EXPECT_EQ(read.shards, std::vector<u64>{1});
    std::ofstream(path) << "{\"scenario\": 3}";
    EXPECT_NE(read_sweep_json(path.string(), read).value_or("").find("not the JSON results of a sweep"),
              std::string::npos);
    std::filesystem::remove(path);
}

} // namespace
} // namespace grove::runner

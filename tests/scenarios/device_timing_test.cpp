#include <sim/runner/scenario_runner.hpp>
#include <sim/scenario/scenario_parser.hpp>
#include <sim/scenario/verdict.hpp>

#include <gtest/gtest.h>

namespace grove::runner {
namespace {

// scenarios/block_service.toml (the ata grove serving a client's write, flush and read-back), its disk's timing
// seeded or fixed.
scenario::Scenario block_service(bool seeded_timing) {
    auto parsed =
        scenario::parse_scenario_file(GROVE_SOURCE_DIR "/scenarios/block_service.toml", scenario::ParseOptions{});
    EXPECT_TRUE(parsed.has_value()) << (parsed.has_value() ? "" : parsed.error().text());
    scenario::Scenario s = parsed.release_value();
    EXPECT_EQ(s.disks.size(), 1u);
    for (scenario::Disk& disk : s.disks) disk.seeded_timing = seeded_timing;
    return s;
}

// The run's digest; the run must pass its expectations (the client's blocks read back whole).
u64 digest_of(scenario::Scenario const& s, u64 seed) {
    RunOptions options;
    options.seed = seed;
    RunResult const result = run_scenario(s, options);
    EXPECT_TRUE(result.error.empty()) << result.error;
    EXPECT_TRUE(result.verdict.holds()) << "seed " << seed;
    EXPECT_TRUE(result.trace.final_counters.has_value());
    return result.trace.final_counters ? result.trace.final_counters->digest : 0;
}

TEST(SeededDiskTiming, TheSameSeedGivesTheSameDigest) {
    scenario::Scenario const s = block_service(true);
    EXPECT_EQ(digest_of(s, 7), digest_of(s, 7));
}

TEST(SeededDiskTiming, DifferentSeedsGiveDifferentDiskTimings) {
    // With fixed timing nothing in this scenario depends on the seed: two seeds, one digest. With seeded timing
    // the disk's latencies, hence the moments of its interrupts and the driver's wake-ups, differ.
    scenario::Scenario const fixed = block_service(false);
    EXPECT_EQ(digest_of(fixed, 1), digest_of(fixed, 2));
    scenario::Scenario const seeded = block_service(true);
    EXPECT_NE(digest_of(seeded, 1), digest_of(seeded, 2));
    EXPECT_NE(digest_of(seeded, 1), digest_of(fixed, 1));
}

} // namespace
} // namespace grove::runner

#include <sim/runner/scenario_runner.hpp>
#include <sim/scenario/fault_realization.hpp>
#include <sim/scenario/scenario_parser.hpp>

#include <gtest/gtest.h>

#include <set>

namespace grove::runner {
namespace {

scenario::Scenario sweep_scenario() {
    auto parsed = scenario::parse_scenario_file(GROVE_SOURCE_DIR "/scenarios/sweeps/random_crashes.toml",
                                                scenario::ParseOptions{});
    EXPECT_TRUE(parsed.has_value()) << (parsed.has_value() ? "" : parsed.error().text());
    return parsed.release_value();
}

RunResult run_seed(scenario::Scenario const& s, u64 seed) {
    RunOptions options;
    options.seed = seed;
    RunResult result = run_scenario(s, options);
    EXPECT_TRUE(result.error.empty()) << result.error;
    EXPECT_TRUE(result.trace.final_counters.has_value());
    return result;
}

TEST(RandomFaults, TheSameSeedGivesTheSameDigestAndTrace) {
    scenario::Scenario const s = sweep_scenario();
    RunResult const a = run_seed(s, 5);
    RunResult const b = run_seed(s, 5);
    EXPECT_EQ(a.trace.final_counters->digest, b.trace.final_counters->digest);
    EXPECT_TRUE(a.trace == b.trace);
}

TEST(RandomFaults, DifferentSeedsGiveDifferentDigests) {
    scenario::Scenario const s = sweep_scenario();
    std::set<u64> digests;
    for (u64 seed = 1; seed <= 4; ++seed) {
        RunResult const result = run_seed(s, seed);
        EXPECT_TRUE(result.verdict.holds()) << "seed " << seed;
        digests.insert(result.trace.final_counters->digest);
    }
    EXPECT_EQ(digests.size(), 4u);
}

TEST(RandomFaults, TheRealizedScheduleAndSwarmChoicesOpenTheTrace) {
    scenario::Scenario const s = sweep_scenario();
    RunResult const result = run_seed(s, 3);
    std::vector<scenario::TraceEvent> const& events = result.trace.events;
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events[0].kind, "swarm_choice");
    EXPECT_EQ(events[0].time, Ticks(0));
    usize planned = 0;
    usize injected = 0;
    for (scenario::TraceEvent const& event : events) {
        if (event.kind == "fault_planned") {
            EXPECT_EQ(event.time, Ticks(0));
            ++planned;
        }
        bool const announced = event.kind == "fault_injected" || event.kind == "killed" || event.kind == "hung" ||
                               event.kind == "memory_spike" || event.kind == "flood_started" ||
                               event.kind == "flood_stopped";
        if (announced) ++injected;
        // The scripted crash of echo is drawn from 5ms..15ms, before any random fault (16ms..40ms).
        if (injected == 1 && announced) {
            EXPECT_EQ(event.grove, "echo");
            EXPECT_GE(event.time, milliseconds(5));
            EXPECT_LE(event.time, milliseconds(15));
        }
    }
    EXPECT_GE(planned, 2u);
    EXPECT_EQ(planned, injected);
}

TEST(RandomFaults, ARangedMomentVariesWithTheSeed) {
    scenario::Scenario const s = sweep_scenario();
    std::set<u64> moments;
    for (u64 seed = 10; seed < 14; ++seed) {
        RunResult const result = run_seed(s, seed);
        for (scenario::TraceEvent const& event : result.trace.events)
            if (event.kind == "fault_injected" && event.grove == "echo") {
                moments.insert(event.time.value);
                break;
            }
    }
    EXPECT_EQ(moments.size(), 4u);
}

// A grove argument "{seed}" becomes the run's seed, so that a grove (chaos) draws from it; other arguments stay.
TEST(RandomFaults, ASeedArgumentIsTheRunsSeed) {
    auto parsed =
        scenario::parse_scenario_file(GROVE_SOURCE_DIR "/scenarios/sweeps/chaos.toml", scenario::ParseOptions{});
    ASSERT_TRUE(parsed.has_value()) << parsed.error().text();
    scenario::Scenario const& s = parsed.value();
    scenario::RealizedScenario const realized = scenario::realize_faults(s, 18446744073709551615ull);
    EXPECT_EQ(realized.scenario.find_grove("chaos")->args, (std::vector<std::string>{"18446744073709551615", "echo"}));
    EXPECT_EQ(realized.scenario.find_grove("client")->args, s.find_grove("client")->args);
    // Different seeds, different chaos: the digests of two seeds differ.
    EXPECT_NE(run_seed(s, 1).trace.final_counters->digest, run_seed(s, 2).trace.final_counters->digest);
}

scenario::Scenario interleavings(u32 jitter, u32 change) {
    auto parsed = scenario::parse_scenario_file(GROVE_SOURCE_DIR "/scenarios/sweeps/interleavings.toml",
                                                scenario::ParseOptions{});
    EXPECT_TRUE(parsed.has_value()) << (parsed.has_value() ? "" : parsed.error().text());
    scenario::Scenario s = parsed.release_value();
    s.explore.quantum_jitter_percent = jitter;
    s.explore.change_per_mille = change;
    return s;
}

// Schedule perturbation draws from the seed: the same seed replays the same interleaving, others differ.
TEST(SchedulePerturbation, TheSameSeedGivesTheSameTraceAndOtherSeedsOtherInterleavings) {
    scenario::Scenario const s = interleavings(50, 200);
    RunResult const a = run_seed(s, 7);
    RunResult const b = run_seed(s, 7);
    EXPECT_TRUE(a.trace == b.trace);
    std::set<u64> digests;
    for (u64 seed = 1; seed <= 4; ++seed) digests.insert(run_seed(s, seed).trace.final_counters->digest);
    EXPECT_EQ(digests.size(), 4u);
}

// Each setting alone perturbs the run; with both off the seed changes nothing in it.
TEST(SchedulePerturbation, EachSettingAlonePerturbsAndWithoutEitherTheSeedChangesNothing) {
    scenario::Scenario const off = interleavings(0, 0);
    u64 const plain = run_seed(off, 1).trace.final_counters->digest;
    EXPECT_EQ(run_seed(off, 2).trace.final_counters->digest, plain);
    EXPECT_NE(run_seed(interleavings(50, 0), 1).trace.final_counters->digest, plain);
    EXPECT_NE(run_seed(interleavings(0, 200), 1).trace.final_counters->digest, plain);
}

} // namespace
} // namespace grove::runner

#include <core/explore/fault_draw.hpp>
#include <core/explore/seed_streams.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

namespace grove {
namespace {

constexpr Ticks End = milliseconds(100);

RandomFaultRule crash_rule() {
    RandomFaultRule rule;
    rule.actions = fault_action_bit(FaultAction::Crash) | fault_action_bit(FaultAction::Kill) |
                   fault_action_bit(FaultAction::MemorySpike) | fault_action_bit(FaultAction::FloodStart);
    rule.groves = 0b0011;
    rule.flooders = 0b0100;
    rule.flood_target = 0;
    rule.window = TimeWindow{milliseconds(10), milliseconds(50)};
    rule.count = 12;
    rule.min_bytes = kibibytes(4);
    rule.max_bytes = kibibytes(64);
    rule.burst = TimeWindow{milliseconds(1), milliseconds(5)};
    return rule;
}

struct Draw {
    std::vector<FaultTemplate> scripted;
    std::vector<RandomFaultRule> rules;
    bool swarm = false;

    std::unique_ptr<FaultSchedule> run(u64 seed, Result<void>* result = nullptr) const {
        auto schedule = std::make_unique<FaultSchedule>();
        FaultDrawInput const input{seed, End, 4, {scripted.data(), scripted.size()}, {rules.data(), rules.size()},
                                   swarm};
        Result<void> const drawn = draw_fault_schedule(input, *schedule);
        if (result != nullptr) *result = drawn;
        else EXPECT_TRUE(drawn.has_value());
        return schedule;
    }
};

std::vector<u64> moments(FaultSchedule const& schedule) {
    std::vector<u64> out;
    for (PlanFault const& fault : schedule.faults) out.push_back(fault.at.value);
    return out;
}

bool same(FaultSchedule const& a, FaultSchedule const& b) {
    if (a.faults.size() != b.faults.size()) return false;
    for (usize i = 0; i < a.faults.size(); ++i) {
        PlanFault const& x = a.faults[i];
        PlanFault const& y = b.faults[i];
        if (x.at != y.at || x.action != y.action || x.grove != y.grove || x.target != y.target || x.bytes != y.bytes ||
            x.rate != y.rate)
            return false;
    }
    return true;
}

TEST(FaultDraw, TheSameSeedDrawsTheSameSchedule) {
    Draw draw;
    draw.rules = {crash_rule()};
    draw.swarm = true;
    EXPECT_TRUE(same(*draw.run(7), *draw.run(7)));
}

TEST(FaultDraw, DifferentSeedsDrawDifferentSchedules) {
    Draw draw;
    draw.rules = {crash_rule()};
    std::set<std::vector<u64>> seen;
    for (u64 seed = 1; seed <= 8; ++seed) seen.insert(moments(*draw.run(seed)));
    EXPECT_EQ(seen.size(), 8u);
}

TEST(FaultDraw, RangedMomentsStayInTheirRangeAndVary) {
    Draw draw;
    PlanFault crash;
    crash.grove = 1;
    draw.scripted = {FaultTemplate{TimeWindow{milliseconds(10), milliseconds(20)}, crash},
                     FaultTemplate{TimeWindow{milliseconds(30), milliseconds(30)}, crash}};
    std::set<u64> first;
    for (u64 seed = 0; seed < 200; ++seed) {
        auto const schedule = draw.run(seed);
        ASSERT_EQ(schedule->faults.size(), 2u);
        EXPECT_GE(schedule->faults[0].at, milliseconds(10));
        EXPECT_LE(schedule->faults[0].at, milliseconds(20));
        EXPECT_EQ(schedule->faults[1].at, milliseconds(30));
        first.insert(schedule->faults[0].at.value);
    }
    EXPECT_GT(first.size(), 150u);
}

TEST(FaultDraw, RandomFaultsHonourTheirRule) {
    Draw draw;
    draw.rules = {crash_rule()};
    for (u64 seed = 0; seed < 50; ++seed) {
        auto const schedule = draw.run(seed);
        usize starts = 0;
        for (usize i = 0; i < schedule->faults.size(); ++i) {
            PlanFault const& fault = schedule->faults[i];
            if (i > 0) { EXPECT_LE(schedule->faults[i - 1].at, fault.at); }
            if (fault.action == FaultAction::FloodStop) {
                EXPECT_EQ(fault.grove, 2);
                continue;
            }
            EXPECT_GE(fault.at, milliseconds(10));
            EXPECT_LE(fault.at, milliseconds(50));
            if (fault.action == FaultAction::FloodStart) {
                ++starts;
                EXPECT_EQ(fault.grove, 2);
                EXPECT_EQ(fault.target, 0);
            } else {
                EXPECT_LT(fault.grove, 2);
            }
            if (fault.action == FaultAction::MemorySpike) {
                EXPECT_GE(fault.bytes, kibibytes(4));
                EXPECT_LE(fault.bytes, kibibytes(64));
            } else {
                EXPECT_TRUE(fault.bytes.is_zero());
            }
        }
        EXPECT_EQ(schedule->faults.size() - starts, 12u); // every start before 100ms - 5ms has its stop
    }
}

TEST(FaultDraw, SwarmKeepsANonEmptySubsetThatDiffersBetweenSeeds) {
    Draw draw;
    draw.rules = {crash_rule()};
    draw.swarm = true;
    std::set<std::pair<u16, u64>> choices;
    for (u64 seed = 0; seed < 64; ++seed) {
        auto const schedule = draw.run(seed);
        ASSERT_EQ(schedule->choices.size(), 1u);
        SwarmChoice const& choice = schedule->choices[0];
        EXPECT_NE(choice.actions, 0);
        EXPECT_EQ(choice.actions & ~crash_rule().actions, 0);
        EXPECT_EQ(choice.groves & ~crash_rule().groves, 0u);
        EXPECT_GE(choice.count, 1u);
        EXPECT_LE(choice.count, 12u);
        choices.insert({choice.actions, choice.groves});
        for (PlanFault const& fault : schedule->faults) {
            FaultAction const kind = fault.action == FaultAction::FloodStop ? FaultAction::FloodStart : fault.action;
            EXPECT_NE(choice.actions & fault_action_bit(kind), 0) << "a fault of an action swarm left out";
        }
    }
    EXPECT_GT(choices.size(), 10u);
}

TEST(FaultDraw, AddingARuleDoesNotShiftTheOtherDraws) {
    Draw one;
    PlanFault crash;
    one.scripted = {FaultTemplate{TimeWindow{milliseconds(1), milliseconds(90)}, crash}};
    one.rules = {crash_rule()};
    Draw two = one;
    two.rules.push_back(crash_rule());
    auto const a = one.run(3);
    auto const b = two.run(3);
    std::vector<u64> const first = moments(*a);
    std::vector<u64> const second = moments(*b);
    for (u64 moment : first) EXPECT_NE(std::find(second.begin(), second.end(), moment), second.end());
}

TEST(FaultDraw, RefusesWhatARuleCannotDraw) {
    Result<void> result;
    Draw draw;
    draw.rules = {crash_rule()};
    draw.rules[0].actions |= fault_action_bit(FaultAction::FloodStop);
    (void)draw.run(1, &result);
    EXPECT_EQ(result.error(), Error::InvalidArgument);

    draw.rules = {crash_rule()};
    draw.rules[0].window = TimeWindow{milliseconds(10), End};
    (void)draw.run(1, &result);
    EXPECT_EQ(result.error(), Error::InvalidArgument);

    draw.rules = {crash_rule()};
    draw.rules[0].count = MaxPlanFaults;
    (void)draw.run(1, &result);
    EXPECT_EQ(result.error(), Error::NoCapacity);
}

TEST(SeedStream, StreamsOfOneSeedAreUnrelated) {
    std::set<u64> firsts;
    for (u64 stream = 1; stream <= 4; ++stream)
        for (u64 index = 0; index < 4; ++index)
            firsts.insert(stream_prng(42, static_cast<SeedStream>(stream), index).next());
    EXPECT_EQ(firsts.size(), 16u);
    EXPECT_NE(stream_seed(1, SeedStream::FaultTimes), stream_seed(2, SeedStream::FaultTimes));
}

} // namespace
} // namespace grove

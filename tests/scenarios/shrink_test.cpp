#include <sim/runner/shrink.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace grove::runner {
namespace {

using scenario::Fault;
using scenario::Scenario;

Scenario scenario_with(usize faults) {
    Scenario s;
    s.name = "shrink";
    s.duration = milliseconds(100);
    for (char const* name : {"echo", "client", "sleeper"}) {
        scenario::GroveSpec grove;
        grove.name = name;
        grove.image = name;
        s.groves.push_back(grove);
    }
    s.groves[1].capabilities.ipc_send = {"echo"};
    s.expect.final_states = {{"client", scenario::GroveState::Running}};
    for (usize i = 0; i < faults; ++i) {
        Fault fault;
        fault.at = milliseconds(10 + i);
        fault.action = i % 2 == 0 ? FaultAction::Crash : FaultAction::Kill;
        fault.grove = i == 6 ? "sleeper" : "echo";
        s.faults.push_back(fault);
    }
    return s;
}

bool has_fault_at(Scenario const& s, Ticks at) {
    return std::any_of(s.faults.begin(), s.faults.end(), [&](Fault const& f) { return f.at == at; });
}

// A failure that needs the faults at 12ms and 16ms (the sleeper's), and a run reaching 40ms.
ProbeOutcome needs_two_faults(Scenario const& s) {
    ProbeOutcome outcome;
    if (has_fault_at(s, milliseconds(12)) && has_fault_at(s, milliseconds(16)) && s.duration > milliseconds(40))
        outcome.failed = {"invariant: memory accounting", "final state of client"};
    return outcome;
}

TEST(Shrinker, KeepsOnlyTheFaultsTheFailureNeeds) {
    ShrinkResult const result = shrink_failure(scenario_with(10), needs_two_faults);
    ASSERT_TRUE(result.error.empty()) << result.error;
    EXPECT_EQ(result.failure, "invariant: memory accounting"); // the invariant, before the rows that follow from it
    ASSERT_EQ(result.scenario.faults.size(), 2u);
    EXPECT_EQ(result.scenario.faults[0].at, milliseconds(12));
    EXPECT_EQ(result.scenario.faults[1].at, milliseconds(16));
    EXPECT_EQ(needs_two_faults(result.scenario).failed.front(), result.failure); // it fails the same way
}

TEST(Shrinker, RemovesGrovesNoFaultNamesWithEveryMentionOfThem) {
    ShrinkResult const result = shrink_failure(scenario_with(10), needs_two_faults);
    std::vector<std::string> names;
    for (scenario::GroveSpec const& grove : result.scenario.groves) names.push_back(grove.name);
    EXPECT_EQ(names, (std::vector<std::string>{"echo", "sleeper"}));
    EXPECT_TRUE(result.scenario.expect.final_states.empty()); // it named the client
}

TEST(Shrinker, ShortensTheDurationToWhereTheFailureStillHappens) {
    ShrinkResult const result = shrink_failure(scenario_with(10), needs_two_faults);
    EXPECT_GT(result.scenario.duration, milliseconds(40));
    EXPECT_LE(result.scenario.duration, milliseconds(40) + microseconds(1));
}

TEST(Shrinker, KeepsNoCandidateThatFailsAnotherWay) {
    // Without the sleeper's fault the run still fails, but with another expectation: that is not the same bug.
    auto other_way = [](Scenario const& s) {
        ProbeOutcome outcome = needs_two_faults(s);
        if (outcome.failed.empty()) outcome.failed = {"final state of client"};
        return outcome;
    };
    ShrinkResult const result = shrink_failure(scenario_with(10), other_way);
    ASSERT_TRUE(result.error.empty());
    EXPECT_TRUE(has_fault_at(result.scenario, milliseconds(12)));
    EXPECT_TRUE(has_fault_at(result.scenario, milliseconds(16)));
}

TEST(Shrinker, RefusesARunThatDoesNotFail) {
    ShrinkResult const result = shrink_failure(scenario_with(3), [](Scenario const&) { return ProbeOutcome{}; });
    EXPECT_NE(result.error.find("does not fail"), std::string::npos);
    EXPECT_EQ(result.runs, 1u);
}

TEST(Shrinker, NamesAFailureByItsRow) {
    EXPECT_EQ(failure_name("invariant: memory accounting: expected holds at every check, seen violated at step 3"),
              "invariant: memory accounting");
    EXPECT_EQ(failure_name("the run did not finish: killed after 60 s at echo pc=0x401000"), "the run did not finish");
}

} // namespace
} // namespace grove::runner

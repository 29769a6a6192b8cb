#include <sim/runner/step_divergence.hpp>

#include <gtest/gtest.h>

namespace grove::runner {
namespace {

using scenario::StepStamp;
using scenario::Trace;
using scenario::TraceEvent;

Trace stamped_trace() {
    Trace trace;
    trace.events.push_back(TraceEvent{Ticks(0), "echo", 1, "loaded", {}});
    trace.events.push_back(TraceEvent{Ticks(10), "echo", 1, "started", {}});
    trace.events.push_back(TraceEvent{Ticks(900), "echo", 1, "crashed", {}}.with("kind", "fault"));
    trace.stamps = {StepStamp{0, 11}, StepStamp{0, 12}, StepStamp{7, 13}};
    scenario::FinalCounters end;
    end.steps = StepStamp{9, 14};
    trace.final_counters = end;
    return trace;
}

std::vector<StepRecord> steps(usize count) {
    std::vector<StepRecord> records;
    for (usize i = 0; i < count; ++i) {
        StepRecord step;
        step.step = i + 1;
        step.grove = "echo";
        step.generation = 1;
        step.thread = ThreadId{3, 1};
        step.kind = TrapKind::Syscall;
        step.pc = 0x401000 + i;
        step.registers.rax = i;
        step.hash = 100 + i;
        records.push_back(step);
    }
    return records;
}

TEST(StepDivergence, SameRunsHaveNone) {
    EXPECT_FALSE(compare_stamped_traces(stamped_trace(), stamped_trace()).has_value());
    EXPECT_FALSE(compare_runs(stamped_trace(), steps(9), stamped_trace(), steps(9)).has_value());
}

TEST(StepDivergence, FindsTheFirstEventThatDiffers) {
    Trace other = stamped_trace();
    other.events[2].fields[0].second = scenario::FieldValue::text("watchdog");
    auto const found = compare_stamped_traces(stamped_trace(), other);
    ASSERT_TRUE(found.has_value());
    EXPECT_NE(found->summary.find("part at event 3; they agree up to event 2 (step 0"), std::string::npos)
        << found->summary;
    ASSERT_EQ(found->details.size(), 2u);
    EXPECT_NE(found->details[1].find("\"kind\":\"watchdog\""), std::string::npos);
}

// The same event with another stamp: the traps before it differ, though no event shows it.
TEST(StepDivergence, SeesStepsThatDifferBetweenEqualEvents) {
    Trace other = stamped_trace();
    other.stamps[2] = StepStamp{7, 99};
    auto const found = compare_stamped_traces(stamped_trace(), other);
    ASSERT_TRUE(found.has_value());
    EXPECT_NE(found->summary.find("event 3 is the same on both sides, but the steps before it differ"),
              std::string::npos);
}

TEST(StepDivergence, SeesStepsThatDifferAfterTheLastEvent) {
    Trace other = stamped_trace();
    other.final_counters->steps = StepStamp{9, 15};
    auto const found = compare_stamped_traces(stamped_trace(), other);
    ASSERT_TRUE(found.has_value());
    EXPECT_NE(found->summary.find("after the last one"), std::string::npos);
}

TEST(StepDivergence, GivesTheFirstStepThatDiffersWithBothSidesRegisters) {
    std::vector<StepRecord> other = steps(9);
    other[4].registers.rax = 0xdead;
    other[4].hash = 555;
    auto const found = compare_runs(stamped_trace(), steps(9), stamped_trace(), other);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->summary, "the runs part at step 5 of 9 and 9");
    ASSERT_GE(found->details.size(), 3u);
    EXPECT_NE(found->details[0].find("last agreeing step 4"), std::string::npos);
    EXPECT_NE(found->details[1].find("A: step 5 at 0ns: echo gen 1 thread 3.1 syscall pc=0x401004"), std::string::npos)
        << found->details[1];
    EXPECT_NE(found->details[1].find("rax=0x4"), std::string::npos);
    EXPECT_NE(found->details[2].find("rax=0xdead"), std::string::npos);
}

} // namespace
} // namespace grove::runner

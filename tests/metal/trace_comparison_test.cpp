#include <sim/metal/trace_comparison.hpp>

#include <gtest/gtest.h>

namespace grove {
namespace {

using metal_host::compare_grove_sequences;
using metal_host::FieldRole;
using scenario::FieldValue;
using scenario::Trace;
using scenario::TraceEvent;

TraceEvent event(u64 time, std::string grove, u32 generation, std::string kind) {
    TraceEvent e;
    e.time = Ticks(time);
    e.grove = std::move(grove);
    e.generation = generation;
    e.kind = std::move(kind);
    return e;
}

// A crash and its respawn, and a warden that hears of it, at the given times; the console texts as the simulator
// writes them.
Trace crash_trace(u64 offset, bool simulator) {
    Trace trace;
    trace.events.push_back(event(offset + 10, "crasher", 1, "started"));
    TraceEvent fault = event(offset + 20, "crasher", 1, "fault");
    fault.with("trap", "page_fault").with("pc", u64{0x401000}).with("address", u64{0x10000000});
    if (simulator) fault.with("instruction", "mov qword ptr [rax], 1").with("symbol", "crash+0x4");
    trace.events.push_back(fault);
    TraceEvent notice = event(offset + 25, "warden", 1, "console");
    notice.with("length", u64{20 + offset % 7}).with("hash", u64{offset * 31});
    if (simulator) notice.with("text", "warden: crashed time=...");
    trace.events.push_back(notice);
    trace.events.push_back(event(offset + 20, "crasher", 1, "respawn_scheduled").with("delay", u64{1000000}));
    trace.events.push_back(event(offset + 1000020, "crasher", 2, "respawned").with("generation", u64{2}));
    trace.events.push_back(event(offset + 30, "echo", 1, "stopping").with("deadline", offset + 5000030));
    return trace;
}

TEST(TraceComparison, TimesAndTimingDependentFieldsAside) {
    auto const comparison = compare_grove_sequences(crash_trace(0, true), crash_trace(700, false));
    EXPECT_TRUE(comparison.same()) << metal_host::format_comparison(comparison);
    ASSERT_EQ(comparison.groves.size(), 3u);
    EXPECT_EQ(comparison.groves[0].grove, "crasher");
    EXPECT_EQ(comparison.groves[0].matching, 4u);
    EXPECT_NE(metal_host::format_comparison(comparison).find("sequences: SAME"), std::string::npos);
}

TEST(TraceComparison, ClassifiesTheFields) {
    TraceEvent cpu = event(0, "hog", 1, "limit_exceeded");
    cpu.with("resource", "cpu").with("requested", u64{2500}).with("limit", u64{2000});
    EXPECT_EQ(metal_host::field_role(cpu, "requested"), FieldRole::Timing);
    EXPECT_EQ(metal_host::field_role(cpu, "limit"), FieldRole::Compared);
    TraceEvent memory = event(0, "hog", 1, "limit_exceeded");
    memory.with("resource", "memory").with("requested", u64{8192});
    EXPECT_EQ(metal_host::field_role(memory, "requested"), FieldRole::Compared);
    TraceEvent fault = event(0, "c", 1, "fault");
    EXPECT_EQ(metal_host::field_role(fault, "pc"), FieldRole::Compared);
    EXPECT_EQ(metal_host::field_role(fault, "registers"), FieldRole::SimulatorOnly);
    EXPECT_EQ(metal_host::comparable_text(cpu), "gen=1 limit_exceeded resource=\"cpu\" limit=2000");
}

TEST(TraceComparison, ReportsTheFirstDifferenceWithBothEvents) {
    Trace simulator = crash_trace(0, true);
    Trace metal = crash_trace(700, false);
    metal.events[1].fields[1].second = FieldValue::unsigned_integer(0x401001); // another pc
    metal.events[4].generation = 3;                                            // a later difference
    auto const comparison = compare_grove_sequences(simulator, metal);
    ASSERT_FALSE(comparison.same());
    ASSERT_TRUE(comparison.first.has_value());
    EXPECT_EQ(comparison.first->grove, "crasher");
    EXPECT_EQ(comparison.first->position, 1u);
    ASSERT_TRUE(comparison.first->metal.has_value());
    EXPECT_EQ(comparison.first->metal->time, Ticks(720));
    std::string const text = metal_host::format_comparison(comparison);
    EXPECT_NE(text.find("first difference: grove 'crasher', its event 2"), std::string::npos) << text;
    EXPECT_NE(text.find("pc=4198401"), std::string::npos) << text;
    EXPECT_NE(text.find("DIFF  crasher   1 events match"), std::string::npos) << text;
}

TEST(TraceComparison, ASequenceThatEndsEarlyDiffers) {
    Trace simulator = crash_trace(0, true);
    Trace metal = crash_trace(0, false);
    metal.events.pop_back(); // echo's stopping
    metal.events.push_back(event(40, "other", 1, "started"));
    auto const comparison = compare_grove_sequences(simulator, metal);
    ASSERT_FALSE(comparison.same());
    EXPECT_EQ(comparison.first->grove, "echo");
    EXPECT_FALSE(comparison.first->metal.has_value());
    ASSERT_EQ(comparison.groves.size(), 4u);
    EXPECT_EQ(comparison.groves[3].grove, "other");
    EXPECT_EQ(comparison.groves[3].simulator_events, 0u);
    EXPECT_NE(metal_host::format_comparison(comparison).find("(no more events)"), std::string::npos);
}

} // namespace
} // namespace grove

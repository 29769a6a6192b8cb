// The runner's fault precision: a Fast run that meets a data fault is replayed with Exact, and every result (trace,
// crash reports, digest, verdict) is the one an Exact run gives.
#include <sim/runner/scenario_runner.hpp>
#include <sim/scenario/scenario_parser.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace grove::runner {
namespace {

// A crasher with `arguments` (respawned twice, so that a fault repeats) beside a spinner that keeps the timer busy
// and an echo with a client, so that the crash lands among preemptions and IPC.
scenario::Scenario crasher_scenario(std::vector<std::string> const& arguments) {
    std::string args;
    for (std::string const& argument : arguments) args += (args.empty() ? "\"" : ", \"") + argument + "\"";
    std::string const text = R"(
name = "precision"
seed = 5
duration = "12ms"

[[groves]]
name = "echo"
image = "echo"

[[groves]]
name = "client"
image = "client"
args = ["request", "30"]
start_at = "1ms"
[groves.capabilities]
ipc_send = ["echo"]

[[groves]]
name = "spinner"
image = "spinner"
args = ["forever"]

[[groves]]
name = "crasher"
image = "crasher"
args = [)" + args + R"(]
start_at = "2ms"
[groves.respawn]
policy = "limited"
max = 2
backoff_base = "1ms"
)";
    auto parsed = scenario::parse_scenario_string(text, "precision.toml", scenario::ParseOptions{});
    EXPECT_TRUE(parsed.has_value()) << (parsed.has_value() ? "" : parsed.error().text());
    return parsed.release_value();
}

RunResult run_with(scenario::Scenario const& s, sim::FaultPrecision precision) {
    RunOptions options;
    options.precision = precision;
    return run_scenario(s, options);
}

// The fault events of the crasher, in order.
std::vector<scenario::TraceEvent> faults_of_crasher(scenario::Trace const& trace) {
    std::vector<scenario::TraceEvent> faults;
    for (scenario::TraceEvent const& event : trace.events)
        if (event.kind == "fault" && event.grove == "crasher") faults.push_back(event);
    return faults;
}

std::string text_field(scenario::TraceEvent const& event, char const* key) {
    scenario::FieldValue const* value = event.field(key);
    return value == nullptr ? std::string("(none)") : value->to_string();
}

void expect_same_run(RunResult const& fast, RunResult const& exact) {
    ASSERT_TRUE(fast.error.empty()) << fast.error;
    ASSERT_TRUE(exact.error.empty()) << exact.error;
    ASSERT_TRUE(fast.trace.final_counters.has_value());
    EXPECT_EQ(fast.trace.final_counters->digest, exact.trace.final_counters->digest);
    EXPECT_TRUE(fast.trace == exact.trace);
    EXPECT_EQ(fast.verdict.holds(), exact.verdict.holds());
    EXPECT_EQ(fast.verdict.rows.size(), exact.verdict.rows.size());
}

TEST(FaultPrecision, AReadFaultInsideABlockIsReplayedWithItsExactPc) {
    scenario::Scenario const s = crasher_scenario({"null"});
    RunResult const fast = run_with(s, sim::FaultPrecision::Fast);
    RunResult const exact = run_with(s, sim::FaultPrecision::Exact);
    EXPECT_TRUE(fast.replayed);
    EXPECT_FALSE(exact.replayed);
    expect_same_run(fast, exact);
    // crash_null loads g_zero, then reads through it: the second instruction of its block.
    std::vector<scenario::TraceEvent> const faults = faults_of_crasher(fast.trace);
    ASSERT_EQ(faults.size(), 3u);
    for (scenario::TraceEvent const& fault : faults) {
        EXPECT_NE(text_field(fault, "symbol").find("crash_null()+0x7"), std::string::npos)
            << text_field(fault, "symbol");
        EXPECT_NE(text_field(fault, "instruction").find("mov rax, qword ptr [rax]"), std::string::npos);
    }
}

TEST(FaultPrecision, WriteFaultsAreReplayedExactly) {
    for (char const* mode : {"wild-write-grove", "wild-write-kernel", "stack-overflow"}) {
        scenario::Scenario const s = crasher_scenario({mode});
        RunResult const fast = run_with(s, sim::FaultPrecision::Fast);
        RunResult const exact = run_with(s, sim::FaultPrecision::Exact);
        EXPECT_TRUE(fast.replayed) << mode;
        expect_same_run(fast, exact);
        std::vector<scenario::TraceEvent> const faults = faults_of_crasher(fast.trace);
        ASSERT_EQ(faults.size(), 3u) << mode;
        EXPECT_EQ(text_field(faults[0], "access"), "write") << mode;
    }
}

TEST(FaultPrecision, FetchFaultsAndOtherTrapsNeedNoReplay) {
    for (char const* mode : {"jump-garbage", "ud2", "div0", "hlt", "int3", "out"}) {
        scenario::Scenario const s = crasher_scenario({mode});
        RunResult const fast = run_with(s, sim::FaultPrecision::Fast);
        RunResult const exact = run_with(s, sim::FaultPrecision::Exact);
        EXPECT_FALSE(fast.replayed) << mode;
        expect_same_run(fast, exact);
        EXPECT_EQ(faults_of_crasher(fast.trace).size(), 3u) << mode;
    }
}

TEST(FaultPrecision, ARunWithoutFaultsIsTheSameInBothPrecisions) {
    scenario::Scenario const s = crasher_scenario({"exit", "0"});
    RunResult const fast = run_with(s, sim::FaultPrecision::Fast);
    EXPECT_FALSE(fast.replayed);
    expect_same_run(fast, run_with(s, sim::FaultPrecision::Exact));
}

} // namespace
} // namespace grove::runner

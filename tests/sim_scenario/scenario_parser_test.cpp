#include <sim/scenario/scenario_parser.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <string>

namespace grove::scenario {
namespace {

Scenario parse_ok(std::string_view text) {
    auto parsed = parse_scenario_string(text, "test.toml", ParseOptions{});
    EXPECT_TRUE(parsed.has_value()) << (parsed.has_value() ? "" : parsed.error().text());
    if (!parsed.has_value()) return Scenario{};
    return parsed.release_value();
}

constexpr std::string_view Minimal = R"(
name = "minimal"
duration = "1s"
[[groves]]
name = "echo"
image = "echo"
)";

TEST(ScenarioParser, MinimalScenarioTakesEveryDefault) {
    Scenario const scenario = parse_ok(Minimal);
    EXPECT_EQ(scenario.name, "minimal");
    EXPECT_EQ(scenario.description, "");
    EXPECT_EQ(scenario.seed, 0u);
    EXPECT_EQ(scenario.duration, seconds(1));
    EXPECT_FALSE(scenario.timing_independent);
    ASSERT_EQ(scenario.groves.size(), 1u);
    GroveSpec const& echo = scenario.groves[0];
    EXPECT_EQ(echo.name, "echo");
    EXPECT_EQ(echo.image, "echo");
    EXPECT_TRUE(echo.args.empty());
    EXPECT_EQ(echo.priority, 16u);
    EXPECT_EQ(echo.start_at, Ticks(0));
    EXPECT_EQ(echo.stop_timeout, milliseconds(10));
    EXPECT_EQ(echo.capabilities, Capabilities{});
    // The origin's limits.
    EXPECT_EQ(echo.limits.memory, kibibytes(1536));
    EXPECT_EQ(echo.limits.threads, 4u);
    EXPECT_EQ(echo.limits.cpu_percent, 50u);
    EXPECT_EQ(echo.limits.file_handles, 256u);
    EXPECT_EQ(echo.limits.ipc_rate, 10'000u);
    EXPECT_EQ(echo.limits.ipc_burst, 1'000u);
    EXPECT_EQ(echo.limits.on_violation, ViolationPolicy::Deny);
    EXPECT_EQ(echo.respawn, Respawn{});
    EXPECT_EQ(echo.respawn.policy, RespawnPolicy::Never);
    EXPECT_TRUE(scenario.faults.empty());
    EXPECT_EQ(scenario.expect, Expectations{});
}

TEST(ScenarioParser, ReadsEveryGroveKey) {
    Scenario const scenario = parse_ok(R"(
name = "full"
description = "all keys"
seed = "0xffffffffffffffff"
duration = 2_000_000_000
timing_independent = true

[[groves]]
name = "server-1"
image = "echo"
args = ["a", "b c"]
priority = 31
start_at = "1500us"
stop_timeout = "5ms"
provides = ["network", "filesystem"]
[groves.capabilities]
io_ports = [[0x2f8, 0x2ff], [0x60, 0x60]]
physical = [[0xb8000, "4KiB"], [0x100000, 8192]]
ipc_send = ["peer", "*"]
ipc_receive = ["server-1"]
thread_create = true
memory_manage = true
filesystem = true
graphics = true
network = true
[groves.limits]
memory = "8MiB"
threads = 2
cpu_percent = 100
file_handles = 0
ipc_rate = 50
ipc_burst = 5
on_violation = "kill"
[groves.respawn]
policy = "limited"
max = 3
window = "500ms"
max_crashes_in_window = 0
backoff_base = "2ms"
backoff_cap = "2ms"
healthy_uptime = "1s"

[[groves]]
name = "peer"
image = "client"
)");
    EXPECT_EQ(scenario.description, "all keys");
    EXPECT_EQ(scenario.seed, ~u64{0});
    EXPECT_EQ(scenario.duration, seconds(2));
    EXPECT_TRUE(scenario.timing_independent);
    ASSERT_EQ(scenario.groves.size(), 2u);
    GroveSpec const& grove = scenario.groves[0];
    EXPECT_EQ(grove.args, (std::vector<std::string>{"a", "b c"}));
    EXPECT_EQ(grove.priority, 31u);
    EXPECT_EQ(grove.start_at, microseconds(1500));
    EXPECT_EQ(grove.stop_timeout, milliseconds(5));
    Capabilities expected_capabilities;
    expected_capabilities.io_ports = {{0x2f8, 0x2ff}, {0x60, 0x60}};
    expected_capabilities.physical = {{0xb8000, Bytes(4096)}, {0x100000, Bytes(8192)}};
    expected_capabilities.ipc_send = {"peer", "*"};
    expected_capabilities.ipc_receive = {"server-1"};
    expected_capabilities.thread_create = true;
    expected_capabilities.memory_manage = true;
    expected_capabilities.filesystem = true;
    expected_capabilities.graphics = true;
    expected_capabilities.network = true;
    EXPECT_EQ(grove.capabilities, expected_capabilities);
    EXPECT_EQ(grove.limits, (Limits{mebibytes(8), 2, 100, 0, 50, 5, ViolationPolicy::Kill}));
    EXPECT_EQ(grove.respawn,
              (Respawn{RespawnPolicy::Limited, 3, milliseconds(500), 0, milliseconds(2), milliseconds(2), seconds(1)}));
    EXPECT_EQ(grove.provides, (std::vector<std::string>{"filesystem", "network"})); // in a fixed order
    EXPECT_EQ(scenario.groves[1].name, "peer");
    EXPECT_TRUE(scenario.groves[1].provides.empty());
}

TEST(ScenarioParser, BurstDefaultsToATenthOfTheRate) {
    Scenario const scenario = parse_ok(R"(
name = "x"
duration = "1s"
[[groves]]
name = "a"
image = "echo"
limits = { ipc_rate = 5 }
)");
    EXPECT_EQ(scenario.groves[0].limits.ipc_rate, 5u);
    EXPECT_EQ(scenario.groves[0].limits.ipc_burst, 1u);
}

TEST(ScenarioParser, ReadsFaultsSortedByTimeKeepingFileOrderOnTies) {
    Scenario const scenario = parse_ok(R"(
name = "faults"
duration = "1s"
[[groves]]
name = "a"
image = "flooder"
[[groves]]
name = "b"
image = "echo"
[[faults]]
at = "300ms"
action = "flood-stop"
grove = "a"
[[faults]]
at = "100ms"
action = "flood-start"
grove = "a"
target = "b"
rate = 5000
[[faults]]
at = "100ms"
action = "memory-spike"
grove = "b"
bytes = "1MiB"
[[faults]]
at = 0
action = "crash"
grove = "b"
[[faults]]
at = "400ms"
action = "kill"
grove = "b"
[[faults]]
at = "400ms"
action = "hang"
grove = "a"
[[faults]]
at = "500ms"
action = "stop"
grove = "a"
[[faults]]
at = "600ms"
action = "restart"
grove = "a"
)");
    std::vector<Fault> const expected{
        {Ticks(0), FaultAction::Crash, "b", Bytes(0), "", 0, {}},
        {milliseconds(100), FaultAction::FloodStart, "a", Bytes(0), "b", 5000, {}},
        {milliseconds(100), FaultAction::MemorySpike, "b", mebibytes(1), "", 0, {}},
        {milliseconds(300), FaultAction::FloodStop, "a", Bytes(0), "", 0, {}},
        {milliseconds(400), FaultAction::Kill, "b", Bytes(0), "", 0, {}},
        {milliseconds(400), FaultAction::Hang, "a", Bytes(0), "", 0, {}},
        {milliseconds(500), FaultAction::Stop, "a", Bytes(0), "", 0, {}},
        {milliseconds(600), FaultAction::Restart, "a", Bytes(0), "", 0, {}},
    };
    EXPECT_EQ(scenario.faults, expected);
}

TEST(ScenarioParser, ReadsEveryExpectationKind) {
    Scenario const scenario = parse_ok(R"(
name = "expect"
duration = "1s"
[[groves]]
name = "b"
image = "echo"
[[groves]]
name = "a"
image = "crasher"
[expect]
final_state = { b = "running", a = "quarantined" }
counts = [
  { grove = "a", crashes = 3, respawns = { min = 1, max = 2 } },
  { grove = "b", messages_sent = { min = 4 }, messages_delivered = { max = 9 }, messages_refused = 0 },
  { grove = "b", messages_queued = 1 },
]
sequence = [
  [{ event = "crashed", grove = "a", gen = 1, kind = "fault", code = -11 }, { event = "gave_up" }],
]
absent = [{ event = "console", text = "panic" }]
ipc_accounting = true
digest = "00FF00ff00ff00ff"
)");
    Expectations const& expect = scenario.expect;
    EXPECT_EQ(expect.final_states, (std::vector<std::pair<std::string, GroveState>>{{"b", GroveState::Running},
                                                                                    {"a", GroveState::Quarantined}}));
    ASSERT_EQ(expect.counts.size(), 3u);
    EXPECT_EQ(expect.counts[0].grove, "a");
    EXPECT_EQ(expect.counts[0].crashes, (CountRange{3, 3}));
    EXPECT_EQ(expect.counts[0].respawns, (CountRange{1, 2}));
    EXPECT_FALSE(expect.counts[0].messages_sent.has_value());
    EXPECT_EQ(expect.counts[1].messages_sent, (CountRange{4, ~u64{0}}));
    EXPECT_EQ(expect.counts[1].messages_delivered, (CountRange{0, 9}));
    EXPECT_EQ(expect.counts[1].messages_refused, (CountRange{0, 0}));
    EXPECT_FALSE(expect.counts[1].messages_queued.has_value());
    EXPECT_EQ(expect.counts[2].messages_queued, (CountRange{1, 1}));
    ASSERT_EQ(expect.sequences.size(), 1u);
    ASSERT_EQ(expect.sequences[0].size(), 2u);
    EventMatcher const& crashed = expect.sequences[0][0];
    EXPECT_EQ(crashed.event, "crashed");
    EXPECT_EQ(crashed.grove, "a");
    EXPECT_EQ(crashed.generation, 1u);
    EXPECT_EQ(crashed.fields, (std::vector<std::pair<std::string, FieldValue>>{{"kind", FieldValue::text("fault")},
                                                                               {"code", FieldValue::integer(-11)}}));
    EXPECT_EQ(expect.sequences[0][1], (EventMatcher{"gave_up", std::nullopt, std::nullopt, {}}));
    ASSERT_EQ(expect.absent.size(), 1u);
    EXPECT_EQ(expect.absent[0].fields[0].second, FieldValue::text("panic"));
    EXPECT_TRUE(expect.ipc_accounting);
    EXPECT_EQ(expect.digest, 0x00ff00ff00ff00ffULL);
}

TEST(ScenarioParser, CountsMayBeSections) {
    Scenario const scenario = parse_ok(R"(
name = "x"
duration = "1s"
[[groves]]
name = "a"
image = "echo"
[[expect.counts]]
grove = "a"
messages_sent = 100
[[expect.counts]]
grove = "a"
crashes = { max = 1 }
)");
    ASSERT_EQ(scenario.expect.counts.size(), 2u);
    EXPECT_EQ(scenario.expect.counts[0].messages_sent, (CountRange{100, 100}));
    EXPECT_EQ(scenario.expect.counts[1].crashes, (CountRange{0, 1}));
}

// A scenario of one grove, `a`, whose image is `image` (on line 5).
auto parse_with_image(std::string const& image) {
    return parse_scenario_string("name = \"x\"\nduration = \"1s\"\n[[groves]]\nname = \"a\"\nimage = \"" + image +
                                     "\"\n",
                                 "t.toml", ParseOptions{});
}

TEST(ScenarioParser, AcceptsAnyImageName) {
    for (char const* image : {"custom", "pong", "My_Service-2", "v1.2"}) {
        auto const parsed = parse_with_image(image);
        ASSERT_TRUE(parsed.has_value()) << image;
        EXPECT_EQ(parsed.value().groves[0].image, image);
    }
}

TEST(ScenarioParser, AcceptsAWorldTreeObjectAsImage) {
    auto const parsed = parse_with_image("world-tree:/groves/echo");
    ASSERT_TRUE(parsed.has_value()) << parsed.error().text();
    EXPECT_EQ(parsed.value().groves[0].image, "world-tree:/groves/echo");
}

TEST(ScenarioParser, RefusesAMalformedWorldTreeObject) {
    for (char const* image : {"world-tree:", "world-tree:groves/echo", "world-tree:/", "world-tree:/a b"}) {
        auto const parsed = parse_with_image(image);
        ASSERT_FALSE(parsed.has_value()) << image;
        EXPECT_NE(parsed.error().text().find("not a valid World-Tree object"), std::string::npos) << image;
        EXPECT_EQ(parsed.error().line, 5u) << image;
    }
}

TEST(ScenarioParser, EveryExampleFileParses) {
    std::string const folder = std::string(GROVE_SOURCE_DIR) + "/scenarios/examples/";
    for (char const* file : {"crash_respawn.toml", "ipc_flood.toml", "resource_limits.toml", "lifecycle.toml"}) {
        auto const parsed = parse_scenario_file(folder + file, ParseOptions{});
        EXPECT_TRUE(parsed.has_value()) << file << ": " << (parsed.has_value() ? "" : parsed.error().text());
    }
}

TEST(ScenarioParser, ExampleFileParsesToTheExpectedModel) {
    auto const parsed =
        parse_scenario_file(std::string(GROVE_SOURCE_DIR) + "/scenarios/examples/crash_respawn.toml", ParseOptions{});
    ASSERT_TRUE(parsed.has_value());
    Scenario const& scenario = parsed.value();
    EXPECT_EQ(scenario.name, "crash-respawn");
    EXPECT_EQ(scenario.seed, 42u);
    EXPECT_EQ(scenario.duration, seconds(2));
    EXPECT_TRUE(scenario.timing_independent);
    ASSERT_EQ(scenario.groves.size(), 2u);
    EXPECT_EQ(scenario.groves[0].capabilities.ipc_receive, std::vector<std::string>{"*"});
    EXPECT_EQ(scenario.groves[1].args, std::vector<std::string>{"null"});
    EXPECT_EQ(scenario.groves[1].start_at, milliseconds(5));
    EXPECT_EQ(scenario.groves[1].respawn,
              (Respawn{RespawnPolicy::Limited, 2, seconds(1), 5, milliseconds(1), milliseconds(8), milliseconds(100)}));
    EXPECT_TRUE(scenario.expect.ipc_accounting);
    ASSERT_EQ(scenario.expect.counts.size(), 2u);
    EXPECT_EQ(scenario.expect.counts[0].crashes, (CountRange{3, 3}));
    EXPECT_EQ(scenario.expect.counts[0].respawns, (CountRange{2, 2}));
    EXPECT_EQ(scenario.expect.counts[1].messages_delivered, (CountRange{4, 4}));
    ASSERT_EQ(scenario.expect.sequences.size(), 1u);
    ASSERT_EQ(scenario.expect.sequences[0].size(), 8u);
    EventMatcher const& fault = scenario.expect.sequences[0][0];
    EXPECT_EQ(fault.event, "fault");
    EXPECT_EQ(fault.grove, "crasher");
    EXPECT_EQ(fault.generation, 1u);
    EXPECT_EQ(fault.fields, (std::vector<std::pair<std::string, FieldValue>>{{"trap", FieldValue::text("page_fault")},
                                                                             {"access", FieldValue::text("read")},
                                                                             {"address", FieldValue::integer(0)}}));
    EXPECT_EQ(scenario.expect.sequences[0][6], (EventMatcher{"gave_up", "crasher", std::nullopt, {}}));
    EXPECT_EQ(scenario.expect.absent.size(), 2u);
    ASSERT_NE(scenario.find_grove("crasher"), nullptr);
    EXPECT_EQ(scenario.find_grove("crasher")->image, "crasher");
    EXPECT_EQ(scenario.find_grove("nobody"), nullptr);
}

// The examples name the programs' real arguments and the trace's real fields (limit_exceeded carries `resource`,
// its `limit` is the number of the limit), so that they hold when replayed.
TEST(ScenarioParser, ResourceLimitsExampleUsesTheProgramsArgumentsAndTheTraceFields) {
    auto const parsed =
        parse_scenario_file(std::string(GROVE_SOURCE_DIR) + "/scenarios/examples/resource_limits.toml", ParseOptions{});
    ASSERT_TRUE(parsed.has_value());
    Scenario const& scenario = parsed.value();
    ASSERT_EQ(scenario.groves.size(), 5u);
    EXPECT_EQ(scenario.find_grove("memhog")->args, (std::vector<std::string>{"512", "4096", "forever"}));
    EXPECT_EQ(scenario.find_grove("threadbomb")->args, (std::vector<std::string>{"100", "forever"}));
    EXPECT_TRUE(scenario.find_grove("spinner")->args.empty());
    EXPECT_EQ(scenario.find_grove("io")->args, (std::vector<std::string>{"port", "0x2f8"}));
    EXPECT_EQ(scenario.find_grove("vga")->args, (std::vector<std::string>{"phys", "0xb8000"}));
    ASSERT_EQ(scenario.faults.size(), 1u);
    EXPECT_EQ(scenario.faults[0].action, FaultAction::MemorySpike);
    ASSERT_EQ(scenario.expect.sequences.size(), 5u);
    EventMatcher const& memory = scenario.expect.sequences[0][1];
    EXPECT_EQ(memory.event, "limit_exceeded");
    EXPECT_EQ(memory.fields,
              (std::vector<std::pair<std::string, FieldValue>>{{"resource", FieldValue::text("memory")},
                                                               {"limit", FieldValue::integer(8388608)}}));
    EventMatcher const& threads = scenario.expect.sequences[1][0];
    EXPECT_EQ(threads.fields,
              (std::vector<std::pair<std::string, FieldValue>>{{"resource", FieldValue::text("threads")},
                                                               {"requested", FieldValue::integer(5)},
                                                               {"limit", FieldValue::integer(4)}}));
}

TEST(ScenarioNames, RoundTripEveryEnumName) {
    for (auto name : fault_action_names())
        EXPECT_EQ(std::string_view(fault_action_name(*fault_action_from_name(name))), name);
    for (auto name : grove_state_names()) EXPECT_EQ(grove_state_name(*grove_state_from_name(name)), name);
    for (auto name : respawn_policy_names()) EXPECT_EQ(respawn_policy_name(*respawn_policy_from_name(name)), name);
    for (auto name : violation_policy_names())
        EXPECT_EQ(violation_policy_name(*violation_policy_from_name(name)), name);
    EXPECT_FALSE(fault_action_from_name("explode").has_value());
    EXPECT_EQ(respawn_policy_name(RespawnPolicy::OnFailure), "on-failure");
    EXPECT_EQ(std::string_view(fault_action_name(FaultAction::MemorySpike)), "memory-spike");
}

} // namespace
} // namespace grove::scenario

namespace grove::scenario {
namespace {

TEST(ScenarioParser, ReadsRangedFaultsRandomFaultsAndSwarm) {
    auto parsed = parse_scenario_string(R"(name = "t"
duration = "100ms"
[[groves]]
name = "a"
image = "echo"
[[groves]]
name = "f"
image = "flooder"
[[faults]]
at = "10ms..20ms"
action = "crash"
grove = "a"
[[random_faults]]
actions = ["kill", "memory-spike", "flood"]
groves = ["a", "f"]
rate = 100
between = "50ms..59999999ns"
bytes = "4KiB..1MiB"
target = "a"
burst = "2ms"
[explore]
swarm = true
)",
                                        "t.toml", ParseOptions{});
    ASSERT_TRUE(parsed.has_value()) << parsed.error().text();
    Scenario const s = parsed.release_value();
    ASSERT_EQ(s.faults.size(), 1u);
    EXPECT_EQ(s.faults[0].at, milliseconds(10));
    EXPECT_EQ(s.faults[0].at_latest, milliseconds(20));
    ASSERT_EQ(s.random_faults.size(), 1u);
    RandomFaults const& rule = s.random_faults[0];
    EXPECT_EQ(rule.actions, (std::vector{FaultAction::Kill, FaultAction::MemorySpike, FaultAction::FloodStart}));
    EXPECT_EQ(rule.count, 1u); // 100 per second over 10ms
    EXPECT_EQ(rule.from, milliseconds(50));
    EXPECT_EQ(rule.min_bytes, kibibytes(4));
    EXPECT_EQ(rule.max_bytes, mebibytes(1));
    EXPECT_EQ(rule.flood_target, "a");
    EXPECT_EQ(rule.burst_min, milliseconds(2));
    EXPECT_EQ(rule.burst_max, milliseconds(2));
    EXPECT_TRUE(s.explore.swarm);
    EXPECT_TRUE(s.draws_from_seed());
}

TEST(ScenarioParser, ADiskHasFixedTimingUnlessItAsksForSeededTiming) {
    constexpr char const* Groves = "name = \"t\"\nduration = \"1ms\"\n[[groves]]\nname = \"a\"\nimage = \"echo\"\n";
    Scenario const fixed = parse_ok(std::string(Groves) + "[[disks]]\npath = \"d.img\"\n");
    ASSERT_EQ(fixed.disks.size(), 1u);
    EXPECT_FALSE(fixed.disks[0].seeded_timing);
    Scenario const seeded = parse_ok(std::string(Groves) + "[[disks]]\npath = \"d.img\"\nseeded_timing = true\n");
    ASSERT_EQ(seeded.disks.size(), 1u);
    EXPECT_TRUE(seeded.disks[0].seeded_timing);
    EXPECT_FALSE(parse_scenario_string(std::string(Groves) + "[[disks]]\npath = \"d.img\"\nseeded_timing = 1\n",
                                       "t.toml", ParseOptions{})
                     .has_value());
}

} // namespace
} // namespace grove::scenario

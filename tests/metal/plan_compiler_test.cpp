#include <core/plan/plan_reader.hpp>
#include <sim/metal/metal_runner.hpp>
#include <sim/metal/plan_compiler.hpp>
#include <sim/scenario/fault_realization.hpp>
#include <sim/scenario/scenario_parser.hpp>
#include <tests/metal/compact_records.hpp>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace grove {
namespace {

namespace fs = std::filesystem;

constexpr char const* Text = R"(
name = "t"
duration = "50ms"
seed = 9
[[groves]]
name = "echo"
image = "echo"
[groves.capabilities]
ipc_receive = ["*"]
[[groves]]
name = "crasher"
image = "crasher"
args = ["null"]
start_at = "1ms"
[groves.respawn]
policy = "limited"
max = 3
max_crashes_in_window = 0
[[groves]]
name = "echo2"
image = "echo"
[[faults]]
at = "10ms"
action = "memory-spike"
grove = "echo"
bytes = "1MiB"
)";

scenario::Scenario parse(std::string const& text) {
    auto parsed = scenario::parse_scenario_string(text, "t.toml", {});
    EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().text());
    return parsed.release_value();
}

TEST(PlanCompiler, CompilesAPlanTheKernelAccepts) {
    scenario::Scenario const s = parse(Text);
    auto bytes = metal_host::compile_plan(s, "t.toml");
    ASSERT_TRUE(bytes.has_value()) << bytes.error().text();
    auto plan = std::make_unique<BootPlan>();
    ASSERT_EQ(read_boot_plan({bytes.value().data(), bytes.value().size()}, *plan), PlanCheck::Ok);
    EXPECT_EQ(plan->duration, milliseconds(50));
    EXPECT_EQ(plan->seed, 9u);
    ASSERT_EQ(plan->groves.size(), 3u);
    // Modules: 0 the plan, then echo (1) and crasher (2), each image once.
    EXPECT_EQ(metal_host::plan_module_images(s), (std::vector<std::string>{"echo", "crasher"}));
    EXPECT_EQ(plan->groves[0].image_module, 1);
    EXPECT_EQ(plan->groves[1].image_module, 2);
    EXPECT_EQ(plan->groves[2].image_module, 1);
    EXPECT_EQ(plan->groves[1].respawn, RespawnPolicy::limited(3));
    EXPECT_EQ(plan->groves[1].start_at, milliseconds(1));
    EXPECT_EQ(plan->groves[1].budget.window, Ticks(1)); // no crash-rate window, as the simulator maps it
    EXPECT_TRUE(plan->groves[1].arguments[0].equals("null", 4));
    EXPECT_TRUE(plan->groves[0].receive_from[0].equals("*", 1));
    ASSERT_EQ(plan->faults.size(), 1u);
    EXPECT_EQ(plan->faults[0].action, FaultAction::MemorySpike);
    EXPECT_EQ(plan->faults[0].bytes, mebibytes(1));
}

TEST(PlanCompiler, HoldsTheFaultsTheSeedDrawsAsTheSimulatorRealizesThem) {
    scenario::Scenario s = parse(Text);
    s.faults[0].at = milliseconds(2);
    s.faults[0].at_latest = milliseconds(30);
    scenario::RandomFaults rule;
    rule.actions = {FaultAction::Crash, FaultAction::Kill};
    rule.groves = {s.groves[1].name};
    rule.from = milliseconds(5);
    rule.until = milliseconds(40);
    rule.count = 4;
    s.random_faults.push_back(rule);
    for (u64 seed : {1u, 2u}) {
        s.seed = seed;
        auto bytes = metal_host::compile_plan(s, "t.toml");
        ASSERT_TRUE(bytes.has_value()) << bytes.error().text();
        auto plan = std::make_unique<BootPlan>();
        ASSERT_EQ(read_boot_plan({bytes.value().data(), bytes.value().size()}, *plan), PlanCheck::Ok);
        scenario::RealizedScenario const realized = scenario::realize_faults(s, seed);
        ASSERT_EQ(plan->faults.size(), 5u);
        ASSERT_EQ(realized.scenario.faults.size(), 5u);
        for (usize i = 0; i < plan->faults.size(); ++i) {
            EXPECT_EQ(plan->faults[i].at, realized.scenario.faults[i].at);
            EXPECT_EQ(plan->faults[i].action, realized.scenario.faults[i].action);
            EXPECT_EQ(s.groves[plan->faults[i].grove].name, realized.scenario.faults[i].grove);
        }
    }
}

TEST(PlanCompiler, RefusesAnArgumentTooLongForThePlan) {
    scenario::Scenario s = parse(Text);
    s.groves[1].args.push_back(std::string(MaxArgumentLength + 1, 'x'));
    auto bytes = metal_host::compile_plan(s, "t.toml");
    ASSERT_FALSE(bytes.has_value());
    EXPECT_NE(bytes.error().text().find("argument"), std::string::npos) << bytes.error().text();
}

TEST(PlanCompiler, PutsTheLoaderOfAGroveLoadedFromDiskAsTheSimulatorDoes) {
    scenario::Scenario const s = parse(R"(
name = "t"
duration = "50ms"
[[groves]]
name = "world-tree"
image = "world_tree"
[[groves]]
name = "echo"
image = "world-tree:/groves/echo"
capabilities = { ipc_receive = ["client"] }
[[groves]]
name = "client"
image = "client"
capabilities = { ipc_send = ["echo"] }
)");
    EXPECT_EQ(metal_host::plan_module_images(s), (std::vector<std::string>{"world_tree", "loader", "client"}));
    auto bytes = metal_host::compile_plan(s, "t.toml");
    ASSERT_TRUE(bytes.has_value()) << bytes.error().text();
    auto plan = std::make_unique<BootPlan>();
    ASSERT_EQ(read_boot_plan({bytes.value().data(), bytes.value().size()}, *plan), PlanCheck::Ok);
    scenario::RealizedScenario const realized = scenario::realize_faults(s, s.seed);
    ASSERT_TRUE(realized.error.empty()) << realized.error;
    ASSERT_EQ(plan->groves.size(), realized.scenario.groves.size());
    for (usize i = 0; i < plan->groves.size(); ++i) {
        scenario::GroveSpec const& g = realized.scenario.groves[i];
        EXPECT_TRUE(plan->groves[i].name.equals(g.name.data(), g.name.size())) << g.name;
        ASSERT_EQ(plan->groves[i].arguments.size(), g.args.size()) << g.name;
        for (usize a = 0; a < g.args.size(); ++a)
            EXPECT_TRUE(plan->groves[i].arguments[a].equals(g.args[a].data(), g.args[a].size())) << g.args[a];
    }
    EXPECT_EQ(realized.scenario.groves[1].name, "echo-loader");
    EXPECT_EQ(plan->groves[1].image_module, 2);
}

TEST(PlanCompiler, RefusesAGroveLoadedFromDiskWithoutWorldTree) {
    auto bytes = metal_host::compile_plan(parse(R"(
name = "t"
duration = "50ms"
[[groves]]
name = "echo"
image = "world-tree:/groves/echo"
)"),
                                          "t.toml");
    ASSERT_FALSE(bytes.has_value());
    EXPECT_NE(bytes.error().text().find("no grove named 'world-tree'"), std::string::npos) << bytes.error().text();
}

TEST(MetalRunner, TellsWhichScenariosRunOnMetal) {
    scenario::Scenario s = parse(Text);
    EXPECT_TRUE(metal_host::can_run_on_metal(s));
    s.faults.push_back(scenario::Fault{milliseconds(5), FaultAction::FloodStart, "echo", {}, "echo2", 0, {}});
    auto const reason = metal_host::metal_unsupported_reason(s);
    ASSERT_TRUE(reason.has_value());
    EXPECT_NE(reason->find("flooder"), std::string::npos) << *reason;
}

TEST(MetalRunner, RefusesADiskWithSeededTiming) {
    scenario::Scenario s = parse(Text);
    s.disks.push_back(scenario::Disk{"disks/exercise.img", "disks/exercise.img", false, 1, 1});
    EXPECT_TRUE(metal_host::can_run_on_metal(s));
    s.disks[0].seeded_timing = true;
    auto const reason = metal_host::metal_unsupported_reason(s);
    ASSERT_TRUE(reason.has_value());
    EXPECT_NE(reason->find("QEMU's drive keeps its own timing"), std::string::npos) << *reason;
}

TEST(MetalRunner, RunsAFloodOnMetal) {
    scenario::Scenario s = parse(Text);
    s.groves[1].image = "flooder";
    s.faults.push_back(scenario::Fault{milliseconds(5), FaultAction::FloodStart, s.groves[1].name, {}, "echo", 0, {}});
    s.faults.push_back(scenario::Fault{milliseconds(6), FaultAction::FloodStop, s.groves[1].name, {}, "", 0, {}});
    EXPECT_TRUE(metal_host::can_run_on_metal(s));
    auto bytes = metal_host::compile_plan(s, "t.toml");
    ASSERT_TRUE(bytes.has_value()) << bytes.error().text();
    auto plan = std::make_unique<BootPlan>();
    ASSERT_EQ(read_boot_plan({bytes.value().data(), bytes.value().size()}, *plan), PlanCheck::Ok);
    ASSERT_EQ(plan->faults.size(), 3u);
    EXPECT_EQ(plan->faults[1].action, FaultAction::FloodStart);
    EXPECT_EQ(plan->faults[1].target, 0u);
}

class MetalRunnerFiles : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() /
                ("grove_metal_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir / "images");
        for (char const* name : {"echo", "crasher"})
            std::ofstream(m_dir / "images" / (std::string(name) + ".elf")) << "x";
        std::ofstream(m_dir / "kernel.elf") << "kernel";
        m_options.kernel = m_dir / "kernel.elf";
        m_options.image_dirs = {m_dir / "images"};
        m_options.cache_dir = m_dir / "cache";
        m_options.boot = metal_host::BootMethod::Kernel;
        m_options.name = "t.toml";
    }
    void TearDown() override { fs::remove_all(m_dir); }

    // A stand-in for QEMU: a script that prints `output` and ends with `status`, or sleeps.
    void fake_qemu(std::string const& body) {
        fs::path const script = m_dir / "qemu.sh";
        std::ofstream(script) << "#!/bin/sh\n" << body << "\n";
        fs::permissions(script, fs::perms::owner_all);
        m_options.qemu = script.string();
    }

    fs::path m_dir;
    metal_host::MetalOptions m_options;
};

// A shell command that prints `bytes` exactly (each as an octal escape of printf: records are binary).
std::string shell_print(std::string const& bytes) {
    std::string command = "printf '";
    for (char const c : bytes) command += fmt::format("\\{:03o}", static_cast<u8>(c));
    return command + "'\n";
}

// The kernel's output for these events (the echo grove is serial 1), then its final record with their digest, as
// shell commands.
std::string kernel_lines(std::vector<std::string> const& console_before, std::vector<Event> const& events,
                         u64 wrong_digest = 0) {
    std::string output = test::name_record(1, "echo");
    TraceDigest digest;
    for (usize i = 0; i < events.size(); ++i) {
        if (i < console_before.size()) output += console_before[i];
        output += test::event_record(events[i]);
        digest.add(events[i]);
    }
    return shell_print(output) +
           fmt::format("echo '{{\"final\":{{\"t\":50,\"digest\":\"{:016x}\",\"overall\":{{\"sent\":0,"
                       "\"delivered\":0,\"refused\":0,\"queued\":0}},\"groves\":[]}}}}'\n",
                       wrong_digest != 0 ? wrong_digest : digest.value());
}

// A record of no event's encoding: the two bytes 02 00.
std::string const DamagedRecord = shell_print(test::record(compact::EventTag, std::string("\x02\x00", 2)));

TEST_F(MetalRunnerFiles, ReadsTheTraceFromTheSerialLines) {
    Event const started = Event::started(Ticks(5), GroveId{1, 1});
    fake_qemu("echo 'grove: booted'\n" + kernel_lines({}, {started}) + "echo '# echo: hello'\nexit 33");
    auto run = metal_host::run_on_metal(parse(Text), m_options);
    ASSERT_TRUE(run.has_value()) << run.error().text();
    ASSERT_EQ(run.value().trace.events.size(), 1u);
    EXPECT_EQ(run.value().trace.events[0].kind, "started");
    EXPECT_EQ(run.value().trace.events[0].grove, "echo");
    ASSERT_TRUE(run.value().trace.final_counters.has_value());
    TraceDigest digest;
    digest.add(started);
    EXPECT_EQ(run.value().trace.final_counters->digest, digest.value());
    EXPECT_NE(run.value().serial.find("# echo: hello"), std::string::npos);
    EXPECT_EQ(run.value().serial.find('@'), std::string::npos) << "the records are expanded";
}

TEST_F(MetalRunnerFiles, RecordsThatDoNotGiveTheKernelsDigestFailTheRun) {
    fake_qemu(kernel_lines({}, {Event::started(Ticks(5), GroveId{1, 1})}, 0xff) + "exit 33");
    auto run = metal_host::run_on_metal(parse(Text), m_options);
    ASSERT_FALSE(run.has_value());
    EXPECT_NE(run.error().text().find("the serial trace lost events: the kernel's digest is 00000000000000ff, its 1 "
                                      "event records give"),
              std::string::npos)
        << run.error().text();
}

TEST_F(MetalRunnerFiles, ABootCutShortKeepsTheEventsBeforeADamagedRecord) {
    fake_qemu(kernel_lines({}, {Event::started(Ticks(5), GroveId{1, 1})}) + DamagedRecord + "exit 35");
    auto run = metal_host::run_on_metal(parse(Text), m_options);
    ASSERT_TRUE(run.has_value()) << run.error().text();
    EXPECT_EQ(run.value().outcome, metal_host::MetalOutcome::KernelFailed);
    EXPECT_NE(run.value().failure.find("and the serial trace is damaged: serial line 4"), std::string::npos)
        << run.value().failure;
    ASSERT_EQ(run.value().trace.events.size(), 1u);
    EXPECT_EQ(run.value().trace.events[0].kind, "started");
}

TEST_F(MetalRunnerFiles, ADamagedRecordFailsTheRunNamingItsLine) {
    fake_qemu("echo 'grove: booted'\n" + DamagedRecord + kernel_lines({}, {}) + "exit 33");
    auto run = metal_host::run_on_metal(parse(Text), m_options);
    ASSERT_FALSE(run.has_value());
    EXPECT_NE(run.error().text().find("the serial trace is damaged: serial line 2: an event record that is no "
                                      "event's encoding: @e0200"),
              std::string::npos)
        << run.error().text();
}

TEST_F(MetalRunnerFiles, TheDisplayIsTheKernelsLineNotAGrovesTextThatLooksLikeIt) {
    fake_qemu("echo '# grove: display 1x1x8 picture 0x0000000000000001'\n" + kernel_lines({}, {}) +
              "echo 'grove: display 640x480x32 picture 0x00000000000000ab'\nexit 33");
    auto run = metal_host::run_on_metal(parse(Text), m_options);
    ASSERT_TRUE(run.has_value()) << run.error().text();
    ASSERT_TRUE(run.value().display.has_value());
    EXPECT_EQ(run.value().display->width, 640u);
    EXPECT_EQ(run.value().display->height, 480u);
    EXPECT_EQ(run.value().display->bpp, 32u);
    EXPECT_EQ(run.value().display->hash, 0xabu);
}

TEST_F(MetalRunnerFiles, GivesEachConsoleEventTheGrovesText) {
    GroveId const echo{1, 1};
    fake_qemu(kernel_lines({"# two\n# lines\n", "# no newline\n"},
                           {Event::console(Ticks(5), echo, 10, 1), Event::console(Ticks(6), echo, 10, 2),
                            Event::started(Ticks(7), echo)}) +
              "exit 33");
    auto run = metal_host::run_on_metal(parse(Text), m_options);
    ASSERT_TRUE(run.has_value()) << run.error().text();
    auto const& events = run.value().trace.events;
    ASSERT_EQ(events.size(), 3u);
    ASSERT_NE(events[0].field("text"), nullptr);
    EXPECT_EQ(events[0].field("text")->as_text(), "two\nlines\n");
    ASSERT_NE(events[1].field("text"), nullptr);
    EXPECT_EQ(events[1].field("text")->as_text(), "no newline");
    EXPECT_EQ(events[2].field("text"), nullptr);
}

TEST_F(MetalRunnerFiles, ReportsTheKernelsFailure) {
    fake_qemu("echo 'grove: boot plan rejected: bad_checksum'\nexit 35");
    auto run = metal_host::run_on_metal(parse(Text), m_options);
    ASSERT_TRUE(run.has_value()) << run.error().text();
    EXPECT_EQ(run.value().outcome, metal_host::MetalOutcome::KernelFailed);
    EXPECT_NE(run.value().failure.find("the kernel reported failure"), std::string::npos) << run.value().failure;
    EXPECT_NE(run.value().failure.find("bad_checksum"), std::string::npos);
}

TEST_F(MetalRunnerFiles, StopsAHungGuest) {
    fake_qemu("echo 'grove: stuck'\n"
              "echo '{\"t\":5,\"grove\":\"echo\",\"gen\":1,\"event\":\"started\"}'\n"
              "printf '{\"t\":6,\"gr'\nexec sleep 30");
    m_options.timeout_seconds = 1;
    auto run = metal_host::run_on_metal(parse(Text), m_options);
    ASSERT_TRUE(run.has_value()) << run.error().text();
    EXPECT_EQ(run.value().outcome, metal_host::MetalOutcome::TimedOut);
    EXPECT_NE(run.value().failure.find("did not finish within 1 s"), std::string::npos) << run.value().failure;
    EXPECT_NE(run.value().failure.find("grove: stuck"), std::string::npos);
    ASSERT_EQ(run.value().trace.events.size(), 1u); // the half line is left out
    EXPECT_FALSE(run.value().trace.final_counters.has_value());
}

TEST_F(MetalRunnerFiles, NamesAMissingImage) {
    fs::remove(m_dir / "images" / "crasher.elf");
    auto run = metal_host::run_on_metal(parse(Text), m_options);
    ASSERT_FALSE(run.has_value());
    EXPECT_NE(run.error().text().find("crasher.elf"), std::string::npos) << run.error().text();
}

TEST_F(MetalRunnerFiles, RefusesARunThatEndsWithoutTheFinalRecord) {
    fake_qemu("echo '{\"t\":5,\"grove\":\"echo\",\"gen\":1,\"event\":\"started\"}'\nexit 33");
    auto run = metal_host::run_on_metal(parse(Text), m_options);
    ASSERT_TRUE(run.has_value()) << run.error().text();
    EXPECT_EQ(run.value().outcome, metal_host::MetalOutcome::Incomplete);
    EXPECT_NE(run.value().failure.find("no final record"), std::string::npos) << run.value().failure;
}

} // namespace
} // namespace grove

#include <core/base/assert.hpp>
#include <sim/runner/grove_images.hpp>
#include <sim/runner/isolated_run.hpp>
#include <sim/runner/spec_mapping.hpp>
#include <sim/runner/timeline_text.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <unistd.h>

namespace grove::runner {
namespace {

TEST(RunIsolated, ReturnsTheExitStatusOfTheWork) {
    IsolatedOutcome const outcome = run_isolated([](RunProgress*) { return 3; });
    EXPECT_FALSE(outcome.died);
    EXPECT_EQ(outcome.exit_status, 3);
}

// A captured child's standard output comes back whole, even past what a pipe holds, with its exit status.
TEST(RunIsolated, CapturedOutputComesBackWithTheStatus) {
    IsolatedOutcome const outcome = run_isolated(
        [](RunProgress*) {
            for (int line = 0; line < 20000; ++line) std::printf("line %d\n", line);
            return 1;
        },
        0, IsolatedOutput::Captured);
    EXPECT_FALSE(outcome.died);
    EXPECT_EQ(outcome.exit_status, 1);
    EXPECT_EQ(outcome.output.rfind("line 0\nline 1\n", 0), 0u);
    EXPECT_NE(outcome.output.find("\nline 19999\n"), std::string::npos);
}

// Children watched side by side each keep their own output and status, and one past its time limit is stopped
// without holding up the others.
TEST(IsolatedChild, SeveralRunSideBySide) {
    IsolatedChild slow(
        [](RunProgress*) {
            for (;;) pause();
            return 0;
        },
        1, IsolatedOutput::Captured);
    IsolatedChild a(
        [](RunProgress*) {
            std::printf("a\n");
            return 0;
        },
        0, IsolatedOutput::Captured);
    IsolatedChild b(
        [](RunProgress*) {
            std::printf("b\n");
            return 4;
        },
        0, IsolatedOutput::Captured);
    while (!a.poll() || !b.poll()) usleep(1000);
    EXPECT_EQ(a.outcome().output, "a\n");
    EXPECT_EQ(b.outcome().output, "b\n");
    EXPECT_EQ(b.outcome().exit_status, 4);
    EXPECT_FALSE(slow.poll());
    while (!slow.poll()) usleep(1000);
    EXPECT_TRUE(slow.outcome().died);
    EXPECT_NE(slow.outcome().failure.find("wall-clock limit of 1 s"), std::string::npos) << slow.outcome().failure;
}

TEST(RunIsolated, ReportsWhereARunThatAbortedWas) {
    IsolatedOutcome const outcome = run_isolated([](RunProgress* progress) {
        std::strcpy(progress->grove, "crasher");
        progress->generation = 2;
        progress->pc = 0x401234;
        progress->time = 5000;
        progress->resumes = 7;
        std::abort();
        return 0;
    });
    EXPECT_TRUE(outcome.died);
    EXPECT_NE(outcome.failure.find("signal 6"), std::string::npos) << outcome.failure;
    EXPECT_NE(outcome.failure.find("grove 'crasher' (generation 2) ran from pc 0x401234 at 5000ns"), std::string::npos)
        << outcome.failure;
}

TEST(RunIsolated, AnExitFromInsideALibraryIsARunThatDidNotFinish) {
    // Unicorn calls exit(1) when it cannot allocate its translation buffer: status 1 must not read as "an
    // expectation failed".
    IsolatedOutcome const outcome = run_isolated([](RunProgress* progress) {
        std::strcpy(progress->grove, "memhog");
        progress->resumes = 1;
        std::exit(1);
        return 0;
    });
    EXPECT_TRUE(outcome.died);
    EXPECT_NE(outcome.failure.find("called exit() from inside the emulator or a library"), std::string::npos)
        << outcome.failure;
    EXPECT_NE(outcome.failure.find("(exit status 1) while grove 'memhog'"), std::string::npos) << outcome.failure;
}

TEST(RunIsolated, AKernelPanicIsTheViolatedInvariantWithStepAndTime) {
    IsolatedOutcome const outcome = run_isolated([](RunProgress* progress) {
        *progress = RunProgress{"echo", 1, 0x401000, 4200, 9};
        GROVE_ASSERT(progress->resumes == 0);
        return 0;
    });
    EXPECT_TRUE(outcome.died);
    EXPECT_NE(outcome.failure.find("invariant 'the kernel never panics' violated: "), std::string::npos)
        << outcome.failure;
    EXPECT_NE(outcome.failure.find("assertion failed: progress->resumes == 0"), std::string::npos) << outcome.failure;
    EXPECT_NE(outcome.failure.find("at 4200ns, resume 9"), std::string::npos) << outcome.failure;
}

TEST(RunIsolated, TheHostRunningOutOfMemoryIsNamed) {
    IsolatedOutcome const outcome = run_isolated([](RunProgress*) -> int { throw std::bad_alloc(); });
    EXPECT_TRUE(outcome.died);
    EXPECT_NE(outcome.failure.find("the host ran out of memory (std::bad_alloc)"), std::string::npos)
        << outcome.failure;
}

TEST(RunIsolated, AWorkPastItsTimeoutIsStoppedWhereItWas) {
    IsolatedOutcome const outcome = run_isolated(
        [](RunProgress* progress) {
            std::strcpy(progress->grove, "spinner");
            progress->generation = 1;
            progress->pc = 0x400100;
            progress->time = 777;
            progress->resumes = 3;
            for (;;) pause();
            return 0;
        },
        1);
    EXPECT_TRUE(outcome.died);
    EXPECT_NE(outcome.failure.find("ran past the wall-clock limit of 1 s (--timeout) and was stopped while grove "
                                   "'spinner' (generation 1) ran from pc 0x400100 at 777ns"),
              std::string::npos)
        << outcome.failure;
}

TEST(DemangledSymbol, DemanglesAnOrdinaryName) {
    EXPECT_EQ(demangled_symbol("_ZN12_GLOBAL__N_110crash_nullEv"), "(anonymous namespace)::crash_null()");
    EXPECT_EQ(demangled_symbol("plain_c_name"), "plain_c_name");
}

TEST(DemangledSymbol, ANameThatCouldExpandWithoutBoundIsShownMangled) {
    // Nine substitutions, each of which may double the output: not demangled.
    std::string name = "_Z1fI1x";
    for (char const* ref : {"S_", "S0_", "S1_", "S2_", "S3_", "S4_", "S5_", "S6_", "S7_"})
        name += std::string("1AI") + ref + "E";
    name += "Ev";
    EXPECT_EQ(demangled_symbol(name.c_str()), name);
    EXPECT_EQ(demangled_symbol("_Z1fIJiEEvDpT_"), "_Z1fIJiEEvDpT_"); // a pack expansion
    // 238 bytes that demangle to 142 MB (groves/programs/hostile.cpp, symbol-bomb): 44 substitutions.
    std::string bomb = "_Z1f1AIiiE";
    for (int level = 0; level < 22; ++level) {
        std::string const ref =
            level < 18 ? fmt::format("S{:c}_", "02468ACEGIKMOQSUWY"[level]) : fmt::format("S1{}_", 2 * (level - 18));
        bomb.append("1AI").append(ref).append(ref).append("E");
    }
    ASSERT_EQ(bomb.size(), 238u);
    EXPECT_EQ(demangled_symbol(bomb.c_str()), bomb);
    std::string const long_name = "_Z" + std::string(300, 'a');
    EXPECT_EQ(demangled_symbol(long_name.c_str()), long_name.substr(0, MaxShownSymbol) + "... (302 bytes)");
    EXPECT_EQ(demangled_symbol("evil\x1b[2J"), "evil\\x1b[2J");
}

scenario::GroveSpec grove_named(char const* name) {
    scenario::GroveSpec grove;
    grove.name = name;
    grove.image = "echo";
    return grove;
}

TEST(MapGroveSpec, CarriesLimitsRespawnAndCapabilities) {
    scenario::GroveSpec grove = grove_named("echo");
    grove.limits.memory = mebibytes(4);
    grove.limits.on_violation = scenario::ViolationPolicy::Kill;
    grove.respawn.policy = scenario::RespawnPolicy::Limited;
    grove.respawn.max = 3;
    grove.respawn.max_crashes_in_window = 2;
    grove.capabilities.ipc_send = {"*"};
    grove.capabilities.thread_create = true;
    grove.priority = 24;
    SpecMapping const mapped = map_grove_spec(grove, ImagePlan{}, {"a", "b"});
    ASSERT_TRUE(mapped.ok()) << mapped.error;
    EXPECT_EQ(mapped.spec.limits.memory, mebibytes(4));
    EXPECT_EQ(mapped.spec.limits.policy, ViolationPolicy::Kill);
    EXPECT_EQ(mapped.spec.respawn, RespawnPolicy::limited(3));
    EXPECT_EQ(mapped.spec.restart_budget.max_crashes, 2u);
    EXPECT_EQ(mapped.spec.restart_budget.window, grove.respawn.window);
    EXPECT_TRUE(mapped.spec.capabilities.allows_send_to("anyone", 6));
    EXPECT_TRUE(mapped.spec.capabilities.has(CapabilityKind::ThreadCreate));
    EXPECT_FALSE(mapped.spec.capabilities.has(CapabilityKind::IoPort));
    EXPECT_EQ(mapped.spec.priority, 24);
    EXPECT_EQ(mapped.spec.arguments.size(), 2u);
}

TEST(MapGroveSpec, NoWindowIsTheLargestCountOverOneTick) {
    scenario::GroveSpec grove = grove_named("echo");
    grove.respawn.max_crashes_in_window = 0;
    SpecMapping const mapped = map_grove_spec(grove, ImagePlan{}, {});
    ASSERT_TRUE(mapped.ok());
    EXPECT_EQ(mapped.spec.restart_budget.window, Ticks(1));
    EXPECT_EQ(mapped.spec.restart_budget.max_crashes, MaxCrashesPerWindow - 1);
}

TEST(MapGroveSpec, RefusesAWindowCountTheKernelCannotKeep) {
    scenario::GroveSpec grove = grove_named("echo");
    grove.respawn.max_crashes_in_window = 1000;
    SpecMapping const mapped = map_grove_spec(grove, ImagePlan{}, {});
    EXPECT_FALSE(mapped.ok());
    EXPECT_NE(mapped.error.find("grove 'echo'"), std::string::npos) << mapped.error;
}

TEST(MapGroveSpec, RefusesAnOverlongArgument) {
    SpecMapping const mapped = map_grove_spec(grove_named("echo"), ImagePlan{}, {std::string(100, 'x')});
    EXPECT_FALSE(mapped.ok());
}

TEST(TimelineText, ShowsAddressesInHexAndQuotesText) {
    scenario::TraceEvent event;
    event.time = milliseconds(5);
    event.grove = "crasher";
    event.generation = 2;
    event.kind = "crashed";
    event.with("kind", std::string("fault")).with("pc", u64{0x401a2c}).with("text", std::string("a b\n"));
    EXPECT_EQ(format_timeline_line(event),
              "       5ms  crasher#2          crashed            kind=fault pc=0x401a2c text=\"a b\\n\"");
}

TEST(TimelineText, SaysHowManyEventsWereLeftOut) {
    std::vector<scenario::TraceEvent> events(3);
    for (auto& e : events) e.kind = "started";
    std::string const text = format_timeline(events, 2);
    EXPECT_NE(text.find("... 1 more events"), std::string::npos) << text;
}

} // namespace
} // namespace grove::runner

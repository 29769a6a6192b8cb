// The machine loop against the fake backend: scripted actions land at their exact virtual time, idle time goes
// to the next deadline, a due action hands the running thread back as preempted, and the run ends at its end.
#include <core/machine/machine_loop.hpp>
#include <tests/core/kernel/kernel_fixture.hpp>

#include <functional>
#include <vector>

namespace grove {
namespace {

using namespace testing;

// A runner that records what the loop asked of it, and when.
struct RecordingRunner {
    struct Applied {
        ScheduledAction::Kind kind;
        usize index;
        Ticks at;
        bool operator==(Applied const&) const = default;
    };

    FakeArch& arch;
    std::vector<Applied> applied;
    std::vector<Trap> traps;
    usize stop_after_resumes = ~usize{0};
    std::function<void(usize)> on_fault = [](usize) {};

    void start_grove(usize index) { applied.push_back({ScheduledAction::Kind::Start, index, arch.now()}); }
    void inject_fault(usize index) {
        applied.push_back({ScheduledAction::Kind::Fault, index, arch.now()});
        on_fault(index);
    }
    void before_resume(ThreadId) {}
    bool after_resume(ThreadId, Trap const& trap) {
        traps.push_back(trap);
        return traps.size() < stop_after_resumes;
    }
};
static_assert(MachineRunner<RecordingRunner>);

class MachineLoop : public KernelTest {
protected:
    void add(Ticks at, ScheduledAction::Kind kind, usize index) { ASSERT_TRUE(schedule.add({at, kind, index})); }
    void run(Ticks end) { run_machine(arch, *kernel, schedule, runner, end); }

    ScheduledAction storage[8];
    ActionSchedule schedule{Span<ScheduledAction>{storage, 8}};
    RecordingRunner runner{arch, {}, {}};
};

using Kind = ScheduledAction::Kind;

TEST_F(MachineLoop, ActionsLandAtTheirExactTimeWhileAThreadRuns) {
    GroveId const g = spawn("alpha");
    add(Ticks(1'234), Kind::Fault, 0);
    add(Ticks(5'678), Kind::Fault, 1);
    run(milliseconds(1));
    ASSERT_EQ(runner.applied.size(), 2u);
    EXPECT_EQ(runner.applied[0].at, Ticks(1'234));
    EXPECT_EQ(runner.applied[1].at, Ticks(5'678));
    EXPECT_EQ(state_of(g), GroveState::Running);
}

TEST_F(MachineLoop, ActionsLandAtTheirExactTimeWhileIdle) {
    add(Ticks(700), Kind::Start, 3);
    add(Ticks(300), Kind::Fault, 1);
    run(milliseconds(1));
    EXPECT_EQ(runner.applied,
              (std::vector<RecordingRunner::Applied>{{Kind::Fault, 1, Ticks(300)}, {Kind::Start, 3, Ticks(700)}}));
    EXPECT_TRUE(arch.resumed().empty());
}

TEST_F(MachineLoop, AtOneMomentStartsComeBeforeFaultsEachInTheOrderAdded) {
    add(Ticks(10), Kind::Fault, 0);
    add(Ticks(10), Kind::Start, 0);
    add(Ticks(10), Kind::Fault, 1);
    add(Ticks(10), Kind::Start, 1);
    add(Ticks(0), Kind::Fault, 2);
    run(Ticks(100));
    EXPECT_EQ(runner.applied, (std::vector<RecordingRunner::Applied>{{Kind::Fault, 2, Ticks(0)},
                                                                     {Kind::Start, 0, Ticks(10)},
                                                                     {Kind::Start, 1, Ticks(10)},
                                                                     {Kind::Fault, 0, Ticks(10)},
                                                                     {Kind::Fault, 1, Ticks(10)}}));
}

TEST_F(MachineLoop, IdleAdvancesToTheKernelsNextDeadline) {
    GroveId const g = spawn("alpha");
    ThreadId const t = main_thread(g);
    arch.script(t, Trap::make_syscall(SyscallPc, syscall_args(Syscall::Sleep, 1'000)), Ticks(20));
    run(Ticks(5'000));
    // Slept at 20 until 1'020: nothing ran in between, and it ran again at its wake-up time, not later.
    ASSERT_GE(arch.resumed().size(), 2u);
    EXPECT_EQ(arch.resumed()[0].at, Ticks(0));
    EXPECT_EQ(arch.resumed()[1].thread, t);
    EXPECT_EQ(arch.resumed()[1].at, Ticks(1'020));
    EXPECT_EQ(arch.now(), Ticks(5'000));
}

TEST_F(MachineLoop, IdleNeverPassesTheNextAction) {
    GroveId const g = spawn("alpha");
    ThreadId const t = main_thread(g);
    arch.script(t, Trap::make_syscall(SyscallPc, syscall_args(Syscall::Sleep, 1'000)), Ticks(20));
    add(Ticks(400), Kind::Fault, 0);
    run(Ticks(5'000));
    ASSERT_EQ(runner.applied.size(), 1u);
    EXPECT_EQ(runner.applied[0].at, Ticks(400));
    EXPECT_EQ(arch.resumed()[1].at, Ticks(1'020));
}

TEST_F(MachineLoop, AnActionDuringARunHandsTheThreadBackAsPreempted) {
    GroveId const g = spawn("alpha");
    add(Ticks(500), Kind::Fault, 0);
    runner.on_fault = [&](usize) { ASSERT_TRUE(kernel->kill(g).has_value()); };
    run(Ticks(5'000));
    // The thread ran until the action's time, was preempted there, and never ran again once killed.
    ASSERT_EQ(arch.resumed().size(), 1u);
    ASSERT_EQ(runner.traps.size(), 1u);
    EXPECT_EQ(runner.traps[0].kind, TrapKind::Timer);
    EXPECT_EQ(runner.applied[0].at, Ticks(500));
    EXPECT_EQ(state_of(g), GroveState::Faulted); // killed: a crash of kind killed, never respawned
    EXPECT_EQ(arch.now(), Ticks(5'000));
}

TEST_F(MachineLoop, TheRunEndsAtItsEndWithAThreadRunning) {
    (void)spawn("alpha");
    add(seconds(1), Kind::Fault, 0); // after the end: never applied
    run(milliseconds(3));
    EXPECT_EQ(arch.now(), milliseconds(3));
    EXPECT_TRUE(runner.applied.empty());
}

TEST_F(MachineLoop, TheRunEndsAtItsEndWithNothingToRun) {
    run(milliseconds(3));
    EXPECT_EQ(arch.now(), milliseconds(3));
    EXPECT_TRUE(arch.resumed().empty());
}

TEST_F(MachineLoop, TheRunnerCanEndTheRunBeforeTheKernelSeesTheTrap) {
    GroveId const g = spawn("alpha");
    ThreadId const t = main_thread(g);
    arch.script(t, Trap::make_fault(TrapKind::PageFault, CodeAddress, {}), Ticks(10));
    runner.stop_after_resumes = 1;
    run(milliseconds(1));
    EXPECT_EQ(runner.traps.size(), 1u);
    EXPECT_EQ(count(EventKind::Fault), 0u);
    EXPECT_EQ(state_of(g), GroveState::Running);
}

TEST_F(MachineLoop, StepTurnsTheLoopOnceAndSaysWhetherAThreadRanOrTimePassed) {
    MachineStepper<FakeArch, RecordingRunner> loop(arch, *kernel, schedule, runner);
    loop.begin();
    using Turn = MachineStepper<FakeArch, RecordingRunner>::Turn;
    EXPECT_EQ(loop.step(milliseconds(3)), Turn::Idled); // nothing loaded: time passes to the end
    EXPECT_EQ(arch.now(), milliseconds(3));
    (void)spawn("alpha");
    loop.begin(); // the kernel changed outside the loop
    EXPECT_EQ(loop.step(milliseconds(4)), Turn::Ran);
    EXPECT_EQ(arch.resumed().size(), 1u);
    runner.stop_after_resumes = 1;
    EXPECT_EQ(loop.step(milliseconds(4)), Turn::Stopped);
}

} // namespace
} // namespace grove

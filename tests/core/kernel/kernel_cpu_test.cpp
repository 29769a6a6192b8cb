// CPU limits through the Kernel: spinning groves preempted by timer traps, measured over many periods.
#include <tests/core/kernel/kernel_fixture.hpp>

namespace grove {
namespace {

using namespace testing;

class KernelCpu : public KernelTest {
protected:
    GroveSpec spinner(char const* name, u32 percent, ViolationPolicy policy = ViolationPolicy::Deny) {
        GroveSpec s = spec(name);
        s.limits.cpu_percent = percent;
        s.limits.policy = policy;
        return s;
    }
    // Runs the backend's loop until `end`: every dispatched thread spins until its preemption deadline and traps
    // with a timer; idle time is skipped. Returns the ticks each grove ran (by serial) and the ticks idle.
    struct Shares {
        Ticks by_serial[8];
        Ticks idle;
        u64 idle_dispatches = 0;
        u64 idle_until_period_end = 0; // idle dispatches whose wake_at was the end of a period
    };
    Shares run_until(Ticks end) {
        Shares shares{};
        Dispatch d = kernel->dispatch();
        while (arch.now() < end) {
            Ticks const until = d.wake_at < end ? d.wake_at : end;
            Ticks const ran = until - arch.now();
            arch.set_now(until);
            if (d.is_idle()) {
                shares.idle += ran;
                ++shares.idle_dispatches;
                if (d.wake_at.value % DefaultCpuPeriod.value == 0) ++shares.idle_until_period_end;
                d = kernel->dispatch();
                continue;
            }
            shares.by_serial[kernel->grove_of(d.thread).serial] += ran;
            d = kernel->on_trap(d.thread, Trap::make_timer(CodeAddress));
        }
        return shares;
    }
};

TEST_F(KernelCpu, ASpinningGroveLimitedToAQuarterIsThrottledWhileAnotherGetsTheRest) {
    GroveId const limited = spawn(spinner("limited", 25));
    GroveId const free = spawn(spinner("free", 100));
    Ticks const end = DefaultCpuPeriod * 200;
    Shares const shares = run_until(end);
    EXPECT_EQ(shares.idle, Ticks(0));
    EXPECT_EQ(shares.by_serial[limited.serial] + shares.by_serial[free.serial], end);
    // A quarter of every period, exactly: the budget ends a run, and the period's end lets it run again.
    EXPECT_EQ(shares.by_serial[limited.serial], end / 4);
    EXPECT_EQ(shares.by_serial[free.serial], end - end / 4);
    GroveCpuStats const stats = kernel->scheduler().cpu_stats(find(limited)->slot).value();
    EXPECT_GE(stats.throttle_events, 199u);
    EXPECT_GE(count(EventKind::LimitExceeded), 1u);
    EXPECT_EQ(last_of(EventKind::LimitExceeded).fields.limit_exceeded.resource, Resource::Cpu);
    EXPECT_EQ(state_of(limited), GroveState::Running);
}

TEST_F(KernelCpu, TwoLimitedGrovesLeaveTheRestIdleAndDispatchSaysUntilWhen) {
    GroveId const a = spawn(spinner("alpha", 25));
    GroveId const b = spawn(spinner("beta", 50));
    Ticks const end = DefaultCpuPeriod * 50;
    Shares const shares = run_until(end);
    EXPECT_EQ(shares.by_serial[a.serial], end / 4);
    EXPECT_EQ(shares.by_serial[b.serial], end / 2);
    EXPECT_EQ(shares.idle, end / 4);
    // Both throttled: idle until the period ends, once a period.
    EXPECT_EQ(shares.idle_dispatches, 50u);
    EXPECT_EQ(shares.idle_until_period_end, 50u);
}

TEST_F(KernelCpu, GoingOverTheCpuLimitUnderKillCrashesTheGrove) {
    GroveId const g = spawn(spinner("alpha", 25, ViolationPolicy::Kill));
    ThreadId const t = main_thread(g);
    run_until(DefaultCpuPeriod);
    EXPECT_EQ(state_of(g), GroveState::Faulted);
    EXPECT_EQ(last_of(EventKind::Crashed).fields.crashed.kind, CrashKind::LimitViolation);
    EXPECT_EQ(last_of(EventKind::Crashed).time, DefaultCpuPeriod / 4);
    EXPECT_EQ(thread(t), nullptr);
}

} // namespace
} // namespace grove

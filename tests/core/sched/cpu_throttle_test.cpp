#include <core/sched/scheduler.hpp>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

namespace grove {
namespace {

struct Slice {
    ThreadId thread;
    GroveSlot grove_slot = 0;
    Ticks start;
    Ticks end;
};

// The backend's loop with a manual clock: expire timeouts, pick, run the thread until its preemption deadline,
// charge it; when nothing is runnable, skip to next_wakeup(). Returns every run until `until`.
std::vector<Slice> simulate(Scheduler& s, Ticks until) {
    std::vector<Slice> runs;
    Ticks now{0};
    while (now < until) {
        (void)s.expire_timeouts(now);
        ThreadId const t = s.pick_next(now);
        if (t.is_null()) {
            Ticks const wakeup = s.next_wakeup();
            EXPECT_NE(wakeup, NoDeadline);
            EXPECT_GT(wakeup, now);
            if (wakeup == NoDeadline || wakeup <= now) break;
            now = wakeup;
            continue;
        }
        Ticks const end = s.preemption_deadline(now);
        EXPECT_GT(end, now);
        runs.push_back(Slice{t, s.thread(t)->grove_slot, now, end});
        EXPECT_TRUE(s.charge(t, end - now, end).has_value());
        now = end;
    }
    return runs;
}

// Ticks each grove ran in each period: usage[grove][period index].
std::map<u32, std::map<u64, u64>> usage_per_period(std::vector<Slice> const& runs, Ticks period) {
    std::map<u32, std::map<u64, u64>> usage;
    for (Slice const& r : runs) {
        for (u64 t = r.start.value; t < r.end.value;) {
            u64 const k = t / period.value;
            u64 const boundary = (k + 1) * period.value;
            u64 const stop = boundary < r.end.value ? boundary : r.end.value;
            usage[r.grove_slot][k] += stop - t;
            t = stop;
        }
    }
    return usage;
}

std::unique_ptr<Scheduler> make_scheduler() { return std::make_unique<Scheduler>(SchedulerConfig{}); }

TEST(CpuThrottle, HogGroveGetsAtMostItsShareWhileAnotherGroveKeepsRunning) {
    auto s = make_scheduler();
    constexpr u32 Hog = 5, Other = 9;
    ASSERT_TRUE(s->set_cpu_limit(Hog, 25).has_value());
    ASSERT_TRUE(s->set_cpu_limit(Other, 100).has_value());
    // The hog has the higher priority: without the throttle the other grove would never run.
    ASSERT_TRUE(s->create(Hog, 20).has_value());
    ASSERT_TRUE(s->create(Hog, 20).has_value());
    ASSERT_TRUE(s->create(Other, 1).has_value());

    constexpr u64 Periods = 50;
    std::vector<Slice> const runs = simulate(*s, s->period() * Periods);
    auto usage = usage_per_period(runs, s->period());
    Ticks const share = s->period() / 4;
    for (u64 k = 0; k < Periods; ++k) {
        EXPECT_EQ(usage[Hog][k], share.value) << "period " << k;
        EXPECT_EQ(usage[Other][k], (s->period() - share).value) << "period " << k;
    }
    GroveCpuStats const hog = s->cpu_stats(Hog).value();
    EXPECT_EQ(hog.consumed, share * Periods);
    EXPECT_EQ(hog.throttle_events, Periods);
    EXPECT_EQ(s->cpu_stats(Other).value().throttle_events, 0u);
    EXPECT_EQ(s->cpu_stats(Other).value().consumed, (s->period() - share) * Periods);
}

TEST(CpuThrottle, WhenOnlyThrottledThreadsRemainTheNextWakeupIsThePeriodEnd) {
    auto s = make_scheduler();
    ASSERT_TRUE(s->set_cpu_limit(0, 25).has_value());
    ThreadId const t = s->create(0, 3).value();
    // The budget ends before the quantum would: 2.5 ms of 10 ms, quanta of 1 ms.
    Ticks now{0};
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(s->pick_next(now), t);
        EXPECT_EQ(s->preemption_deadline(now), now + s->quantum());
        now += s->quantum();
        ASSERT_EQ(s->charge(t, s->quantum(), now).value(), ChargeEffect::None);
    }
    ASSERT_EQ(s->pick_next(now), t);
    EXPECT_EQ(s->preemption_deadline(now), microseconds(2500));
    now = microseconds(2500);
    ASSERT_EQ(s->charge(t, microseconds(500), now).value(), ChargeEffect::Throttled);
    EXPECT_TRUE(s->cpu_stats(0).value().is_throttled);

    EXPECT_TRUE(s->pick_next(now).is_null());
    EXPECT_EQ(s->runnable_count(), 1u);
    EXPECT_EQ(s->next_wakeup(), milliseconds(10));
    // A sleeper that wakes earlier comes first.
    ThreadId const sleeper = s->create(1, 0).value();
    ASSERT_TRUE(s->sleep(sleeper, milliseconds(4)).has_value());
    EXPECT_EQ(s->next_wakeup(), milliseconds(4));
    ASSERT_TRUE(s->destroy(sleeper).has_value());
    EXPECT_EQ(s->next_wakeup(), milliseconds(10));

    EXPECT_TRUE(s->pick_next(milliseconds(10) - Ticks(1)).is_null());
    EXPECT_EQ(s->pick_next(milliseconds(10)), t);
    EXPECT_FALSE(s->cpu_stats(0).value().is_throttled);
    EXPECT_EQ(s->cpu_stats(0).value().used_in_period, Ticks());
}

TEST(CpuThrottle, TwoLimitedGrovesLeaveTheRestIdle) {
    auto s = make_scheduler();
    ASSERT_TRUE(s->set_cpu_limit(1, 25).has_value());
    ASSERT_TRUE(s->set_cpu_limit(2, 50).has_value());
    ASSERT_TRUE(s->create(1, 4).has_value());
    ASSERT_TRUE(s->create(2, 4).has_value());
    ASSERT_TRUE(s->create(2, 4).has_value());
    constexpr u64 Periods = 20;
    std::vector<Slice> const runs = simulate(*s, s->period() * Periods);
    auto usage = usage_per_period(runs, s->period());
    for (u64 k = 0; k < Periods; ++k) {
        EXPECT_EQ(usage[1][k], milliseconds(10).value / 4);
        EXPECT_EQ(usage[2][k], milliseconds(10).value / 2);
    }
    EXPECT_EQ(s->cpu_stats(1).value().throttle_events, Periods);
    EXPECT_EQ(s->cpu_stats(2).value().throttle_events, Periods);
}

TEST(CpuThrottle, HundredPercentIsNeverThrottled) {
    auto s = make_scheduler();
    ASSERT_TRUE(s->set_cpu_limit(7, 100).has_value());
    ThreadId const a = s->create(7, 0).value();
    ThreadId const b = s->create(7, 0).value();
    constexpr u64 Periods = 10;
    std::vector<Slice> const runs = simulate(*s, s->period() * Periods);
    EXPECT_EQ(runs.size(), Periods * 10); // back-to-back quanta, never idle
    for (usize i = 0; i < runs.size(); ++i) {
        EXPECT_EQ(runs[i].thread, i % 2 == 0 ? a : b);
        EXPECT_EQ(runs[i].end - runs[i].start, s->quantum());
    }
    GroveCpuStats const stats = s->cpu_stats(7).value();
    EXPECT_EQ(stats.throttle_events, 0u);
    EXPECT_FALSE(stats.is_throttled);
    EXPECT_EQ(stats.consumed, s->period() * Periods);
    EXPECT_EQ(stats.budget, s->period());
}

TEST(CpuThrottle, DefaultLimitIsHalfOfEachPeriod) {
    auto s = make_scheduler();
    ASSERT_TRUE(s->create(0, 0).has_value());
    std::vector<Slice> const runs = simulate(*s, s->period() * 3);
    auto usage = usage_per_period(runs, s->period());
    for (u64 k = 0; k < 3; ++k) EXPECT_EQ(usage[0][k], (s->period() / 2).value);
    EXPECT_EQ(s->cpu_stats(0).value().limit_percent, DefaultCpuLimitPercent);
}

TEST(CpuThrottle, ChargeAcrossAPeriodBoundaryIsSplit) {
    auto s = make_scheduler();
    ThreadId const t = s->create(0, 0).value();
    ASSERT_EQ(s->pick_next(milliseconds(9)), t);
    ASSERT_EQ(s->charge(t, milliseconds(2), milliseconds(11)).value(), ChargeEffect::None);
    GroveCpuStats const stats = s->cpu_stats(0).value();
    EXPECT_EQ(stats.used_in_period, milliseconds(1));
    EXPECT_EQ(stats.consumed, milliseconds(2));
    EXPECT_EQ(s->period_end(), milliseconds(20));
    EXPECT_EQ(s->thread(t)->cpu_time, milliseconds(2));
}

// The only thread of the scheduler, in grove slot 0 without a CPU limit, picked at `start`.
ThreadId run_unlimited_from(Scheduler& s, Ticks start) {
    ThreadId const t = s.create(0, 0).value();
    EXPECT_TRUE(s.set_cpu_limit(0, 100).has_value());
    EXPECT_EQ(s.pick_next(start), t);
    return t;
}

TEST(CpuThrottle, AChargeInsideThePeriodAddsTheWholeRunAndOneEndingAtItsEndClosesNothing) {
    auto s = make_scheduler();
    ThreadId const t = run_unlimited_from(*s, milliseconds(2));
    ASSERT_EQ(s->charge(t, milliseconds(3), milliseconds(5)).value(), ChargeEffect::None);
    EXPECT_EQ(s->cpu_stats(0).value().used_in_period, milliseconds(3));
    ASSERT_EQ(s->charge(t, milliseconds(5), milliseconds(10)).value(), ChargeEffect::None);
    EXPECT_EQ(s->cpu_stats(0).value().used_in_period, milliseconds(8));
    EXPECT_EQ(s->period_end(), milliseconds(10));
    // Nothing more at the end itself: that charge starts the next period.
    ASSERT_EQ(s->charge(t, Ticks(0), milliseconds(10)).value(), ChargeEffect::None);
    EXPECT_EQ(s->period_end(), milliseconds(20));
    EXPECT_EQ(s->cpu_stats(0).value().used_in_period, Ticks(0));
    EXPECT_EQ(s->cpu_stats(0).value().consumed, milliseconds(8));
    EXPECT_EQ(s->thread(t)->cpu_time, milliseconds(8));
}

TEST(CpuThrottle, AChargeCountsOnlyThePartOfTheRunInsideTheCurrentPeriod) {
    auto s = make_scheduler();
    ThreadId const t = run_unlimited_from(*s, milliseconds(9));
    // The period closes while the thread runs (something else asked about time at 15 ms).
    (void)s->expire_timeouts(milliseconds(15));
    ASSERT_EQ(s->period_end(), milliseconds(20));
    ASSERT_EQ(s->charge(t, milliseconds(6), milliseconds(15)).value(), ChargeEffect::None);
    GroveCpuStats const stats = s->cpu_stats(0).value();
    EXPECT_EQ(stats.used_in_period, milliseconds(5));
    EXPECT_EQ(stats.consumed, milliseconds(6));
}

TEST(CpuThrottle, ChangingTheLimitTakesEffectAtOnce) {
    auto s = make_scheduler();
    ThreadId const t = s->create(3, 0).value();
    ASSERT_EQ(s->pick_next(Ticks(0)), t);
    ASSERT_EQ(s->charge(t, milliseconds(3), milliseconds(3)).value(), ChargeEffect::None);
    EXPECT_EQ(s->preemption_deadline(milliseconds(3)), milliseconds(3)); // quantum used up
    ASSERT_TRUE(s->set_cpu_limit(3, 20).has_value());                    // 2 ms < 3 ms used
    EXPECT_TRUE(s->cpu_stats(3).value().is_throttled);
    EXPECT_EQ(s->cpu_stats(3).value().throttle_events, 1u);
    EXPECT_TRUE(s->pick_next(milliseconds(3)).is_null()); // the running thread is parked too
    ASSERT_TRUE(s->set_cpu_limit(3, 40).has_value());
    EXPECT_FALSE(s->cpu_stats(3).value().is_throttled);
    EXPECT_EQ(s->pick_next(milliseconds(3)), t);
    EXPECT_EQ(s->preemption_deadline(milliseconds(3)), milliseconds(4));
}

TEST(CpuThrottle, ThreadsWokenOrCreatedWhileThrottledWaitForThePeriodEnd) {
    auto s = make_scheduler();
    ASSERT_TRUE(s->set_cpu_limit(4, 10).has_value());
    ThreadId const hog = s->create(4, 9).value();
    ThreadId const sleeper = s->create(4, 9).value();
    ThreadId const bystander = s->create(8, 1).value();
    ASSERT_TRUE(s->sleep(sleeper, milliseconds(2)).has_value());
    ASSERT_EQ(s->pick_next(Ticks(0)), hog);
    ASSERT_EQ(s->charge(hog, milliseconds(1), milliseconds(1)).value(), ChargeEffect::Throttled);
    ThreadId const late = s->create(4, 31).value();
    EXPECT_EQ(s->expire_timeouts(milliseconds(2)).size, 1u);
    EXPECT_EQ(s->pick_next(milliseconds(2)), bystander);
    EXPECT_EQ(s->runnable_count(), 3u);
    // At the period end they return in the order they were parked: late (created throttled), sleeper (woken
    // throttled), hog (parked by the pick that displaced it); late has the highest priority.
    ASSERT_TRUE(s->block(bystander, BlockReason::Receive, NoDeadline).has_value());
    EXPECT_EQ(s->pick_next(milliseconds(10)), late);
    ASSERT_TRUE(s->exit(late, 0).has_value());
    EXPECT_EQ(s->pick_next(milliseconds(10)), sleeper);
    ASSERT_TRUE(s->exit(sleeper, 0).has_value());
    EXPECT_EQ(s->pick_next(milliseconds(10)), hog);
}

} // namespace
} // namespace grove

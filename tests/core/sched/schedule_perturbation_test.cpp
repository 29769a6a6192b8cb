#include <core/explore/seed_streams.hpp>
#include <core/sched/scheduler.hpp>
#include <tests/core/sched/scheduler_fixture.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

namespace grove {
namespace {

constexpr Ticks Quantum{1000};

using testing::spawn;

std::unique_ptr<Scheduler> make_scheduler(SchedulePerturbation perturbation) {
    return testing::make_scheduler(SchedulerConfig{Quantum, DefaultCpuPeriod, perturbation});
}

// Three threads of one priority run `rounds` picks, each until its preemption deadline; the thread indices picked.
std::vector<u32> picks_of_three(SchedulePerturbation perturbation, int rounds) {
    auto s = make_scheduler(perturbation);
    for (GroveSlot g = 0; g < 3; ++g) spawn(*s, g, 4);
    std::vector<u32> picks;
    Ticks now{0};
    for (int i = 0; i < rounds; ++i) {
        ThreadId const t = s->pick_next(now);
        picks.push_back(t.index);
        Ticks const end = s->preemption_deadline(now);
        EXPECT_TRUE(s->charge(t, end - now, end).has_value());
        now = end;
    }
    return picks;
}

TEST(SchedulePerturbation, OffKeepsStrictRoundRobinWhateverTheSeed) {
    std::vector<u32> const plain = picks_of_three(SchedulePerturbation{}, 30);
    EXPECT_EQ(picks_of_three(SchedulePerturbation{0xfeed, 0, 0}, 30), plain);
    for (usize i = 0; i < plain.size(); ++i) EXPECT_EQ(plain[i], plain[i % 3]);
}

TEST(SchedulePerturbation, JitteredQuantaStayWithinTheirBoundsAndVary) {
    auto s = make_scheduler(SchedulePerturbation{7, 50, 0});
    ThreadId const a = spawn(*s, 0, 4);
    ThreadId const b = spawn(*s, 1, 4);
    std::set<u64> lengths;
    Ticks now{0};
    for (int i = 0; i < 200; ++i) {
        ThreadId const t = s->pick_next(now);
        ASSERT_TRUE(t == a || t == b);
        Ticks const end = s->preemption_deadline(now);
        u64 const length = (end - now).value;
        EXPECT_GE(length, 500u);
        EXPECT_LE(length, 1500u);
        lengths.insert(length);
        ASSERT_TRUE(s->charge(t, end - now, end).has_value());
        now = end;
    }
    EXPECT_GT(lengths.size(), 50u);
}

TEST(SchedulePerturbation, ChangePointsNeverLetALowerPriorityRunFirst) {
    auto s = make_scheduler(SchedulePerturbation{11, 90, 1000});
    ThreadId const high = spawn(*s, 0, 9);
    ThreadId const high2 = spawn(*s, 1, 9);
    spawn(*s, 2, 3);
    Ticks now{0};
    for (int i = 0; i < 300; ++i) {
        ThreadId const t = s->pick_next(now);
        ASSERT_TRUE(t == high || t == high2) << "pick " << i;
        now += Ticks(100);
        ASSERT_TRUE(s->charge(t, Ticks(100), now).has_value());
    }
}

TEST(SchedulePerturbation, ChangePointsReorderEqualPriorityThreadsAndStarveNone) {
    std::vector<u32> const plain = picks_of_three(SchedulePerturbation{}, 300);
    std::vector<u32> const perturbed = picks_of_three(SchedulePerturbation{3, 0, 500}, 300);
    EXPECT_NE(perturbed, plain);
    for (u32 index : {plain[0], plain[1], plain[2]})
        EXPECT_GT(std::count(perturbed.begin(), perturbed.end(), index), 50) << "thread " << index;
}

TEST(SchedulePerturbation, ARunningThreadCanLoseTheCpuAtAChangePointBeforeItsQuantumEnds) {
    auto s = make_scheduler(SchedulePerturbation{5, 0, 1000});
    ThreadId const a = spawn(*s, 0, 4);
    ThreadId const b = spawn(*s, 1, 4);
    Ticks now{0};
    bool switched_early = false;
    ThreadId running = s->pick_next(now);
    for (int i = 0; i < 50 && !switched_early; ++i) {
        now += Ticks(10); // a syscall well inside the quantum
        ASSERT_TRUE(s->charge(running, Ticks(10), now).has_value());
        ThreadId const next = s->pick_next(now);
        switched_early = next != running;
        running = next;
    }
    EXPECT_TRUE(switched_early);
    EXPECT_TRUE(running == a || running == b);
}

TEST(SchedulePerturbation, TheSameSeedGivesTheSamePicksAndOtherSeedsOthers) {
    SchedulePerturbation const one = schedule_perturbation(1, 30, 200);
    SchedulePerturbation const two = schedule_perturbation(2, 30, 200);
    EXPECT_EQ(picks_of_three(one, 200), picks_of_three(one, 200));
    EXPECT_NE(picks_of_three(one, 200), picks_of_three(two, 200));
}

TEST(SchedulePerturbation, PicksStayLiveAndHighestWhileTheThreadSetChangesUnderThem) {
    // Threads are created, put to sleep, woken, destroyed and whole groves removed between picks, with every
    // pick a possible change point: a pick is always a live thread of the highest ready priority, and every
    // runnable thread stays reachable (the run queues and their bitmap agree with the threads' states).
    auto s = make_scheduler(SchedulePerturbation{0x5eed, 90, 700});
    std::vector<ThreadId> live;
    Prng choose(42);
    Ticks now{0};
    for (int step = 0; step < 3000; ++step) {
        ThreadId const running = s->current();
        switch (choose.below(6)) {
        case 0:
            if (live.size() < 24)
                live.push_back(spawn(*s, static_cast<GroveSlot>(choose.below(4)), static_cast<u32>(choose.below(3))));
            break;
        case 1:
            if (!running.is_null()) {
                ASSERT_TRUE(s->sleep(running, now + Ticks(choose.between(1, 3000))).has_value());
            }
            break;
        case 2:
            if (!live.empty()) {
                usize const victim = choose.below(live.size());
                ASSERT_TRUE(s->destroy(live[victim]).has_value());
                live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
            }
            break;
        case 3: {
            GroveSlot const slot = static_cast<GroveSlot>(choose.below(4));
            ASSERT_TRUE(s->remove_grove(slot).has_value());
            std::erase_if(live, [&](ThreadId t) { return s->thread(t) == nullptr; });
            break;
        }
        case 4:
            if (!running.is_null()) { ASSERT_TRUE(s->yield(running).has_value()); }
            break;
        default: break;
        }
        now += Ticks(choose.between(1, 400));
        if (!s->current().is_null()) {
            ASSERT_TRUE(s->charge(s->current(), now - s->dispatched_at(), now).has_value());
        }
        (void)s->expire_timeouts(now);
        ThreadId const picked = s->pick_next(now);
        usize runnable = 0;
        u32 highest_ready = 0;
        for (ThreadId t : live) {
            Thread const* th = s->thread(t);
            ASSERT_NE(th, nullptr);
            if (th->state == ThreadState::Runnable) {
                ++runnable;
                highest_ready = std::max<u32>(highest_ready, th->priority);
            }
        }
        ASSERT_EQ(s->runnable_count(), runnable) << "step " << step;
        if (picked.is_null()) {
            ASSERT_EQ(runnable, 0u) << "step " << step;
            continue;
        }
        Thread const* p = s->thread(picked);
        ASSERT_NE(p, nullptr) << "step " << step;
        ASSERT_EQ(p->state, ThreadState::Running);
        ASSERT_NE(std::find(live.begin(), live.end(), picked), live.end());
        if (runnable != 0) { ASSERT_GE(p->priority, highest_ready) << "step " << step; }
    }
}

} // namespace
} // namespace grove

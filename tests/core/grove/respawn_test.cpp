#include <core/grove/respawn.hpp>

#include <gtest/gtest.h>

namespace grove {
namespace {

RestartBudget budget(u32 max_crashes, u64 window, u64 base = 10, u64 cap = 1000, u64 healthy = 1'000'000) {
    return RestartBudget{max_crashes, Ticks(window), Ticks(base), Ticks(cap), Ticks(healthy)};
}

// Decides, then records the decision, as the manager does.
RespawnDecision end_at(RespawnHistory& h, RespawnPolicy policy, RestartBudget const& b, Crash const& crash, u64 now) {
    RespawnDecision const d = decide_respawn(policy, b, h, crash, Ticks(now));
    h.record(d, b, Ticks(now));
    return d;
}

constexpr RespawnVerdict Stay = RespawnVerdict::StayDown;
constexpr RespawnVerdict Go = RespawnVerdict::Respawn;
constexpr RespawnVerdict Quit = RespawnVerdict::GiveUp;

TEST(Respawn, EveryPolicyAgainstEveryEndingOnAFreshHistory) {
    Crash const endings[] = {Crash::fault(0x401000, 0xdead),
                             Crash::limit_violation(),
                             Crash::watchdog(),
                             Crash::killed(),
                             Crash::exit(1),
                             Crash::exit(-7),
                             Crash::spawn_failed(),
                             Crash::exit(0)};
    constexpr usize Endings = sizeof endings / sizeof endings[0];
    struct Row {
        RespawnPolicy policy;
        RespawnVerdict expected[Endings];
    };
    Row const table[] = {
        //                          fault limit watchdog killed exit1 exit-7 spawn clean
        {RespawnPolicy::never(), {Stay, Stay, Stay, Stay, Stay, Stay, Stay, Stay}},
        {RespawnPolicy::always(), {Go, Go, Go, Go, Go, Go, Go, Go}},
        {RespawnPolicy::on_failure(), {Go, Go, Go, Go, Go, Go, Go, Stay}},
        {RespawnPolicy::limited(2), {Go, Go, Go, Go, Go, Go, Go, Stay}},
        {RespawnPolicy::limited(0), {Quit, Quit, Quit, Quit, Quit, Quit, Quit, Stay}},
    };
    for (Row const& row : table) {
        for (usize i = 0; i < Endings; ++i) {
            RespawnHistory fresh;
            RespawnDecision const d = decide_respawn(row.policy, RestartBudget{}, fresh, endings[i], Ticks(5));
            EXPECT_EQ(d.verdict, row.expected[i]) << respawn_mode_name(row.policy.mode) << " after "
                                                  << crash_kind_name(endings[i].kind) << " " << endings[i].exit_code;
            if (d.verdict == Go) { EXPECT_EQ(d.delay, RestartBudget{}.backoff_base); }
        }
    }
}

TEST(Respawn, AlwaysDiffersFromOnFailureOnACleanExit) {
    RespawnHistory h;
    EXPECT_EQ(decide_respawn(RespawnPolicy::always(), RestartBudget{}, h, Crash::exit(0), Ticks(1)).verdict, Go);
    EXPECT_EQ(decide_respawn(RespawnPolicy::on_failure(), RestartBudget{}, h, Crash::exit(0), Ticks(1)).verdict, Stay);
}

TEST(Respawn, DecisionIsPure) {
    RespawnHistory h;
    (void)decide_respawn(RespawnPolicy::always(), RestartBudget{}, h, Crash::killed(), Ticks(1));
    EXPECT_EQ(h.respawns(), 0u);
    EXPECT_EQ(h.crashes_in_window(seconds(60), Ticks(1)), 0u);
}

TEST(Respawn, ExactlyNCrashesInTheWindowRespawnAndTheNextGivesUp) {
    RestartBudget const b = budget(3, 1000);
    RespawnHistory h;
    EXPECT_EQ(end_at(h, RespawnPolicy::always(), b, Crash::killed(), 0).verdict, Go);
    EXPECT_EQ(end_at(h, RespawnPolicy::always(), b, Crash::killed(), 1).verdict, Go);
    EXPECT_EQ(end_at(h, RespawnPolicy::always(), b, Crash::killed(), 2).verdict, Go);   // the 3rd of 3
    EXPECT_EQ(end_at(h, RespawnPolicy::always(), b, Crash::killed(), 3).verdict, Quit); // the 4th
}

TEST(Respawn, ACrashExactlyOneWindowAgoIsOutside) {
    RestartBudget const b = budget(3, 1000);
    auto history = [&] {
        RespawnHistory h;
        (void)end_at(h, RespawnPolicy::on_failure(), b, Crash::killed(), 0);
        (void)end_at(h, RespawnPolicy::on_failure(), b, Crash::killed(), 500);
        (void)end_at(h, RespawnPolicy::on_failure(), b, Crash::killed(), 600);
        return h;
    };
    RespawnHistory inside = history();
    EXPECT_EQ(inside.crashes_in_window(Ticks(1000), Ticks(999)), 3u);
    EXPECT_EQ(end_at(inside, RespawnPolicy::on_failure(), b, Crash::killed(), 999).verdict, Quit);
    RespawnHistory outside = history();
    EXPECT_EQ(outside.crashes_in_window(Ticks(1000), Ticks(1000)), 2u);
    EXPECT_EQ(end_at(outside, RespawnPolicy::on_failure(), b, Crash::killed(), 1000).verdict, Go);
}

TEST(Respawn, MaxCrashesZeroGivesUpAtOnce) {
    RespawnHistory h;
    EXPECT_EQ(end_at(h, RespawnPolicy::always(), budget(0, 1000), Crash::killed(), 0).verdict, Quit);
}

TEST(Respawn, BackoffDoublesUpToTheCap) {
    RestartBudget const b = budget(31, 1, 100, 1000); // a window of one tick: never gives up here
    RespawnHistory h;
    u64 const expected[] = {100, 200, 400, 800, 1000, 1000, 1000};
    u64 now = 10;
    for (u64 delay : expected) {
        RespawnDecision const d = end_at(h, RespawnPolicy::always(), b, Crash::fault(1, 2), now);
        ASSERT_EQ(d.verdict, Go);
        EXPECT_EQ(d.delay, Ticks(delay)) << "at " << now;
        now += d.delay.value;
        h.record_start(Ticks(now));
        now += 5;
    }
}

TEST(Respawn, BackoffDelayNeverOverflows) {
    EXPECT_EQ(backoff_delay(Ticks(3), Ticks::max(), 200), Ticks::max());
    EXPECT_EQ(backoff_delay(Ticks(3), Ticks(7), 0), Ticks(3));
    EXPECT_EQ(backoff_delay(Ticks(0), Ticks(7), 60), Ticks(0));
}

TEST(Respawn, HealthyUptimeResetsBackoffAndForgetsTheWindow) {
    RestartBudget const b = budget(3, 1'000'000, 100, 10'000, 5000);
    RespawnHistory h;
    (void)end_at(h, RespawnPolicy::on_failure(), b, Crash::killed(), 10);
    h.record_start(Ticks(110));
    (void)end_at(h, RespawnPolicy::on_failure(), b, Crash::killed(), 120);
    h.record_start(Ticks(320));
    EXPECT_EQ(end_at(h, RespawnPolicy::on_failure(), b, Crash::killed(), 330).delay, Ticks(400));
    h.record_start(Ticks(730));
    // Ran 4999 ticks: not yet healthy, and this 4th crash in the window gives up...
    RespawnHistory unhealthy = h;
    EXPECT_EQ(end_at(unhealthy, RespawnPolicy::on_failure(), b, Crash::killed(), 730 + 4999).verdict, Quit);
    // ...while 5000 ticks of uptime is healthy: backoff back to the base, the window starts over.
    RespawnDecision const d = end_at(h, RespawnPolicy::on_failure(), b, Crash::killed(), 730 + 5000);
    EXPECT_EQ(d, RespawnDecision::respawn(Ticks(100)));
    EXPECT_EQ(h.crashes_in_window(b.window, Ticks(730 + 5000)), 1u);
    EXPECT_EQ(h.backoff_exponent(), 1u);
}

TEST(Respawn, LimitedCountsRespawnsOverTheWholeLife) {
    RestartBudget const b = budget(31, 1'000'000, 10, 1000, 100);
    RespawnHistory h;
    for (int i = 0; i < 3; ++i) {
        u64 const now = 1000 * static_cast<u64>(i + 1);
        EXPECT_EQ(end_at(h, RespawnPolicy::limited(3), b, Crash::fault(0, 0), now).verdict, Go);
        h.record_start(Ticks(now + 10)); // each run is long enough to be healthy
    }
    EXPECT_EQ(h.respawns(), 3u);
    EXPECT_EQ(end_at(h, RespawnPolicy::limited(3), b, Crash::fault(0, 0), 9000).verdict, Quit);
    // A clean exit is not a failure: Limited stays down instead of giving up.
    EXPECT_EQ(decide_respawn(RespawnPolicy::limited(3), b, h, Crash::exit(0), Ticks(9001)).verdict, Stay);
}

TEST(RestartBudget, RejectsAWindowLargerThanTheHistoryAndACapBelowTheBase) {
    EXPECT_TRUE(RestartBudget{}.validate().has_value());
    EXPECT_EQ(budget(static_cast<u32>(MaxCrashesPerWindow), 10).validate().error(), Error::InvalidArgument);
    EXPECT_EQ(budget(3, 10, 100, 50).validate().error(), Error::InvalidArgument);
}

} // namespace
} // namespace grove

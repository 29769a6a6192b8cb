#include <core/explore/invariant_checker.hpp>

#include <gtest/gtest.h>

#include <optional>

namespace grove {
namespace {

// The IPC table as the checker sees it: its invariant holds or not, as the test plants it.
struct FakeIpc {
    bool holds = true;
    bool check_invariant() const { return holds; }
};

struct FakeReservation {
    Bytes memory;
    Count threads;
    Count grants;
    Bytes memory_reserved() const { return memory; }
    Count threads_reserved() const { return threads; }
    Count grants_reserved() const { return grants; }
};

// A manager with a registry whose admission reservation is what GroveManager keeps (the limits of the groves not
// quarantined), unless a test plants another.
struct FakeManager {
    Registry groves;
    std::optional<FakeReservation> planted;
    Registry const& registry() const { return groves; }
    FakeReservation admission() const {
        if (planted) return *planted;
        FakeReservation kept;
        groves.for_each([&](Grove const& g) {
            if (g.state == GroveState::Quarantined) return;
            kept.memory += g.spec.limits.memory;
            kept.threads += g.spec.limits.threads;
            kept.grants += g.spec.limits.grants;
        });
        return kept;
    }
};

constexpr MachineMemory Balanced{PageCount(100), PageCount(90), PageCount(10)};

GroveSpec spec(char const* name) {
    GroveSpec s;
    s.name = GroveName::from(name, __builtin_strlen(name)).value();
    s.limits.memory = mebibytes(1);
    s.limits.threads = Count(4);
    s.respawn = RespawnPolicy::always();
    s.restart_budget.backoff_cap = milliseconds(5);
    return s;
}

// A running incarnation of a new grove, its usage built from its spec's limits.
Grove& add_running(Registry& registry, char const* name) {
    Grove& g = *registry.add(spec(name)).value();
    g.has_image = true;
    g.usage = ResourceUsage(g.spec.limits, Ticks(0));
    g.state.transition_to(GroveState::Running);
    return g;
}

// The incarnation ended by a fault and the manager scheduled its respawn.
void crash_with_respawn_pending(Grove& g) {
    g.has_image = false;
    g.state.transition_to(GroveState::Faulted);
    g.respawn_pending = true;
}

// The incarnation ended by a fault and the manager gave up on the grove.
void quarantine(Grove& g) {
    g.has_image = false;
    g.state.transition_to(GroveState::Faulted);
    g.state.transition_to(GroveState::Quarantined);
}

TEST(InvariantChecker, HoldsOnAConsistentMachineAndCountsItsChecks) {
    FakeManager manager;
    Grove& g = add_running(manager.groves, "echo");
    ASSERT_TRUE(g.usage.memory.try_withdraw(kibibytes(64)));
    InvariantChecker checker;
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, milliseconds(1), 1));
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, milliseconds(2), 2));
    EXPECT_EQ(checker.checks(), 2u);
    EXPECT_FALSE(checker.is_broken());
}

TEST(InvariantChecker, ABrokenIpcInvariantIsNamedWithItsStepAndTime) {
    FakeManager manager;
    InvariantChecker checker;
    EXPECT_FALSE(checker.check(FakeIpc{false}, manager, Balanced, microseconds(7), 42));
    ASSERT_TRUE(checker.is_broken());
    EXPECT_EQ(checker.violation().invariant, Invariant::IpcAccounting);
    EXPECT_EQ(checker.violation().step, 42u);
    EXPECT_EQ(checker.violation().time, microseconds(7));
    EXPECT_STREQ(invariant_name(checker.violation().invariant), "kernel IPC invariant");
}

TEST(InvariantChecker, AFrameNobodyIsChargedForBreaksMemoryAccounting) {
    FakeManager manager;
    InvariantChecker checker;
    MachineMemory const leaked{PageCount(100), PageCount(89), PageCount(10)};
    EXPECT_FALSE(checker.check(FakeIpc{}, manager, leaked, Ticks(5), 3));
    EXPECT_EQ(checker.violation().invariant, Invariant::MemoryAccounting);
    EXPECT_EQ(checker.violation().expected, 11u); // frames in use
    EXPECT_EQ(checker.violation().seen, 10u);     // frames charged to groves
}

TEST(InvariantChecker, AGroveOverItsMemoryLimitIsNamed) {
    FakeManager manager;
    Grove& g = add_running(manager.groves, "memhog");
    ASSERT_TRUE(g.usage.memory.try_withdraw(kibibytes(512)));
    g.usage.memory.set_limit(kibibytes(256)); // planted: the quota no longer matches the spec
    InvariantChecker checker;
    EXPECT_FALSE(checker.check(FakeIpc{}, manager, Balanced, Ticks(1), 1));
    EXPECT_EQ(checker.violation().invariant, Invariant::GroveLimits);
    EXPECT_EQ(checker.violation().serial, g.id.serial);
    EXPECT_EQ(checker.violation().expected, mebibytes(1).value);
    EXPECT_EQ(checker.violation().seen, kibibytes(256).value);
}

TEST(InvariantChecker, MoreThreadsThanTheLimitBreaksTheLimits) {
    FakeManager manager;
    Grove& g = add_running(manager.groves, "bomb");
    ASSERT_TRUE(g.usage.threads.try_withdraw(Count(4)));
    g.usage.threads.set_limit(Count(3));
    g.spec.limits.threads = Count(3); // planted: a limit lowered under what is in use
    InvariantChecker checker;
    EXPECT_FALSE(checker.check(FakeIpc{}, manager, Balanced, Ticks(1), 1));
    EXPECT_EQ(checker.violation().invariant, Invariant::GroveLimits);
    EXPECT_EQ(checker.violation().expected, 3u);
    EXPECT_EQ(checker.violation().seen, 4u);
}

TEST(InvariantChecker, AdmissionReservationIsTheLimitsOfTheGrovesNotQuarantined) {
    FakeManager manager;
    add_running(manager.groves, "echo");
    Grove& lost = add_running(manager.groves, "crasher");
    quarantine(lost);
    manager.planted = FakeReservation{mebibytes(1), Count(4), Count(DefaultGrants)};
    InvariantChecker checker;
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, Ticks(1), 1));
}

TEST(InvariantChecker, AReservationStillHoldingAQuarantinedGroveBreaksAdmission) {
    FakeManager manager;
    add_running(manager.groves, "echo");
    Grove& lost = add_running(manager.groves, "crasher");
    quarantine(lost);
    manager.planted =
        FakeReservation{mebibytes(2), Count(8),
                        Count(2 * DefaultGrants)}; // planted: the quarantined grove's share not given back
    InvariantChecker checker;
    EXPECT_FALSE(checker.check(FakeIpc{}, manager, Balanced, Ticks(1), 1));
    EXPECT_EQ(checker.violation().invariant, Invariant::AdmissionReservation);
    EXPECT_EQ(checker.violation().expected, mebibytes(1).value);
    EXPECT_EQ(checker.violation().seen, mebibytes(2).value);
}

TEST(InvariantChecker, ARespawnThatNeverComesBreaksLivenessPastTheBackoffBound) {
    FakeManager manager;
    Grove& g = add_running(manager.groves, "crasher");
    crash_with_respawn_pending(g); // planted: the manager never carries it out
    InvariantChecker checker;
    Ticks const down = milliseconds(10);
    Ticks const bound = down + g.spec.restart_budget.backoff_cap + LivenessSlack;
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, down, 1));
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, bound, 2));
    EXPECT_FALSE(checker.check(FakeIpc{}, manager, Balanced, bound + Ticks(1), 3));
    EXPECT_EQ(checker.violation().invariant, Invariant::Liveness);
    EXPECT_EQ(checker.violation().serial, g.id.serial);
    EXPECT_EQ(checker.violation().expected, bound.value);
}

TEST(InvariantChecker, LivenessIsOwedOnlyOnceTheFaultsHaveStopped) {
    FakeManager manager;
    Grove& g = add_running(manager.groves, "crasher");
    crash_with_respawn_pending(g);
    InvariantChecker checker;
    checker.set_faults_end(milliseconds(100));
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, milliseconds(10), 1));
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, milliseconds(100), 2));
    EXPECT_FALSE(checker.check(FakeIpc{}, manager, Balanced, milliseconds(107), 3));
    EXPECT_EQ(checker.violation().invariant, Invariant::Liveness);
}

TEST(InvariantChecker, AGroveBackWithinItsBoundOrQuarantinedKeepsLiveness) {
    FakeManager manager;
    Grove& back = add_running(manager.groves, "crasher");
    Grove& lost = add_running(manager.groves, "looper");
    crash_with_respawn_pending(back);
    quarantine(lost);
    InvariantChecker checker;
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, milliseconds(1), 1));
    back.respawn_pending = false;
    back.has_image = true;
    back.state.transition_to(GroveState::Loading);
    back.state.transition_to(GroveState::Running);
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, milliseconds(4), 2));
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, seconds(1), 3));
}

// A grove respawned and down again between two checks (the checker never saw it alive) waits anew: its bound
// runs from the check that first sees the later incarnation down, not from the earlier one.
TEST(InvariantChecker, AGroveRespawnedAndDownAgainBetweenChecksIsANewWait) {
    FakeManager manager;
    Grove& g = add_running(manager.groves, "chaos");
    crash_with_respawn_pending(g);
    InvariantChecker checker;
    Ticks const bound = g.spec.restart_budget.backoff_cap + LivenessSlack;
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, milliseconds(10), 1));
    // Respawned as generation 2 and crashed again, all between two checks.
    ++g.id.generation;
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, milliseconds(10) + bound - Ticks(1), 2));
    EXPECT_TRUE(checker.check(FakeIpc{}, manager, Balanced, milliseconds(10) + bound + Ticks(1), 3));
    EXPECT_FALSE(
        checker.check(FakeIpc{}, manager, Balanced, milliseconds(10) + bound - Ticks(1) + bound + Ticks(1), 4));
    EXPECT_EQ(checker.violation().invariant, Invariant::Liveness);
    EXPECT_EQ(checker.violation().expected, (milliseconds(10) + bound - Ticks(1) + bound).value);
}

TEST(InvariantChecker, TheFirstViolationIsKeptAndEndsTheChecks) {
    FakeManager manager;
    InvariantChecker checker;
    MachineMemory const leaked{PageCount(100), PageCount(80), PageCount(10)};
    EXPECT_FALSE(checker.check(FakeIpc{}, manager, leaked, Ticks(3), 7));
    EXPECT_FALSE(checker.check(FakeIpc{false}, manager, Balanced, Ticks(4), 8));
    EXPECT_EQ(checker.violation().invariant, Invariant::MemoryAccounting);
    EXPECT_EQ(checker.violation().step, 7u);
    EXPECT_EQ(checker.checks(), 1u);
}

} // namespace
} // namespace grove

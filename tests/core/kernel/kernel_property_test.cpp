// A random-operation property test at the kernel level (random_operations.hpp, choices from a PRNG): four groves
// run random syscalls (valid and hostile), faults and timer traps, and the operator kills, crashes, hangs, stops and
// charges them at random. After every step: no panic, the IPC accounting invariant holds, and every context the
// backend holds belongs to a live thread of a live grove. The same seed gives the same digest.
#include <tests/core/kernel/random_operations.hpp>

#include <gtest/gtest.h>

namespace grove {
namespace {

using namespace testing;

struct RunResult {
    u64 digest = 0;
    u64 syscalls = 0;
    u64 faults = 0;
    u64 blocked = 0;
    u64 crashes = 0;
    u64 delivered = 0;
};

RunResult random_run(u64 seed, u64 syscalls) {
    PrngChoices choices(seed);
    RandomOperations run(choices);
    RunResult result;
    EXPECT_EQ(run.start(), "");
    while (run.counts().syscalls < syscalls) {
        std::string const broken = run.step();
        EXPECT_EQ(broken, "") << "after " << run.counts().syscalls << " syscalls";
        if (!broken.empty()) return result;
    }
    EXPECT_EQ(run.finish(), "");
    result.digest = run.kernel().digest();
    result.syscalls = run.counts().syscalls;
    result.faults = run.counts().faults;
    result.blocked = run.counts().blocked;
    result.crashes = run.events().count(EventKind::Crashed);
    for (u8 slot = 0; slot < MaxGroves; ++slot) result.delivered += run.kernel().ipc().grove_counters(slot).delivered;
    return result;
}

class KernelProperty : public ::testing::TestWithParam<u64> {};

TEST_P(KernelProperty, RandomOperationsKeepEveryInvariantAndReplayToTheSameDigest) {
    constexpr u64 Syscalls = 20'000;
    RunResult const first = random_run(GetParam(), Syscalls);
    ASSERT_FALSE(HasFailure());
    RunResult const second = random_run(GetParam(), Syscalls);
    EXPECT_EQ(first.digest, second.digest);
    EXPECT_EQ(first.syscalls, Syscalls);
    // The run did exercise what it is about.
    EXPECT_GT(first.faults, 50u);
    EXPECT_GT(first.blocked, 200u);
    // Fewer deliveries as more syscalls share the draw: seed 20251114 delivers 144 since issued handles joined it.
    EXPECT_GT(first.delivered, 120u);
    EXPECT_GT(first.crashes, 20u);
    RunResult const other = random_run(GetParam() + 1, 2'000);
    EXPECT_NE(other.digest, first.digest);
}

INSTANTIATE_TEST_SUITE_P(Seeds, KernelProperty, ::testing::Values(1, 42, 0x5eed, 20'251'114));

} // namespace
} // namespace grove

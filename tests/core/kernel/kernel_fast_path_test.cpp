// The IPC fast path against the general path (Kernel::set_fast_ipc): two kernels driven by the same random syscall
// streams of the property test (random_operations.hpp), one with the fast path and one without, must agree after
// every step on everything a grove or the host can see: what runs next and until when, every thread's results,
// the trace (its digest and event counts), the IPC accounting of every grove, the CPU accounts, and at every
// switch the fast path took (and every 64 steps) every byte of every address space.
#include <core/base/hash.hpp>
#include <tests/core/kernel/random_operations.hpp>

#include <gtest/gtest.h>

#include <sstream>

namespace grove {
namespace {

using namespace testing;

// Every thread's registers that the kernel writes and its record in the scheduler, the backend's preemption
// deadline, the IPC and CPU accounts.
std::string visible_state(RandomOperations const& run) {
    std::ostringstream out;
    Dispatch const& d = run.dispatch();
    out << "dispatch " << d.thread.index << "/" << d.thread.generation << " until " << d.wake_at.value;
    out << " deadline " << run.arch().preemption_deadline().value << " now " << run.arch().now().value;
    out << " digest " << run.kernel().digest() << "\n";
    for (auto const& [index, c] : run.arch().contexts())
        out << "thread " << index << " rax " << c.rax << " rdx " << c.rdx << "\n";
    Scheduler const& scheduler = run.kernel().scheduler();
    out << "runnable " << scheduler.runnable_count() << " period " << scheduler.period_end().value << "\n";
    run.kernel().manager().registry().for_each([&](Grove const& g) {
        for (ThreadId id : run.kernel().threads_of(g.id)) {
            Thread const& t = *scheduler.thread(id);
            out << "scheduled " << id.index << "/" << id.generation << " state " << int(t.state) << " reason "
                << int(t.block_reason) << " deadline " << t.deadline.value << " quantum " << t.quantum_left.value
                << " cpu " << t.cpu_time.value << "\n";
        }
    });
    for (u8 slot = 0; slot < MaxGroves; ++slot) {
        IpcCounters const& c = run.kernel().ipc().grove_counters(slot);
        out << "ipc " << int(slot) << " " << c.sent << " " << c.delivered << " " << c.queued << " "
            << c.refused_total();
        Result<GroveCpuStats> const cpu = run.kernel().scheduler().cpu_stats(slot);
        if (cpu.has_value())
            out << " cpu " << cpu.value().used_in_period.value << " " << cpu.value().consumed.value << " "
                << cpu.value().throttle_events;
        out << "\n";
    }
    return out.str();
}

// Every mapped page of every address space: its permissions and bytes.
u64 memory_digest(RandomOperations const& run) {
    Fnv1a64 hash;
    for (auto const& [id, space] : run.arch().spaces())
        for (auto const& [page, bytes] : space.pages) {
            hash.update_u64(id);
            hash.update_u64(page);
            hash.update_u64(static_cast<u64>(bytes.permissions));
            hash.update(bytes.bytes.data(), bytes.bytes.size());
        }
    return hash.digest();
}

struct Comparison {
    u64 fast_switches = 0;
    u64 slow_switches = 0;
    u64 steps = 0;
    u64 interrupt_events = 0; // taken by the kernel (each an event), in the fast run
};

Comparison compare_paths(u64 seed, RandomOptions options, u64 syscalls) {
    PrngChoices fast_choices(seed);
    PrngChoices slow_choices(seed);
    RandomOptions slow_options = options;
    options.fast_ipc = true;
    slow_options.fast_ipc = false;
    RandomOperations fast(fast_choices, options);
    RandomOperations slow(slow_choices, slow_options);
    Comparison result;
    EXPECT_EQ(fast.start(), "");
    EXPECT_EQ(slow.start(), "");
    u64 switches = 0;
    while (fast.counts().syscalls < syscalls) {
        EXPECT_EQ(fast.step(), "");
        EXPECT_EQ(slow.step(), "");
        ++result.steps;
        std::string const fast_state = visible_state(fast);
        std::string const slow_state = visible_state(slow);
        EXPECT_EQ(fast_state, slow_state) << "step " << result.steps;
        bool const switched = fast.kernel().fast_ipc_switches() != switches;
        switches = fast.kernel().fast_ipc_switches();
        if (switched || result.steps % 64 == 0) {
            EXPECT_EQ(memory_digest(fast), memory_digest(slow)) << "step " << result.steps;
        }
        if (::testing::Test::HasFailure()) return result;
    }
    for (EventKind kind : {EventKind::MessageSent, EventKind::MessageDelivered, EventKind::MessageRefused})
        EXPECT_EQ(fast.events().count(kind), slow.events().count(kind));
    EXPECT_EQ(fast.finish(), "");
    EXPECT_EQ(slow.finish(), "");
    EXPECT_EQ(fast.kernel().digest(), slow.kernel().digest());
    result.fast_switches = fast.kernel().fast_ipc_switches();
    result.slow_switches = slow.kernel().fast_ipc_switches();
    result.interrupt_events = fast.events().count(EventKind::Interrupt);
    return result;
}

class KernelFastPath : public ::testing::TestWithParam<u64> {};

RandomOptions ranked_ipc_heavy() {
    RandomOptions options;
    options.ranks = Ranks::Each;
    options.ipc_heavy = true;
    return options;
}

TEST_P(KernelFastPath, RankedIpcHeavyStreamsGiveWhatTheGeneralPathGives) {
    Comparison const c = compare_paths(GetParam(), ranked_ipc_heavy(), 20'000);
    ASSERT_FALSE(HasFailure());
    EXPECT_EQ(c.slow_switches, 0u);
    // The fast path did run: a send to a waiting receiver, or a receive that let a blocked sender in, with the
    // woken thread outranking the caller.
    EXPECT_GT(c.fast_switches, 100u) << c.steps << " steps";
}

TEST_P(KernelFastPath, InterruptsWakingAThreadBeforeATrapGiveWhatTheGeneralPathGives) {
    // A line's waiter woken on the way into the kernel (Kernel::on_interrupts) may outrank the woken thread: the
    // pick is then the general one.
    RandomOptions options = ranked_ipc_heavy();
    options.interrupts = true;
    Comparison const c = compare_paths(GetParam(), options, 20'000);
    ASSERT_FALSE(HasFailure());
    EXPECT_GT(c.fast_switches, 50u) << c.steps << " steps";
    EXPECT_GT(c.interrupt_events, 50u);
}

TEST_P(KernelFastPath, ShortQuantaAndPeriodsGiveWhatTheGeneralPathGives) {
    // Quantum ends, CPU period ends and throttles at every few steps.
    RandomOptions options = ranked_ipc_heavy();
    options.scheduler.quantum = microseconds(30);
    options.scheduler.period = microseconds(150);
    Comparison const c = compare_paths(GetParam(), options, 10'000);
    ASSERT_FALSE(HasFailure());
    EXPECT_GT(c.fast_switches, 40u) << c.steps << " steps";
}

TEST_P(KernelFastPath, TwoGrovesALevelGiveWhatTheGeneralPathGives) {
    RandomOptions options = ranked_ipc_heavy();
    options.ranks = Ranks::Pairs;
    Comparison const c = compare_paths(GetParam(), options, 10'000);
    ASSERT_FALSE(HasFailure());
    EXPECT_GT(c.fast_switches, 25u) << c.steps << " steps";
}

TEST_P(KernelFastPath, PerturbedSchedulesNeverTakeTheFastPathAndGiveWhatTheGeneralPathGives) {
    RandomOptions options = ranked_ipc_heavy();
    options.scheduler.perturbation.seed = GetParam();
    options.scheduler.perturbation.change_per_mille = 200;
    options.scheduler.perturbation.quantum_jitter_percent = 20;
    Comparison const c = compare_paths(GetParam(), options, 5'000);
    ASSERT_FALSE(HasFailure());
    EXPECT_EQ(c.fast_switches, 0u);
}

TEST_P(KernelFastPath, ThePropertyTestsStreamsGiveWhatTheGeneralPathGives) {
    // Every syscall, hostile arguments and faults; with every grove at one level the fast path only refuses (a
    // woken thread never outranks the caller), and its refusals must change nothing. Ranked, it switches too.
    Comparison const flat = compare_paths(GetParam(), RandomOptions{}, 10'000);
    ASSERT_FALSE(HasFailure());
    EXPECT_EQ(flat.fast_switches, 0u);
    RandomOptions ranked;
    ranked.ranks = Ranks::Each;
    Comparison const c = compare_paths(GetParam(), ranked, 20'000);
    ASSERT_FALSE(HasFailure());
    EXPECT_EQ(c.slow_switches, 0u);
    EXPECT_GT(c.fast_switches, 0u) << c.steps << " steps";
}

INSTANTIATE_TEST_SUITE_P(Seeds, KernelFastPath, ::testing::Values(1, 42, 0x5eed, 20'251'114));

} // namespace
} // namespace grove

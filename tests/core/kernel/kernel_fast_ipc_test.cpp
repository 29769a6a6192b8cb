// The IPC fast path (Kernel::IpcPath::Fast) against the general path: the same runs, step by step, either way.
// The random syscall streams of the kernel property test (random_operations.hpp) and a stream shaped like the
// metal benchmark's (a sender of higher priority than its receiver, so the queue fills and every message is a
// Send that blocks and a Receive that lets the sender in) must give the same digest, events, results, buffers and
// accounting with the fast path on and off, and the fast path must have handled them.
#include <tests/core/kernel/kernel_fixture_values.hpp>
#include <tests/core/kernel/random_operations.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace grove {
namespace {

using namespace testing;
using abi::Syscall;

// What a run left that the two paths must agree on.
struct RunOutcome {
    u64 digest = 0;   // every event, in order
    u64 observed = 0; // results and buffers after every step
    std::vector<IpcCounters> counters;
    u64 fast = 0; // syscalls the fast path handled
};

RunOutcome random_run(u64 seed, Kernel::IpcPath path) {
    PrngChoices choices(seed);
    RandomOperations run(choices, path);
    RunOutcome outcome;
    EXPECT_EQ(run.start(), "");
    while (run.counts().syscalls < 8'000) {
        std::string const broken = run.step();
        EXPECT_EQ(broken, "") << "after " << run.counts().syscalls << " syscalls";
        if (!broken.empty()) return outcome;
    }
    outcome.digest = run.kernel().digest();
    outcome.observed = run.observed();
    for (u8 slot = 0; slot < MaxGroves; ++slot) outcome.counters.push_back(run.kernel().ipc().grove_counters(slot));
    outcome.fast = run.kernel().fast_ipc_handled();
    EXPECT_EQ(run.finish(), "");
    return outcome;
}

void expect_same(RunOutcome const& fast, RunOutcome const& general) {
    EXPECT_EQ(fast.digest, general.digest);
    EXPECT_EQ(fast.observed, general.observed);
    ASSERT_EQ(fast.counters.size(), general.counters.size());
    for (usize slot = 0; slot < fast.counters.size(); ++slot) {
        IpcCounters const& a = fast.counters[slot];
        IpcCounters const& b = general.counters[slot];
        EXPECT_TRUE(a.sent == b.sent && a.delivered == b.delivered && a.queued == b.queued &&
                    a.refused_total() == b.refused_total())
            << "grove slot " << slot;
    }
    EXPECT_EQ(general.fast, 0u);
}

class KernelFastIpc : public ::testing::TestWithParam<u64> {};

TEST_P(KernelFastIpc, RandomSyscallStreamsRunTheSameWithAndWithoutTheFastPath) {
    RunOutcome const fast = random_run(GetParam(), Kernel::IpcPath::Fast);
    RunOutcome const general = random_run(GetParam(), Kernel::IpcPath::General);
    expect_same(fast, general);
    EXPECT_GT(fast.fast, 20u); // the streams do take the fast path
}

INSTANTIATE_TEST_SUITE_P(Seeds, KernelFastIpc, ::testing::Values(1, 42, 0x5eed, 20'251'114, 7, 99));

// A sender at priority 16 streams to a receiver at priority 8 with a full queue: every message is a Send that
// blocks, the switch to the receiver, a Receive that takes the oldest message and lets the sender's in, and the
// switch back. Messages vary in priority and payload; now and then the sender's buffer is unmapped-looking garbage
// (a bad header), which both paths must refuse the same way.
RunOutcome stream(Kernel::IpcPath path, u32 steps) {
    FakeArch arch;
    auto const owned = std::make_unique<Kernel>(arch); // too large for the stack
    Kernel& kernel = *owned;
    kernel.set_ipc_path(path);
    GroveSpec receiver_spec = make_spec("echo", RespawnPolicy::never());
    EXPECT_TRUE(receiver_spec.capabilities.grant_receive_from_any().has_value());
    receiver_spec.priority = 8;
    receiver_spec.limits.cpu_percent = 100;
    GroveSpec sender_spec = make_spec("bench", RespawnPolicy::never());
    EXPECT_TRUE(sender_spec.capabilities.grant_send_to_any().has_value());
    sender_spec.priority = 16;
    sender_spec.limits.cpu_percent = 100;
    sender_spec.limits.ipc_messages_per_second = 1'000'000'000;
    sender_spec.limits.ipc_burst = 1'000'000;
    Result<GroveId> const receiver = kernel.spawn(receiver_spec);
    Result<GroveId> const sender = kernel.spawn(sender_spec);
    EXPECT_TRUE(receiver.has_value() && sender.has_value());
    RunOutcome outcome;
    if (!receiver.has_value() || !sender.has_value()) return outcome;
    AddressSpaceId const sender_space = kernel.manager().find(sender.value())->image.space;
    AddressSpaceId const receiver_space = kernel.manager().find(receiver.value())->image.space;
    ThreadId const sending = kernel.threads_of(sender.value())[0];
    EXPECT_TRUE(arch.load(sender_space, VirtAddr{NameBuffer}, "echo", Bytes(4)).has_value());

    Fnv1a64 observed;
    u64 handle = 0;
    u64 sent = 0;
    Dispatch d = kernel.dispatch();
    for (u32 step = 0; step < steps && !d.is_idle(); ++step) {
        arch.set_now(arch.now() + Ticks(40 + step % 7));
        SyscallArgs args{};
        if (d.thread == sending) {
            if (handle == 0) {
                args = syscall_args(Syscall::Lookup, NameBuffer, 4);
            } else {
                abi::Message message = make_message(static_cast<u32>(sent), static_cast<u8>(sent % 32), sent * 7);
                if (sent % 97 == 13) message.header.length = 200; // refused: Invalid
                ++sent;
                EXPECT_TRUE(arch.load(sender_space, VirtAddr{SendBuffer}, &message, Bytes(sizeof message)).has_value());
                args = syscall_args(Syscall::Send, handle, SendBuffer, 0, sent % 5 == 0 ? 1'000'000 : abi::WaitForever);
            }
        } else {
            args = syscall_args(Syscall::Receive, abi::OwnEndpointHandle, ReceiveBuffer, 0, abi::WaitForever);
        }
        arch.set_syscall_result(d.thread, NoResult, 0);
        ThreadId const ran = d.thread;
        d = kernel.on_trap(ran, Trap::make_syscall(SyscallPc, args));
        i64 const rax = arch.context(ran).rax;
        if (handle == 0 && ran == sending && rax > 0) handle = static_cast<u64>(rax);
        observed.update(&d.thread, sizeof d.thread);
        observed.update(&rax, sizeof rax);
        abi::Message received{};
        EXPECT_TRUE(arch.copy_from_user(receiver_space, &received, VirtAddr{ReceiveBuffer}, Bytes(sizeof received))
                        .has_value());
        observed.update(&received, sizeof received);
        EXPECT_TRUE(kernel.ipc().check_invariant());
    }
    outcome.digest = kernel.digest();
    outcome.observed = observed.digest();
    for (u8 slot = 0; slot < MaxGroves; ++slot) outcome.counters.push_back(kernel.ipc().grove_counters(slot));
    outcome.fast = kernel.fast_ipc_handled();
    EXPECT_GT(kernel.ipc().grove_counters(kernel.manager().find(sender.value())->slot).delivered, steps / 4);
    return outcome;
}

TEST(KernelFastIpc, AStreamIntoAFullQueueRunsTheSameWithAndWithoutTheFastPath) {
    constexpr u32 Steps = 3'000;
    RunOutcome const fast = stream(Kernel::IpcPath::Fast, Steps);
    RunOutcome const general = stream(Kernel::IpcPath::General, Steps);
    expect_same(fast, general);
    // Nearly every Send and Receive of the stream took the fast path (a Lookup, a few refused headers and the
    // first Receive on an empty queue did not).
    EXPECT_GT(fast.fast, Steps * 9 / 10);
}

} // namespace
} // namespace grove

// A random-operation property test at the kernel level: four groves run random syscalls (valid and hostile),
// faults and timer traps, and the operator kills, crashes, hangs, stops and charges them at random, with time
// moving as the backend would move it. After every step: no panic, the IPC accounting invariant holds, and
// every context the backend holds belongs to a live thread of a live grove. The same seed gives the same digest.
#include <tests/core/kernel/kernel_fixture.hpp>

#include <core/base/prng.hpp>

#include <string>

namespace grove {
namespace {

using namespace testing;
using abi::Syscall;

constexpr u32 Groves = 4;
constexpr u64 Heap = 0x0060'0000;

GroveSpec random_spec(u32 index) {
    std::string const name = "p" + std::to_string(index);
    GroveSpec s = open_spec(name.c_str(), RespawnPolicy::always());
    EXPECT_TRUE(s.capabilities.grant_send_to_any().has_value());
    EXPECT_TRUE(s.capabilities.grant(CapabilityKind::ThreadCreate).has_value());
    if (index % 2 == 0) {
        EXPECT_TRUE(s.capabilities.grant(CapabilityKind::MemoryManage).has_value());
    }
    s.limits.threads = Count(6);
    s.limits.memory = bytes_of(TestImagePages) + Bytes(8 * PageSize);
    s.limits.file_handles = Count(6);
    s.limits.ipc_messages_per_second = 200'000;
    s.limits.ipc_burst = 8;
    s.limits.policy = static_cast<ViolationPolicy>(index % 3);
    s.limits.cpu_percent = index == 3 ? 100 : 40;
    s.restart_budget.max_crashes = 30;
    s.restart_budget.window = microseconds(200);
    s.restart_budget.backoff_base = microseconds(5);
    s.restart_budget.backoff_cap = microseconds(50);
    s.stop_timeout = microseconds(100);
    return s;
}

// Counts events by kind, however many there are.
class EventCounter final : public EventSink {
public:
    void on_event(Event const& event) override { ++m_counts[static_cast<u8>(event.kind)]; }
    u64 count(EventKind kind) const { return m_counts[static_cast<u8>(kind)]; }

private:
    u64 m_counts[256]{};
};

struct RunResult {
    u64 digest = 0;
    u64 syscalls = 0;
    u64 faults = 0;
    u64 blocked = 0;
    u64 crashes = 0;
    u64 delivered = 0;
};

class RandomRun {
public:
    explicit RandomRun(u64 seed) : m_rng(seed) { m_kernel->set_sink(&m_events); }

    RunResult run(u64 syscalls) {
        PageCount const free = m_arch.free_pages();
        usize const spaces = m_arch.live_spaces();
        for (u32 i = 0; i < Groves; ++i) m_ids[i] = m_kernel->spawn(random_spec(i)).value();
        RunResult result;
        Dispatch d = m_kernel->dispatch();
        while (result.syscalls < syscalls) {
            if (m_rng.below(100) == 0) operate();
            if (d.is_idle()) {
                if (d.wake_at == Ticks::max()) revive();
                else m_arch.set_now(d.wake_at);
                d = m_kernel->dispatch();
            } else {
                ThreadId const thread = d.thread;
                Ticks const room = d.wake_at - m_arch.now();
                m_arch.set_now(m_arch.now() + Ticks(m_rng.below((room < microseconds(20) ? room : microseconds(20)).value + 1)));
                Trap const trap = random_trap(thread, result);
                if (m_arch.has_context(thread)) m_arch.set_syscall_result(thread, NoResult, 0);
                GroveId const g = grove_of(thread);
                d = m_kernel->on_trap(thread, trap);
                if (m_arch.has_context(thread) && m_arch.context(thread).rax == NoResult) ++result.blocked;
                if (m_arch.has_context(thread) && trap.kind == TrapKind::Syscall &&
                    trap.syscall.number == static_cast<u64>(Syscall::Lookup) && m_arch.context(thread).rax > 0)
                    m_handles[g.serial % Groves] = static_cast<u64>(m_arch.context(thread).rax);
            }
            check();
            if (::testing::Test::HasFatalFailure()) return result;
        }
        for (u32 i = 0; i < Groves; ++i) retire(i);
        EXPECT_EQ(m_arch.free_pages(), free);
        EXPECT_EQ(m_arch.live_spaces(), spaces);
        EXPECT_EQ(m_arch.live_contexts(), 0u);
        EXPECT_EQ(m_kernel->scheduler().thread_count(), 0u);
        EXPECT_EQ(m_kernel->ipc().ledger().queued_total(), 0u);
        EXPECT_EQ(m_kernel->ipc().size(), 0u);
        EXPECT_TRUE(m_kernel->ipc().check_invariant());
        result.digest = m_kernel->digest();
        result.crashes = m_events.count(EventKind::Crashed);
        for (u8 slot = 0; slot < MaxGroves; ++slot) result.delivered += m_kernel->ipc().grove_counters(slot).delivered;
        return result;
    }

private:
    u64 pick(std::initializer_list<u64> values) {
        u64 const i = m_rng.below(values.size());
        return *(values.begin() + i);
    }
    u64 hostile() {
        return pick({0, 1, ReadOnlyAddress, UnmappedAddress, KernelAddress, layout::WindowEnd - 8, ~u64{0},
                     u64{0xffff'ffff}, m_rng.next()});
    }
    // With probability 1/8 any argument is replaced by a hostile value.
    u64 maybe_hostile(u64 value) { return m_rng.below(8) == 0 ? hostile() : value; }

    GroveId grove_of(ThreadId thread) const { return m_kernel->grove_of(thread); }
    AddressSpaceId space_of(GroveId g) const { return m_kernel->manager().find(g)->image.space; }

    // Mostly the handle the grove's last Lookup returned (it may have gone stale since).
    u64 some_handle(GroveId g) {
        if (m_rng.below(4) != 0) return m_handles[g.serial % Groves];
        return pick({abi::OwnEndpointHandle, abi::make_handle(1, 1), abi::make_handle(2, 1), abi::make_handle(1, 2)});
    }
    u64 some_timeout() { return pick({0, 1'000, 50'000, abi::WaitForever, abi::WaitForever}); }
    u64 some_buffer() { return pick({SendBuffer, ReceiveBuffer, ReplyBuffer, SecondDataPage + 0x80}); }
    u64 some_thread(GroveId g) {
        auto const threads = m_kernel->threads_of(g);
        if (threads.is_empty() || m_rng.below(4) == 0) return m_rng.next();
        return thread_value(threads[static_cast<usize>(m_rng.below(threads.size()))]);
    }

    void write_random_message(GroveId g, u64 address) {
        abi::Message m = make_message(static_cast<u32>(m_rng.below(16)), static_cast<u8>(m_rng.below(32)),
                                      m_rng.next());
        if (m_rng.below(16) == 0) m.header.priority = static_cast<u8>(m_rng.next());
        if (m_rng.below(16) == 0) m.header.length = static_cast<u16>(m_rng.below(100));
        if (m_rng.below(32) == 0) m.header.reserved = 1;
        if (m_rng.below(8) == 0) m.header.flags = static_cast<u8>(m_rng.next());
        (void)m_arch.load(space_of(g), VirtAddr{address}, &m, Bytes(sizeof m)); // the page may be unmapped
    }

    Trap random_trap(ThreadId thread, RunResult& result) {
        GroveId const g = grove_of(thread);
        // The operator ended the thread's grove after it was dispatched: the backend still hands its trap back.
        if (g.is_null()) return Trap::make_timer(CodeAddress);
        u64 const roll = m_rng.below(1000);
        if (roll < 80) return Trap::make_timer(CodeAddress);
        if (roll < 84) {
            ++result.faults;
            FaultInfo info;
            info.address = m_rng.next();
            info.cause = m_rng.below(2) == 0 ? FaultCause::IoPort : FaultCause::PrivilegedInstruction;
            info.port = static_cast<u16>(m_rng.next());
            TrapKind const kinds[] = {TrapKind::PageFault, TrapKind::GeneralProtection, TrapKind::InvalidOpcode,
                                      TrapKind::DivideError, TrapKind::Breakpoint, TrapKind::EmulatorError};
            return Trap::make_fault(kinds[m_rng.below(6)], CodeAddress + m_rng.below(8), info);
        }
        ++result.syscalls;
        SyscallArgs args{};
        u64* a = args.arg;
        u64 const kinds = static_cast<u64>(Syscall::Count) + 1;
        u64 number = m_rng.below(kinds);
        // Exits end incarnations; keep them rare enough that groves live a while.
        if ((number == static_cast<u64>(Syscall::Exit) || number == static_cast<u64>(Syscall::ThreadExit)) &&
            m_rng.below(8) != 0)
            number = static_cast<u64>(Syscall::Send);
        args.number = number;
        switch (static_cast<Syscall>(number)) {
        case Syscall::Exit:
        case Syscall::ThreadExit: a[0] = pick({0, 0, 1, static_cast<u64>(-1)}); break;
        case Syscall::Sleep: a[0] = pick({0, 10, 1'000, 20'000}); break;
        case Syscall::ConsoleWrite:
            a[0] = maybe_hostile(TextBuffer);
            a[1] = maybe_hostile(m_rng.between(1, 64));
            break;
        case Syscall::Send:
        case Syscall::Call:
        case Syscall::Receive:
            if (number != static_cast<u64>(Syscall::Receive)) write_random_message(g, SendBuffer);
            a[0] = maybe_hostile(number == static_cast<u64>(Syscall::Receive) ? abi::OwnEndpointHandle : some_handle(g));
            a[1] = maybe_hostile(number == static_cast<u64>(Syscall::Receive) ? some_buffer() : SendBuffer);
            a[2] = number == static_cast<u64>(Syscall::Call) ? maybe_hostile(some_buffer())
                                                              : maybe_hostile(pick({0, abi::FlagNonBlocking}));
            a[3] = some_timeout();
            break;
        case Syscall::Reply:
            write_random_message(g, SendBuffer);
            a[0] = maybe_hostile(SendBuffer);
            break;
        case Syscall::Lookup: {
            std::string const name = m_rng.below(8) == 0 ? "nobody" : "p" + std::to_string(m_rng.below(Groves));
            (void)m_arch.load(space_of(g), VirtAddr{NameBuffer}, name.data(), Bytes(name.size()));
            a[0] = maybe_hostile(NameBuffer);
            a[1] = maybe_hostile(name.size());
            break;
        }
        case Syscall::MemoryMap:
        case Syscall::MemoryUnmap:
            a[0] = maybe_hostile(m_rng.below(16) == 0 ? SecondDataPage : Heap + m_rng.below(4) * PageSize);
            a[1] = maybe_hostile(m_rng.between(1, 2) * PageSize);
            a[2] = maybe_hostile(pick({abi::ProtRead, abi::ProtRead | abi::ProtWrite, abi::ProtExecute}));
            break;
        case Syscall::ThreadCreate:
            a[0] = maybe_hostile(CodeAddress);
            a[1] = maybe_hostile(StackTop - 0x100 * m_rng.below(8));
            a[2] = m_rng.next();
            break;
        case Syscall::ThreadJoin:
            a[0] = some_thread(g);
            a[1] = some_timeout();
            break;
        case Syscall::PhysicalMap:
            a[0] = maybe_hostile(0x700000);
            a[1] = maybe_hostile(0xb8000);
            a[2] = maybe_hostile(PageSize);
            a[3] = abi::ProtRead;
            break;
        case Syscall::HandleClose: a[0] = maybe_hostile(some_handle(g)); break;
        case Syscall::Yield:
        case Syscall::Clock:
        case Syscall::SubscribeCrashes:
        case Syscall::Heartbeat:
        case Syscall::Count: break;
        }
        return Trap::make_syscall(SyscallPc, args);
    }

    // An operator's action on a random grove.
    void operate() {
        GroveId const g = m_ids[m_rng.below(Groves)];
        switch (m_rng.below(6)) {
        case 0: (void)m_kernel->kill(g); break;
        case 1: (void)m_kernel->crash(g, Crash::fault(CodeAddress, m_rng.next())); break;
        case 2:
            if (m_rng.below(4) == 0) (void)m_kernel->hang(g);
            break;
        case 3: (void)m_kernel->stop(g); break;
        case 4: (void)m_kernel->charge_memory(g, Bytes(m_rng.below(3) * PageSize)); break;
        case 5: (void)m_kernel->restart(g); break;
        }
        refresh_ids();
    }

    // Nothing will ever run by itself (every thread waits for ever, or every grove is down for good): kill or
    // replace one grove.
    void revive() {
        u32 const i = static_cast<u32>(m_rng.below(Groves));
        Grove const* g = m_kernel->manager().registry().find_serial(m_ids[i].serial);
        if (g != nullptr && g->is_alive()) {
            (void)m_kernel->kill(m_ids[i]);
        } else {
            retire(i);
            Result<GroveId> spawned = m_kernel->spawn(random_spec(i));
            ASSERT_TRUE(spawned.has_value());
            m_ids[i] = spawned.value();
        }
        refresh_ids();
    }

    // Ends grove i for good and forgets it.
    void retire(u32 i) {
        Grove const* g = m_kernel->manager().registry().find_serial(m_ids[i].serial);
        if (g == nullptr) return;
        GroveId const id = g->id;
        (void)m_kernel->stop(id); // cancels a scheduled respawn; a running grove starts stopping
        if (m_kernel->manager().find(id)->is_alive()) (void)m_kernel->kill(id);
        EXPECT_TRUE(m_kernel->manager().remove(id).has_value());
    }

    void refresh_ids() {
        for (GroveId& id : m_ids) {
            Grove const* g = m_kernel->manager().registry().find_serial(id.serial);
            if (g != nullptr) id = g->id;
        }
    }

    void check() {
        ASSERT_TRUE(m_kernel->ipc().check_invariant());
        refresh_ids();
        usize threads = 0;
        for (GroveId id : m_ids) {
            Grove const* g = m_kernel->manager().registry().find_serial(id.serial);
            usize const live = m_kernel->threads_of(id).size();
            ASSERT_EQ(live > 0, g != nullptr && g->is_alive()) << id.serial;
            threads += live;
        }
        ASSERT_EQ(m_arch.live_contexts(), threads);
    }

    Prng m_rng;
    FakeArch m_arch;
    std::unique_ptr<Kernel> m_kernel = std::make_unique<Kernel>(m_arch);
    EventCounter m_events;
    GroveId m_ids[Groves]{};
    u64 m_handles[Groves]{}; // by serial % Groves: the last handle a Lookup of that grove returned
};

class KernelProperty : public ::testing::TestWithParam<u64> {};

TEST_P(KernelProperty, RandomOperationsKeepEveryInvariantAndReplayToTheSameDigest) {
    constexpr u64 Syscalls = 20'000;
    RunResult const first = RandomRun(GetParam()).run(Syscalls);
    ASSERT_FALSE(HasFatalFailure());
    RunResult const second = RandomRun(GetParam()).run(Syscalls);
    EXPECT_EQ(first.digest, second.digest);
    EXPECT_EQ(first.syscalls, Syscalls);
    // The run did exercise what it is about.
    EXPECT_GT(first.faults, 50u);
    EXPECT_GT(first.blocked, 200u);
    EXPECT_GT(first.delivered, 200u);
    EXPECT_GT(first.crashes, 20u);
    RunResult const other = RandomRun(GetParam() + 1).run(2'000);
    EXPECT_NE(other.digest, first.digest);
}

INSTANTIATE_TEST_SUITE_P(Seeds, KernelProperty, ::testing::Values(1, 42, 0x5eed, 20'251'114));

} // namespace
} // namespace grove

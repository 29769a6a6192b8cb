// Threads through the Kernel: ThreadCreate, ThreadExit and ThreadJoin, the thread limit, and the last thread's exit
// ending the grove.
#include <tests/core/kernel/kernel_fixture.hpp>

namespace grove {
namespace {

using namespace testing;

class KernelThreads : public KernelTest {
protected:
    GroveId spawn_threaded(u32 limit = 16, ViolationPolicy policy = ViolationPolicy::Deny) {
        GroveSpec s = spec_with("alpha", CapabilityKind::ThreadCreate);
        s.limits.threads = Count(limit);
        s.limits.policy = policy;
        return spawn(s);
    }
    ThreadId create(ThreadId creator, u64 argument = 0) {
        i64 const value = sys(creator, Syscall::ThreadCreate, CodeAddress + 1, StackTop, argument);
        EXPECT_GT(value, 0);
        return thread_id(value);
    }
};

TEST_F(KernelThreads, ThreadCreateStartsAThreadAtItsEntryWithItsArgument) {
    GroveId const g = spawn_threaded();
    ThreadId const t = main_thread(g);
    ThreadId const created = create(t, 42);
    EXPECT_EQ(kernel->grove_of(created), g);
    EXPECT_EQ(arch.context(created).entry, CodeAddress + 1);
    EXPECT_EQ(arch.context(created).stack_top, StackTop);
    EXPECT_EQ(arch.context(created).arg0, 42u);
    EXPECT_EQ(arch.context(created).space, space_of(g));
    EXPECT_EQ(kernel->threads_of(g).size(), 2u);
    EXPECT_EQ(find(g)->usage.threads.used(), Count(2));
    EXPECT_TRUE(make_current(created));
}

TEST_F(KernelThreads, ThreadCreateRefusesHostileEntriesAndStacks) {
    GroveId const g = spawn_threaded();
    ThreadId const t = main_thread(g);
    struct Case {
        u64 entry, stack;
    };
    for (Case c :
         {Case{0, StackTop}, Case{KernelAddress, StackTop}, Case{CodeAddress, 0}, Case{CodeAddress, StackTop + 8},
          Case{CodeAddress, KernelAddress}, Case{~u64{0}, StackTop}, Case{CodeAddress, layout::WindowEnd + 16}})
        EXPECT_EQ(sys(t, Syscall::ThreadCreate, c.entry, c.stack, 0), status(Error::InvalidArgument))
            << std::hex << c.entry << " " << c.stack;
    EXPECT_EQ(kernel->threads_of(g).size(), 1u);
    EXPECT_EQ(find(g)->usage.threads.used(), Count(1));
}

TEST_F(KernelThreads, TheThreadLimitRefusesTheNextThreadWithAnEvent) {
    GroveId const g = spawn_threaded(3);
    ThreadId const t = main_thread(g);
    create(t);
    create(t);
    EXPECT_EQ(sys(t, Syscall::ThreadCreate, CodeAddress, StackTop, 0), status(Error::LimitExceeded));
    Event const e = last_of(EventKind::LimitExceeded);
    EXPECT_EQ(e.fields.limit_exceeded.resource, Resource::Threads);
    EXPECT_EQ(e.fields.limit_exceeded.limit, 3u);
    EXPECT_EQ(kernel->threads_of(g).size(), 3u);
    EXPECT_EQ(state_of(g), GroveState::Running);
}

TEST_F(KernelThreads, TheThreadLimitUnderKillCrashesTheGrove) {
    GroveId const g = spawn_threaded(1, ViolationPolicy::Kill);
    ThreadId const t = main_thread(g);
    EXPECT_EQ(sys(t, Syscall::ThreadCreate, CodeAddress, StackTop, 0), NoResult);
    EXPECT_EQ(state_of(g), GroveState::Faulted);
    EXPECT_EQ(last_of(EventKind::Crashed).fields.crashed.kind, CrashKind::LimitViolation);
    EXPECT_EQ(thread(t), nullptr);
}

TEST_F(KernelThreads, AnExitedThreadCountsAgainstTheLimitUntilJoined) {
    GroveId const g = spawn_threaded(4);
    ThreadId const t = main_thread(g);
    ThreadId const other = main_thread(spawn(spec_with("beta", CapabilityKind::ThreadCreate)));
    ThreadId first{};
    i64 refused = 0;
    for (int i = 0; i < 300 && refused == 0; ++i) {
        i64 const created = sys(t, Syscall::ThreadCreate, CodeAddress, StackTop, 0);
        if (created < 0) {
            refused = created;
            break;
        }
        if (first.is_null()) first = thread_id(created);
        EXPECT_EQ(sys(thread_id(created), Syscall::ThreadExit, 0), NoResult);
    }
    // Never joined, the exited threads hold the grove's own limit, not the kernel's thread table.
    EXPECT_EQ(refused, status(Error::LimitExceeded));
    EXPECT_EQ(kernel->scheduler().thread_count(), 5u);
    EXPECT_GT(sys(other, Syscall::ThreadCreate, CodeAddress, StackTop, 0), 0);
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, thread_value(first), 0), 0);
    EXPECT_GT(sys(t, Syscall::ThreadCreate, CodeAddress, StackTop, 0), 0);
    EXPECT_EQ(find(g)->usage.threads.used(), Count(4));
}

TEST_F(KernelThreads, JoinBlocksUntilTheTargetExits) {
    GroveId const g = spawn_threaded();
    ThreadId const t = main_thread(g);
    ThreadId const worker = create(t);
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, thread_value(worker), abi::WaitForever), NoResult);
    EXPECT_TRUE(is_blocked(t));
    EXPECT_EQ(sys(worker, Syscall::ThreadExit, static_cast<u64>(-5)), NoResult);
    EXPECT_EQ(rax(t), 0);
    EXPECT_EQ(static_cast<i64>(rdx(t)), -5);
    EXPECT_EQ(thread(worker), nullptr);
    EXPECT_EQ(kernel->scheduler().thread_count(), 1u);
}

TEST_F(KernelThreads, JoinTimesOut) {
    GroveId const g = spawn_threaded();
    ThreadId const t = main_thread(g);
    ThreadId const worker = create(t);
    EXPECT_EQ(sys(worker, Syscall::Sleep, abi::WaitForever), NoResult);
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, thread_value(worker), 300), NoResult);
    EXPECT_EQ(last.wake_at, Ticks(300));
    advance_to(Ticks(300));
    EXPECT_EQ(rax(t), status(Error::TimedOut));
    EXPECT_NE(thread(worker), nullptr);
}

TEST_F(KernelThreads, JoinRefusesItselfForeignAndForgedThreads) {
    GroveId const g = spawn_threaded();
    ThreadId const t = main_thread(g);
    ThreadId const foreign = main_thread(spawn("beta"));
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, thread_value(t), abi::WaitForever), status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, thread_value(foreign), abi::WaitForever), status(Error::NotFound));
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, thread_value(ThreadId{t.index, t.generation + 1}), 0),
              status(Error::NotFound));
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, 0, 0), status(Error::NotFound));
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, ~u64{0}, 0), status(Error::NotFound));
    EXPECT_FALSE(is_blocked(t));
}

TEST_F(KernelThreads, TwoThreadsJoiningEachOtherIsRefused) {
    GroveId const g = spawn_threaded();
    ThreadId const t = main_thread(g);
    ThreadId const worker = create(t);
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, thread_value(worker), abi::WaitForever), NoResult);
    EXPECT_EQ(sys(worker, Syscall::ThreadJoin, thread_value(t), abi::WaitForever), status(Error::InvalidState));
}

TEST_F(KernelThreads, JoinOfAnExitedThreadReturnsItsCodeInRdx) {
    GroveId const g = spawn_threaded();
    ThreadId const t = main_thread(g);
    ThreadId const worker = create(t);
    EXPECT_EQ(sys(worker, Syscall::ThreadExit, 7), NoResult);
    EXPECT_FALSE(arch.has_context(worker));
    EXPECT_EQ(kernel->threads_of(g).size(), 1u);
    EXPECT_EQ(state_of(g), GroveState::Running);
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, thread_value(worker), abi::WaitForever), 0);
    EXPECT_EQ(rdx(t), 7u);
    // Reaped: a second join finds nothing.
    EXPECT_EQ(sys(t, Syscall::ThreadJoin, thread_value(worker), abi::WaitForever), status(Error::NotFound));
    EXPECT_EQ(thread(worker), nullptr);
}

TEST_F(KernelThreads, TheLastThreadsExitEndsTheGroveWithItsCode) {
    GroveId const clean = spawn_threaded();
    ThreadId const t = main_thread(clean);
    ThreadId const worker = create(t);
    EXPECT_EQ(sys(t, Syscall::ThreadExit, 0), NoResult); // the main thread may go first
    EXPECT_EQ(state_of(clean), GroveState::Running);
    EXPECT_EQ(sys(worker, Syscall::ThreadExit, 0), NoResult);
    EXPECT_EQ(state_of(clean), GroveState::Stopped);
    EXPECT_EQ(last_of(EventKind::Stopped).fields.stopped.exit_code, 0);

    GroveSpec s = spec("beta");
    GroveId const failing = spawn(s);
    EXPECT_EQ(sys(main_thread(failing), Syscall::ThreadExit, 9), NoResult);
    EXPECT_EQ(state_of(failing), GroveState::Faulted);
    Event const e = last_of(EventKind::Crashed);
    EXPECT_EQ(e.fields.crashed.kind, CrashKind::Exit);
    EXPECT_EQ(e.fields.crashed.exit_code, 9);
    EXPECT_EQ(kernel->scheduler().thread_count(), 0u);
}

TEST_F(KernelThreads, AnExitingThreadGivesUpTheCallItOwes) {
    GroveSpec server = spec_with("server", CapabilityKind::ThreadCreate);
    GroveId const sg = spawn(server);
    GroveId const cg = spawn(spec_sending_to("client", "server"));
    ThreadId const st = main_thread(sg);
    ThreadId const ct = main_thread(cg);
    ThreadId const worker = create(st);
    u64 const handle = static_cast<u64>(lookup(ct, cg, "server"));
    EXPECT_EQ(call(ct, cg, handle, make_message(1)), NoResult);
    EXPECT_EQ(receive(worker, abi::FlagNonBlocking), 0);
    EXPECT_EQ(sys(worker, Syscall::ThreadExit, 0), NoResult);
    EXPECT_EQ(rax(ct), status(Error::PeerClosed));
    EXPECT_EQ(state_of(sg), GroveState::Running);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

} // namespace
} // namespace grove

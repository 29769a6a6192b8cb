// Groves' lives through the Kernel: faults and the respawn that follows, exits, graceful and timed-out stops,
// hangs, memory spikes, idle dispatch, and reclamation of everything a dead grove held.
#include <tests/core/kernel/kernel_fixture.hpp>

namespace grove {
namespace {

using namespace testing;

class KernelLifecycle : public KernelTest {};

class KernelFault : public KernelTest, public ::testing::WithParamInterface<TrapKind> {};

TEST_P(KernelFault, CrashesTheGroveAndTheRespawnPolicyBringsItBack) {
    GroveId const g = spawn("alpha", RespawnPolicy::on_failure());
    ThreadId const old_thread = main_thread(g);
    AddressSpaceId const old_space = space_of(g);
    PageCount const free_before_crash = arch.free_pages();
    FaultInfo info;
    info.address = GetParam() == TrapKind::PageFault ? 0xdead'b000 : 0;
    info.access = Access::Write;
    info.error_code = 6;
    arch.set_now(Ticks(50));
    ASSERT_TRUE(fault(old_thread, GetParam(), CodeAddress + 4, info));

    Event const f = last_of(EventKind::Fault);
    EXPECT_EQ(f.grove(), g);
    EXPECT_EQ(f.fields.fault.trap, GetParam());
    EXPECT_EQ(f.fields.fault.pc, CodeAddress + 4);
    EXPECT_EQ(f.fields.fault.address, info.address);
    EXPECT_EQ(f.fields.fault.error_code, 6u);
    Event const crashed = last_of(EventKind::Crashed);
    EXPECT_EQ(crashed.fields.crashed.kind, CrashKind::Fault);
    EXPECT_EQ(crashed.fields.crashed.pc, CodeAddress + 4);
    EXPECT_EQ(crashed.fields.crashed.address, info.address);
    EXPECT_EQ(state_of(g), GroveState::Faulted);
    EXPECT_EQ(thread(old_thread), nullptr);
    EXPECT_FALSE(arch.has_context(old_thread));
    Event const scheduled = last_of(EventKind::RespawnScheduled);
    Ticks const backoff(scheduled.fields.respawn_scheduled.delay);
    EXPECT_EQ(backoff, RestartBudget{}.backoff_base);
    EXPECT_TRUE(last.is_idle());
    EXPECT_EQ(last.wake_at, Ticks(50) + backoff);

    Dispatch const d = advance_to(Ticks(50) + backoff);
    Event const respawned = last_of(EventKind::Respawned);
    EXPECT_EQ(respawned.fields.respawned.generation, 2u);
    Grove const& now_running = named("alpha");
    EXPECT_EQ(now_running.state, GroveState::Running);
    EXPECT_EQ(now_running.id.generation, 2u);
    EXPECT_NE(now_running.image.space, old_space);
    EXPECT_EQ(arch.free_pages(), free_before_crash);
    ThreadId const fresh = main_thread(now_running.id);
    EXPECT_EQ(d.thread, fresh);
    EXPECT_NE(fresh, old_thread);
    EXPECT_EQ(thread(old_thread), nullptr);
    EXPECT_EQ(kernel->grove_of(old_thread), GroveId{});
    // The stale generation is gone everywhere.
    EXPECT_EQ(kernel->stop(g).error(), Error::NotFound);
    EXPECT_EQ(sys(fresh, Syscall::Clock), static_cast<i64>((Ticks(50) + backoff).value));
}

INSTANTIATE_TEST_SUITE_P(EveryFault, KernelFault,
                         ::testing::Values(TrapKind::PageFault, TrapKind::GeneralProtection, TrapKind::InvalidOpcode,
                                           TrapKind::DivideError, TrapKind::Breakpoint, TrapKind::EmulatorError),
                         [](auto const& param) { return std::string(trap_kind_name(param.param)); });

TEST_F(KernelLifecycle, ExitZeroIsACleanStop) {
    GroveId const g = spawn("alpha", RespawnPolicy::on_failure());
    ThreadId const t = main_thread(g);
    EXPECT_EQ(sys(t, Syscall::Exit, 0), NoResult);
    EXPECT_EQ(state_of(g), GroveState::Stopped);
    Event const e = last_of(EventKind::Stopped);
    EXPECT_EQ(e.fields.stopped.exit_code, 0);
    EXPECT_EQ(count(EventKind::Crashed), 0u);
    EXPECT_EQ(count(EventKind::RespawnScheduled), 0u);
    EXPECT_EQ(thread(t), nullptr);
    EXPECT_TRUE(last.is_idle());
}

TEST_F(KernelLifecycle, ExitWithACodeIsACrashOfKindExit) {
    GroveId const g = spawn("alpha", RespawnPolicy::on_failure());
    EXPECT_EQ(sys(main_thread(g), Syscall::Exit, 3), NoResult);
    EXPECT_EQ(state_of(g), GroveState::Faulted);
    Event const e = last_of(EventKind::Crashed);
    EXPECT_EQ(e.fields.crashed.kind, CrashKind::Exit);
    EXPECT_EQ(e.fields.crashed.exit_code, 3);
    EXPECT_EQ(count(EventKind::RespawnScheduled), 1u);
}

TEST_F(KernelLifecycle, ANegativeExitCodeIsKept) {
    GroveId const g = spawn("alpha");
    EXPECT_EQ(sys(main_thread(g), Syscall::Exit, static_cast<u64>(-2)), NoResult);
    EXPECT_EQ(last_of(EventKind::Crashed).fields.crashed.exit_code, -2);
}

TEST_F(KernelLifecycle, AnExitCodeBeyondThirtyTwoBitsIsNeverACleanExit) {
    GroveId const g = spawn("alpha", RespawnPolicy::on_failure());
    EXPECT_EQ(sys(main_thread(g), Syscall::Exit, u64{1} << 32), NoResult);
    EXPECT_EQ(state_of(g), GroveState::Faulted);
    EXPECT_EQ(last_of(EventKind::Crashed).fields.crashed.kind, CrashKind::Exit);
    EXPECT_EQ(last_of(EventKind::Crashed).fields.crashed.exit_code, std::numeric_limits<i32>::max());
    GroveId const h = spawn("beta");
    EXPECT_EQ(sys(main_thread(h), Syscall::ThreadExit, static_cast<u64>(std::numeric_limits<i64>::min())), NoResult);
    EXPECT_EQ(state_of(h), GroveState::Faulted);
    EXPECT_EQ(last_of(EventKind::Crashed).fields.crashed.exit_code, std::numeric_limits<i32>::min());
}

TEST_F(KernelLifecycle, RestartStopsGracefullyThenReplacesTheIncarnationAndStalesHandlesToIt) {
    GroveId const client = spawn(spec_sending_to("client", "alpha"));
    GroveId const g = spawn("alpha");
    ThreadId const c = main_thread(client);
    ThreadId const old_thread = main_thread(g);
    u64 const handle = static_cast<u64>(lookup(c, client, "alpha"));
    ASSERT_EQ(send(c, client, handle, make_message(1), abi::FlagNonBlocking), 0);
    ASSERT_EQ(kernel->restart(g).value(), g);
    EXPECT_EQ(state_of(g), GroveState::Stopping);
    // The grove answers the stop request with an exit of its own; the new incarnation starts after that syscall.
    EXPECT_EQ(sys(old_thread, Syscall::Exit, 3), NoResult);
    EXPECT_EQ(last_of(EventKind::Stopped).fields.stopped.exit_code, 3);
    EXPECT_EQ(thread(old_thread), nullptr);
    GroveId const restarted{g.serial, 2};
    EXPECT_EQ(state_of(restarted), GroveState::Running);
    ThreadId const fresh = main_thread(restarted);
    EXPECT_EQ(receive(fresh, abi::FlagNonBlocking), status(Error::WouldBlock)); // the old queue went with it
    EXPECT_EQ(send(c, client, handle, make_message(2), abi::FlagNonBlocking), status(Error::PeerClosed));
    u64 const renewed = static_cast<u64>(lookup(c, client, "alpha"));
    EXPECT_EQ(send(c, client, renewed, make_message(3), abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(fresh, abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(restarted, ReceiveBuffer).header.sender_generation, 1);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelLifecycle, AGracefulStopSendsAStopMessageAndAnExitBeforeTheDeadlineStopsTheGrove) {
    GroveId const g = spawn("alpha", RespawnPolicy::always());
    ThreadId const t = main_thread(g);
    EXPECT_EQ(receive(t), NoResult);
    arch.set_now(Ticks(10));
    ASSERT_TRUE(kernel->stop(g).has_value());
    EXPECT_EQ(state_of(g), GroveState::Stopping);
    ASSERT_EQ(rax(t), 0);
    abi::Message const m = read_message(g, ReceiveBuffer);
    EXPECT_EQ(m.header.tag, abi::NotifyStop);
    EXPECT_EQ(m.header.flags, abi::MessageFlagKernel);
    EXPECT_EQ(m.header.sender, 0u);
    EXPECT_EQ(sys(t, Syscall::Exit, 0), NoResult);
    EXPECT_EQ(state_of(g), GroveState::Stopped);
    EXPECT_EQ(count(EventKind::Crashed), 0u);
    EXPECT_EQ(count(EventKind::RespawnScheduled), 0u); // a stop is not respawned, even under Always
    EXPECT_TRUE(advance(seconds(10)).is_idle());
    EXPECT_EQ(state_of(g), GroveState::Stopped);
}

TEST_F(KernelLifecycle, AGroveThatIgnoresTheStopIsKilledAtTheDeadline) {
    GroveSpec s = spec("alpha");
    s.stop_timeout = Ticks(1'000);
    GroveId const g = spawn(s);
    ThreadId const t = main_thread(g);
    ASSERT_TRUE(kernel->stop(g).has_value());
    // The stop message waits on the endpoint.
    EXPECT_EQ(receive(t, abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(g, ReceiveBuffer).header.tag, abi::NotifyStop);
    EXPECT_EQ(sys(t, Syscall::Sleep, abi::WaitForever), NoResult);
    EXPECT_TRUE(last.is_idle());
    EXPECT_EQ(last.wake_at, Ticks(1'000));
    advance_to(Ticks(999));
    EXPECT_EQ(state_of(g), GroveState::Stopping);
    advance_to(Ticks(1'000));
    EXPECT_EQ(state_of(g), GroveState::Stopped);
    Event const e = last_of(EventKind::Crashed);
    EXPECT_EQ(e.fields.crashed.kind, CrashKind::Killed);
    EXPECT_EQ(thread(t), nullptr);
}

TEST_F(KernelLifecycle, HangParksEveryThreadOfTheGroveUntilItIsKilled) {
    GroveSpec s = spec("alpha");
    ASSERT_TRUE(s.capabilities.grant(CapabilityKind::ThreadCreate).has_value());
    GroveId const g = spawn(s);
    ThreadId const t = main_thread(g);
    ThreadId const t2 = thread_id(sys(t, Syscall::ThreadCreate, CodeAddress, StackTop, 0));
    ThreadId const other = main_thread(spawn("beta"));
    ASSERT_TRUE(kernel->hang(g).has_value());
    for (int i = 0; i < 8; ++i) {
        Dispatch const d = kernel->dispatch();
        ASSERT_EQ(d.thread, other);
        EXPECT_EQ(sys(other, Syscall::Yield), 0);
    }
    EXPECT_TRUE(is_blocked(t));
    EXPECT_TRUE(is_blocked(t2));
    EXPECT_EQ(state_of(g), GroveState::Running);
    EXPECT_EQ(kernel->hang(GroveId{99, 1}).error(), Error::NotFound);
    ASSERT_TRUE(kernel->kill(g).has_value());
    EXPECT_EQ(kernel->hang(g).error(), Error::InvalidState);
    EXPECT_EQ(thread(t), nullptr);
    EXPECT_EQ(thread(t2), nullptr);
}

TEST_F(KernelLifecycle, AHungGroveWithAWatchdogIsCrashedByIt) {
    GroveSpec s = spec("alpha");
    s.watchdog_timeout = milliseconds(5);
    GroveId const g = spawn(s);
    ASSERT_TRUE(kernel->hang(g).has_value());
    Dispatch const d = kernel->dispatch();
    ASSERT_TRUE(d.is_idle());
    EXPECT_EQ(d.wake_at, milliseconds(5));
    advance_to(milliseconds(5));
    Event const e = last_of(EventKind::Crashed);
    EXPECT_EQ(e.fields.crashed.kind, CrashKind::Watchdog);
}

TEST_F(KernelLifecycle, AHungGroveCannotBeStoppedGracefullySoTheDeadlineKillsIt) {
    GroveSpec s = spec("alpha");
    s.stop_timeout = Ticks(500);
    GroveId const g = spawn(s);
    ASSERT_TRUE(kernel->hang(g).has_value());
    ASSERT_TRUE(kernel->stop(g).has_value());
    EXPECT_EQ(kernel->hang(g).error(), Error::InvalidState);
    EXPECT_EQ(kernel->dispatch().wake_at, Ticks(500));
    advance_to(Ticks(500));
    EXPECT_EQ(state_of(g), GroveState::Stopped);
}

TEST_F(KernelLifecycle, AMemorySpikeOverTheLimitIsDeniedOrKillsByPolicy) {
    GroveSpec deny = spec("deny");
    deny.limits.memory = mebibytes(1);
    GroveSpec kill = spec("kill");
    kill.limits.memory = mebibytes(1);
    kill.limits.policy = ViolationPolicy::Kill;
    GroveId const d = spawn(deny);
    GroveId const k = spawn(kill);
    ThreadId const killed_thread = main_thread(k);
    EXPECT_TRUE(kernel->charge_memory(d, kibibytes(64)).has_value());
    EXPECT_EQ(kernel->charge_memory(d, mebibytes(1)).error(), Error::LimitExceeded);
    EXPECT_EQ(state_of(d), GroveState::Running);
    Event const e = last_of(EventKind::LimitExceeded);
    EXPECT_EQ(e.fields.limit_exceeded.resource, Resource::Memory);
    EXPECT_EQ(count(EventKind::Crashed), 0u);

    EXPECT_EQ(kernel->charge_memory(k, mebibytes(1)).error(), Error::LimitExceeded);
    EXPECT_EQ(state_of(k), GroveState::Faulted);
    Event const crashed = last_of(EventKind::Crashed);
    EXPECT_EQ(crashed.grove(), k);
    EXPECT_EQ(crashed.fields.crashed.kind, CrashKind::LimitViolation);
    EXPECT_EQ(thread(killed_thread), nullptr);
    EXPECT_EQ(kernel->charge_memory(k, Bytes(1)).error(), Error::InvalidState);
}

TEST_F(KernelLifecycle, WhenEveryThreadIsBlockedDispatchIsIdleUntilTheEarliestDeadline) {
    ThreadId const a = main_thread(spawn("alpha"));
    ThreadId const b = main_thread(spawn("beta"));
    ThreadId const c = main_thread(spawn("gamma"));
    EXPECT_EQ(sys(a, Syscall::Sleep, 3'000), NoResult);
    EXPECT_EQ(receive(b, 0, 2'000), NoResult);
    EXPECT_EQ(sys(c, Syscall::Sleep, 1'000), NoResult);
    ASSERT_TRUE(last.is_idle());
    EXPECT_EQ(last.wake_at, Ticks(1'000));
    EXPECT_EQ(advance_to(Ticks(1'000)).thread, c);
    EXPECT_EQ(rax(c), 0);
    EXPECT_EQ(sys(c, Syscall::Exit, 0), NoResult);
    EXPECT_EQ(last.wake_at, Ticks(2'000));
    EXPECT_EQ(advance_to(Ticks(2'000)).thread, b);
    EXPECT_EQ(rax(b), status(Error::TimedOut));
    EXPECT_EQ(sys(b, Syscall::Exit, 0), NoResult);
    EXPECT_EQ(last.wake_at, Ticks(3'000));
    EXPECT_EQ(rax(a), NoResult);
    EXPECT_EQ(advance_to(Ticks(3'000)).thread, a);
    EXPECT_EQ(rax(a), 0);
}

// Everything a grove held comes back when it dies, however it dies.
TEST_F(KernelLifecycle, EveryEndingReclaimsEverythingTheGroveHeld) {
    PageCount const free = arch.free_pages();
    usize const spaces = arch.live_spaces();
    usize const contexts = arch.live_contexts();
    usize const threads = kernel->scheduler().thread_count();
    usize const endpoints = kernel->ipc().size();

    GroveSpec rich = spec_sending_to("rich", "poor");
    ASSERT_TRUE(rich.capabilities.grant(CapabilityKind::ThreadCreate).has_value());
    ASSERT_TRUE(rich.capabilities.grant(CapabilityKind::MemoryManage).has_value());
    ASSERT_TRUE(rich.capabilities.grant_send_to(make_grove_name("exiting").value()).has_value());
    GroveId const r = spawn(rich);
    GroveId const p = spawn(spec_sending_to("poor", "rich"));
    GroveId const e = spawn(spec_sending_to("exiting", "rich"));
    ThreadId const rt = main_thread(r);
    ThreadId const pt = main_thread(p);
    ThreadId const et = main_thread(e);
    u64 const to_poor = static_cast<u64>(lookup(rt, r, "poor"));
    u64 const to_exiting = static_cast<u64>(lookup(rt, r, "exiting"));
    u64 const to_rich = static_cast<u64>(lookup(pt, p, "rich"));
    u64 const exiting_to_rich = static_cast<u64>(lookup(et, e, "rich"));
    EXPECT_EQ(sys(rt, Syscall::MemoryMap, 0x600000, 4 * PageSize, abi::ProtRead | abi::ProtWrite), 0);
    ThreadId const r2 = thread_id(sys(rt, Syscall::ThreadCreate, CodeAddress, StackTop, 1));
    ThreadId const r3 = thread_id(sys(rt, Syscall::ThreadCreate, CodeAddress, StackTop, 2));
    for (u32 i = 0; i < 5; ++i) ASSERT_EQ(send(rt, r, to_poor, make_message(i), abi::FlagNonBlocking), 0);
    for (u32 i = 0; i < 3; ++i) ASSERT_EQ(send(pt, p, to_rich, make_message(i), abi::FlagNonBlocking), 0);
    ASSERT_EQ(send(rt, r, to_exiting, make_message(9), abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(r2), 0);
    EXPECT_EQ(call(r3, r, to_poor, make_message(1)), NoResult);
    EXPECT_EQ(call(et, e, exiting_to_rich, make_message(2)), NoResult);
    EXPECT_GT(kernel->ipc().ledger().queued_total(), 0u);

    ASSERT_TRUE(fault(r2, TrapKind::PageFault, CodeAddress, FaultInfo{}));
    EXPECT_EQ(rax(et), status(Error::PeerClosed));
    EXPECT_EQ(sys(et, Syscall::Exit, 0), NoResult);
    ASSERT_TRUE(kernel->kill(p).has_value());

    EXPECT_EQ(arch.free_pages(), free);
    EXPECT_EQ(arch.live_spaces(), spaces);
    EXPECT_EQ(arch.live_contexts(), contexts);
    EXPECT_EQ(kernel->scheduler().thread_count(), threads);
    EXPECT_EQ(kernel->ipc().size(), endpoints);
    EXPECT_EQ(kernel->ipc().ledger().queued_total(), 0u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
    EXPECT_TRUE(kernel->dispatch().is_idle());
    (void)r3;
}

TEST_F(KernelLifecycle, TrapsFromThreadsTheKernelDidNotDispatchAreIgnored) {
    ThreadId const a = main_thread(spawn("alpha"));
    ThreadId const b = main_thread(spawn("beta"));
    EXPECT_EQ(sys(a, Syscall::Sleep, abi::WaitForever), NoResult);
    ASSERT_EQ(kernel->dispatch().thread, b);
    // a is blocked: a trap in its name is a backend error, not a reason to panic.
    Dispatch const d = kernel->on_trap(a, Trap::make_syscall(SyscallPc, syscall_args(abi::Syscall::Sleep, 5)));
    EXPECT_EQ(d.thread, b);
    EXPECT_EQ(rax(a), NoResult);
    EXPECT_TRUE(is_blocked(a));
    // A thread id that never existed.
    EXPECT_EQ(kernel->on_trap(ThreadId{200, 7}, Trap::make_timer(0)).thread, b);
}

TEST_F(KernelLifecycle, AHungGroveDoesNotRunTheTrapItWasDispatchedFor) {
    GroveId const g = spawn("alpha");
    ThreadId const t = main_thread(g);
    write_text(g, TextBuffer, "still alive");
    ASSERT_EQ(kernel->dispatch().thread, t);
    ASSERT_TRUE(kernel->hang(g).has_value());
    Dispatch const d =
        kernel->on_trap(t, Trap::make_syscall(SyscallPc, syscall_args(abi::Syscall::ConsoleWrite, TextBuffer, 11)));
    EXPECT_TRUE(d.is_idle());
    EXPECT_EQ(arch.console(g), "");
    EXPECT_TRUE(is_blocked(t));
}

} // namespace
} // namespace grove

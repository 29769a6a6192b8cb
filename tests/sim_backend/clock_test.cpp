// Virtual time and preemption: a pure function of what ran.
#include <tests/sim_backend/guest.hpp>

namespace grove::sim::testing {
namespace {

// loop: inc rcx; jmp loop
Code spin() { return Code{0x48, 0xFF, 0xC1, 0xEB, 0xFB}; }

struct SpinResult {
    Trap trap;
    Ticks now;
    u64 iterations;
};

SpinResult spin_until(Ticks deadline) {
    UnicornArch arch;
    Guest guest(arch, spin());
    arch.set_preemption_deadline(deadline);
    Trap t = guest.run();
    return SpinResult{t, arch.now(), guest.registers().rcx};
}

TEST(UnicornArch, SpinLoopIsPreemptedAtTheDeadline) {
    SpinResult r = spin_until(Ticks(100'000));
    ASSERT_EQ(r.trap.kind, TrapKind::Timer);
    EXPECT_EQ(r.trap.pc, Guest::CodeBase); // stopped at a block start
    EXPECT_GE(r.now, Ticks(100'000));
    // Every retired instruction is one tick, the trap costs TrapCost: nothing ran that was not counted.
    EXPECT_EQ(r.now.value, 2 * r.iterations + VirtualClock::TrapCost.value);
}

TEST(UnicornArch, VirtualTimeIsIdenticalAcrossRuns) {
    SpinResult a = spin_until(Ticks(250'000));
    SpinResult b = spin_until(Ticks(250'000));
    EXPECT_EQ(a.now, b.now);
    EXPECT_EQ(a.iterations, b.iterations);
    EXPECT_EQ(a.trap.pc, b.trap.pc);
}

TEST(UnicornArch, ResumingAfterTheTimerContinuesTheThread) {
    UnicornArch arch;
    Guest guest(arch, spin());
    arch.set_preemption_deadline(Ticks(1'000));
    ASSERT_EQ(guest.run().kind, TrapKind::Timer);
    u64 const first = guest.registers().rcx;
    arch.set_preemption_deadline(arch.now() + Ticks(1'000));
    ASSERT_EQ(guest.run().kind, TrapKind::Timer);
    EXPECT_GT(guest.registers().rcx, first);
    EXPECT_EQ(arch.now().value, 2 * guest.registers().rcx + 2 * VirtualClock::TrapCost.value);
}

TEST(UnicornArch, FaultsCountOnlyTheInstructionsThatRetired) {
    // nop; nop; nop; mov rax, [0]: three instructions retire, the fourth faults.
    UnicornArch arch;
    Guest guest(arch, Code{0x90, 0x90, 0x90, 0x48, 0x8B, 0x04, 0x25, 0, 0, 0, 0});
    Trap t = guest.run();
    ASSERT_EQ(t.kind, TrapKind::PageFault);
    EXPECT_EQ(arch.now().value, 3 + VirtualClock::TrapCost.value);
}

TEST(UnicornArch, SyscallCountsTheInterruptInstruction) {
    UnicornArch arch;
    Guest guest(arch, Code{0x90, 0x90, 0xCD, 0x80});
    ASSERT_EQ(guest.run().kind, TrapKind::Syscall);
    EXPECT_EQ(arch.now().value, 3 + VirtualClock::TrapCost.value);
}

TEST(UnicornArch, IdleUntilSkipsIdleTimeButNeverBackwards) {
    UnicornArch arch;
    arch.idle_until(Ticks(5'000));
    EXPECT_EQ(arch.now(), Ticks(5'000));
    arch.idle_until(Ticks(10));
    EXPECT_EQ(arch.now(), Ticks(5'000));
}

TEST(UnicornArch, DeadlineAlreadyPassedTrapsBeforeRunning) {
    UnicornArch arch;
    Guest guest(arch, spin());
    arch.idle_until(Ticks(50));
    arch.set_preemption_deadline(Ticks(10));
    Trap t = guest.run();
    EXPECT_EQ(t.kind, TrapKind::Timer);
    EXPECT_EQ(guest.registers().rcx, 0u);
}

} // namespace
} // namespace grove::sim::testing

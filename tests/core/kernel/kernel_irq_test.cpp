// Interrupt lines: ownership, IrqWait and IrqAck, masking, and the accounting of every interrupt the kernel takes.
#include <tests/core/kernel/kernel_fixture.hpp>

namespace grove {
namespace {

using namespace testing;

constexpr u8 Disk = 14;

class KernelIrq : public KernelTest {
protected:
    static GroveSpec driver(char const* name, u8 line = Disk) {
        GroveSpec s = open_spec(name);
        EXPECT_TRUE(s.capabilities.grant_irq(line).has_value());
        return s;
    }
    // The machine takes an interrupt on `line`: the controller fires it (when unmasked) and the loop hands what
    // fired to the kernel.
    void raise(u8 line) {
        arch.interrupts().raise(line);
        kernel->on_interrupts(arch.take_interrupts());
    }
    Event last_interrupt() const { return last_of(EventKind::Interrupt); }
};

TEST_F(KernelIrq, AStartedDriverOwnsItsLineWhichIsUnmasked) {
    EXPECT_TRUE(arch.interrupts().is_masked(Disk));
    GroveId const g = spawn(driver("ata"));
    EXPECT_EQ(kernel->irq_owner(Disk), g);
    EXPECT_FALSE(arch.interrupts().is_masked(Disk));
}

TEST_F(KernelIrq, ASecondGroveNamingAnOwnedLineCannotStart) {
    (void)spawn(driver("ata"));
    Result<GroveId> second = kernel->spawn(driver("other"));
    ASSERT_TRUE(second.is_error());
    EXPECT_EQ(second.error(), Error::AlreadyExists);
}

TEST_F(KernelIrq, WaitBlocksUntilTheInterruptThenReturnsTheCountAndTheLineStaysMaskedUntilAck) {
    GroveId const g = spawn(driver("ata"));
    ThreadId const t = main_thread(g);
    EXPECT_EQ(sys(t, Syscall::IrqWait, Disk, abi::WaitForever), NoResult);
    EXPECT_TRUE(is_blocked(t));
    raise(Disk);
    EXPECT_FALSE(is_blocked(t));
    EXPECT_EQ(rax(t), 1);
    EXPECT_EQ(last_interrupt().fields.interrupt.fate, InterruptFate::Delivered);
    EXPECT_EQ(last_interrupt().grove(), g);
    EXPECT_TRUE(arch.interrupts().is_masked(Disk)); // masked as it fired
    arch.interrupts().raise(Disk);                  // latched while masked
    EXPECT_EQ(arch.take_interrupts(), 0u);
    EXPECT_EQ(sys(t, Syscall::IrqAck, Disk), 0);
    EXPECT_EQ(arch.take_interrupts(), 1u << Disk); // the latched request fires at the unmask
}

TEST_F(KernelIrq, AnInterruptWithoutAWaiterIsPendingAndTheNextWaitReturnsAtOnce) {
    GroveId const g = spawn(driver("ata"));
    ThreadId const t = main_thread(g);
    raise(Disk);
    EXPECT_EQ(kernel->irq_pending(Disk), 1u);
    EXPECT_EQ(last_interrupt().fields.interrupt.fate, InterruptFate::Pending);
    EXPECT_EQ(sys(t, Syscall::IrqAck, Disk), 0);
    raise(Disk);
    EXPECT_EQ(last_interrupt().fields.interrupt.count, 2u);
    EXPECT_EQ(sys(t, Syscall::IrqWait, Disk, 0), 2);
    EXPECT_EQ(kernel->irq_pending(Disk), 0u);
}

TEST_F(KernelIrq, WaitTimesOutAndANonBlockingWaitFailsAtOnce) {
    ThreadId const t = main_thread(spawn(driver("ata")));
    EXPECT_EQ(sys(t, Syscall::IrqWait, Disk, 0), status(Error::TimedOut));
    EXPECT_EQ(sys(t, Syscall::IrqWait, Disk, 1'000), NoResult);
    arch.set_now(arch.now() + Ticks(1'000));
    last = kernel->dispatch();
    EXPECT_EQ(rax(t), status(Error::TimedOut));
    raise(Disk); // nobody waits any more: pending, not delivered to the timed-out thread
    EXPECT_EQ(last_interrupt().fields.interrupt.fate, InterruptFate::Pending);
}

TEST_F(KernelIrq, ALineTheCapabilityDoesNotNameIsDeniedAndOutOfRangeLinesAreInvalid) {
    GroveId const g = spawn(driver("ata"));
    ThreadId const t = main_thread(g);
    EXPECT_EQ(sys(t, Syscall::IrqWait, 15, 0), status(Error::AccessDenied));
    EXPECT_EQ(last_of(EventKind::CapabilityDenied).fields.capability_denied.capability, CapabilityKind::Irq);
    EXPECT_EQ(sys(t, Syscall::IrqAck, 15), status(Error::AccessDenied));
    EXPECT_EQ(sys(t, Syscall::IrqWait, abi::IrqLines, 0), status(Error::InvalidArgument));
    EXPECT_TRUE(arch.interrupts().is_masked(15));
}

TEST_F(KernelIrq, AnUnownedInterruptIsCountedAndReported) {
    arch.interrupts().set_masked(3, false); // as a machine that left a line open would
    raise(3);
    EXPECT_EQ(kernel->irq_unowned(3), 1u);
    Event const e = last_interrupt();
    EXPECT_EQ(e.fields.interrupt.fate, InterruptFate::Unowned);
    EXPECT_EQ(e.serial, 0u);
    EXPECT_TRUE(arch.interrupts().is_masked(3));
}

TEST_F(KernelIrq, WhenTheOwnerDiesItsLineIsMaskedReleasedAndItsPendingInterruptsReportedDropped) {
    GroveId const g = spawn(driver("ata"));
    raise(Disk);
    ASSERT_TRUE(kernel->kill(g).has_value());
    EXPECT_TRUE(kernel->irq_owner(Disk).is_null());
    EXPECT_TRUE(arch.interrupts().is_masked(Disk));
    Event const e = last_interrupt();
    EXPECT_EQ(e.fields.interrupt.fate, InterruptFate::Dropped);
    EXPECT_EQ(e.fields.interrupt.count, 1u);
    GroveId const next = spawn(driver("ata2")); // the line is free again
    EXPECT_EQ(kernel->irq_owner(Disk), next);
}

TEST_F(KernelIrq, AWaiterKilledWhileWaitingLeavesNoWaiterBehind) {
    GroveId const g = spawn(driver("ata"));
    ThreadId const t = main_thread(g);
    EXPECT_EQ(sys(t, Syscall::IrqWait, Disk, abi::WaitForever), NoResult);
    ASSERT_TRUE(kernel->kill(g).has_value());
    GroveId const next = spawn(driver("ata2"));
    raise(Disk);
    EXPECT_EQ(last_interrupt().fields.interrupt.fate, InterruptFate::Pending);
    EXPECT_EQ(last_interrupt().grove(), next);
}

} // namespace
} // namespace grove

// An InstructionObserver (the debugger's view) sees every instruction with the virtual time it starts at, changes
// neither the clock nor the trap, and can abandon a run before an instruction executes.
#include <sim/backend/instruction_observer.hpp>
#include <tests/sim_backend/guest.hpp>

#include <unicorn/unicorn.h>

#include <vector>

namespace grove::sim::testing {
namespace {

constexpr u64 Code0 = Guest::CodeBase;

struct Seen {
    u32 thread;
    u64 pc;
    u64 time;
};

class Recorder final : public InstructionObserver {
public:
    void attach(UnicornArch&) override {}
    bool has_abandoned() const override { return m_abandoned; }
    Verdict on_instruction(UnicornSpace& space, u32 thread, u64 pc, Ticks time) override {
        seen.push_back(Seen{thread, pc, time.value});
        rcx_seen.push_back(space.read_register(UC_X86_REG_RCX));
        if (pc == abandon_at) {
            m_abandoned = true;
            return Verdict::Abandon;
        }
        return Verdict::Continue;
    }
    std::vector<Seen> seen;
    std::vector<u64> rcx_seen;
    u64 abandon_at = 0;

private:
    bool m_abandoned = false;
};

// mov ecx, 1; add rcx, rcx; add rcx, rcx; jmp +0 (a new block); add rcx, rcx; int 0x80
Code program() {
    return Code{}
        .bytes({0xB9})
        .imm32(1)
        .bytes({0x48, 0x01, 0xC9, 0x48, 0x01, 0xC9, 0xEB, 0x00, 0x48, 0x01, 0xC9})
        .int80();
}
constexpr u64 Pcs[] = {Code0, Code0 + 5, Code0 + 8, Code0 + 11, Code0 + 13, Code0 + 16};

TEST(InstructionObserver, SeesEveryInstructionAtItsTimeWithoutChangingTheRun) {
    UnicornArch plain;
    Guest plain_guest(plain, program());
    Trap const expected = plain_guest.run();

    Recorder recorder;
    UnicornArch observed;
    observed.set_instruction_observer(&recorder);
    Guest guest(observed, program());
    Trap const trap = guest.run();

    EXPECT_EQ(trap.kind, expected.kind);
    EXPECT_EQ(trap.pc, expected.pc);
    EXPECT_EQ(observed.now(), plain.now());
    EXPECT_EQ(guest.registers(), plain_guest.registers());
    // The syscall (int 0x80, the open gate) executes in Unicorn too: six instructions.
    ASSERT_EQ(recorder.seen.size(), std::size(Pcs));
    for (usize i = 0; i < std::size(Pcs); ++i) {
        EXPECT_EQ(recorder.seen[i].pc, Pcs[i]) << i;
        EXPECT_EQ(recorder.seen[i].time, i) << i; // the i-th instruction starts after i retired ones
        EXPECT_EQ(recorder.seen[i].thread, guest.thread.index);
    }
    EXPECT_EQ(recorder.rcx_seen[2], 2u); // before the second add: the registers are the instruction's own
    EXPECT_EQ(recorder.rcx_seen[4], 4u);
}

TEST(InstructionObserver, AbandonsTheRunBeforeTheInstruction) {
    Recorder recorder;
    recorder.abandon_at = Code0 + 8;
    UnicornArch arch;
    arch.set_instruction_observer(&recorder);
    Guest guest(arch, program());
    Trap const trap = guest.run();
    EXPECT_EQ(trap.kind, TrapKind::EmulatorError);
    EXPECT_EQ(trap.pc, Code0 + 8);
    EXPECT_TRUE(recorder.has_abandoned());
    EXPECT_EQ(guest.registers().rcx, 2u); // the second add did not run
    EXPECT_EQ(recorder.seen.size(), 3u);
}

TEST(InstructionObserver, ReadsAndWritesTheRegistersOfAThreadWherever) {
    UnicornArch arch;
    Guest guest(arch, program());
    u64 value = 0;
    ASSERT_TRUE(arch.read_thread_register(guest.thread, UC_X86_REG_RIP, &value));
    EXPECT_EQ(value, Code0); // never ran: its start values
    u64 const rcx = 40;
    EXPECT_FALSE(arch.write_thread_register(guest.thread, UC_X86_REG_RCX, &rcx)); // the kernel's start values
    (void)guest.run();
    ASSERT_TRUE(arch.write_thread_register(guest.thread, UC_X86_REG_RCX, &rcx));
    EXPECT_EQ(guest.registers().rcx, 40u);
    EXPECT_FALSE(arch.read_thread_register(ThreadId{9, 1}, UC_X86_REG_RIP, &value));
    ASSERT_EQ(arch.threads().size(), 1u);
    EXPECT_EQ(arch.space_of(guest.thread), guest.space);
    u8 byte = 0;
    EXPECT_EQ(arch.peek(guest.space, Code0, &byte, 1), 1u);
    EXPECT_EQ(byte, 0xB9);
    EXPECT_EQ(arch.peek(guest.space, 0x1000, &byte, 1), 0u); // unmapped
}

} // namespace
} // namespace grove::sim::testing

// Fault precision: FaultPrecision::Fast runs without the memory hook, reports every trap but a data fault exactly,
// marks a data fault as inexact (to be replayed with Exact), and otherwise runs the guest exactly as Exact does.
#include <tests/sim_backend/guest.hpp>

namespace grove::sim::testing {
namespace {

constexpr u64 Code0 = Guest::CodeBase;
constexpr u64 Unmapped = 0x0000'7fff'0000'0000;

struct Outcome {
    Trap trap;
    Ticks now;
    RegisterSnapshot registers;
    bool inexact = false;
};

Outcome run_with(FaultPrecision precision, Code const& code) {
    UnicornArch arch(UnicornArch::DefaultFrames, precision);
    Guest guest(arch, code);
    Trap const trap = guest.run();
    return Outcome{trap, arch.now(), guest.registers(), arch.has_inexact_fault()};
}

// Four instructions (registers and a load that works) before the access at Code0 + 20, in the same block.
Code before_access() {
    Code code;
    code.bytes({0xB9})
        .imm32(7)                  // mov ecx, 7
        .bytes({0x48, 0x01, 0xC9}) // add rcx, rcx
        .bytes({0xBA})
        .imm32(Guest::Data)        // mov edx, Data
        .bytes({0x48, 0x8B, 0x1A}) // mov rbx, [rdx]
        .bytes({0x48, 0xB8})
        .imm64(Unmapped); // mov rax, Unmapped
    return code;
}
constexpr u64 AccessOffset = 5 + 3 + 5 + 3 + 10;
constexpr u64 InstructionsBefore = 5;

TEST(FaultPrecision, ExactNamesTheInstructionOfADataFaultInsideABlock) {
    Code read = before_access().bytes({0x48, 0x8B, 0x30}); // mov rsi, [rax]
    Outcome const r = run_with(FaultPrecision::Exact, read);
    ASSERT_EQ(r.trap.kind, TrapKind::PageFault);
    EXPECT_EQ(r.trap.pc, Code0 + AccessOffset);
    EXPECT_EQ(r.trap.fault.access, Access::Read);
    EXPECT_EQ(r.now.value, InstructionsBefore + VirtualClock::TrapCost.value);
    EXPECT_EQ(r.registers.rip, Code0 + AccessOffset);
    EXPECT_EQ(r.registers.rcx, 14u);
    EXPECT_FALSE(r.inexact);
}

TEST(FaultPrecision, FastMarksAReadFaultAsInexact) {
    Code read = before_access().bytes({0x48, 0x8B, 0x30}); // mov rsi, [rax]
    Outcome const r = run_with(FaultPrecision::Fast, read);
    ASSERT_EQ(r.trap.kind, TrapKind::PageFault);
    EXPECT_EQ(r.trap.fault.address, Unmapped);
    EXPECT_EQ(r.trap.fault.access, Access::Read);
    EXPECT_TRUE(r.inexact);
}

TEST(FaultPrecision, FastMarksWriteFaultsAsInexact) {
    Code unmapped = before_access().bytes({0x48, 0x89, 0x08}); // mov [rax], rcx
    Outcome const u = run_with(FaultPrecision::Fast, unmapped);
    ASSERT_EQ(u.trap.kind, TrapKind::PageFault);
    EXPECT_EQ(u.trap.fault.access, Access::Write);
    EXPECT_TRUE(u.inexact);

    Code read_only = before_access().bytes({0x48, 0xB8}).imm64(Guest::ReadOnly).bytes({0x48, 0x89, 0x08});
    Outcome const p = run_with(FaultPrecision::Fast, read_only);
    ASSERT_EQ(p.trap.kind, TrapKind::PageFault);
    EXPECT_EQ(p.trap.fault.address, Guest::ReadOnly);
    EXPECT_EQ(p.trap.fault.access, Access::Write);
    EXPECT_TRUE(p.inexact);

    Outcome const exact = run_with(FaultPrecision::Exact, read_only);
    EXPECT_EQ(exact.trap.pc, Code0 + AccessOffset + 10);
    EXPECT_FALSE(exact.inexact);
}

TEST(FaultPrecision, FastReportsFetchFaultsExactly) {
    Code no_execute = before_access().bytes({0x48, 0xB8}).imm64(Guest::NoExecute).bytes({0xFF, 0xE0}); // jmp rax
    Code unmapped = before_access().bytes({0xFF, 0xE0});                                               // jmp rax
    for (Code const& code : {no_execute, unmapped}) {
        Outcome const fast = run_with(FaultPrecision::Fast, code);
        Outcome const exact = run_with(FaultPrecision::Exact, code);
        ASSERT_EQ(fast.trap.kind, TrapKind::PageFault);
        EXPECT_EQ(fast.trap.fault.access, Access::Execute);
        EXPECT_FALSE(fast.inexact);
        EXPECT_EQ(fast.trap.pc, exact.trap.pc);
        EXPECT_EQ(fast.trap.fault.address, exact.trap.fault.address);
        EXPECT_EQ(fast.now, exact.now);
        EXPECT_EQ(fast.registers.rip, exact.registers.rip);
    }
}

TEST(FaultPrecision, FastReportsEveryOtherTrapExactly) {
    std::vector<Code> const programs = {
        before_access().int80(),                         // syscall
        before_access().bytes({0x0F, 0x0B}),             // ud2
        before_access().bytes({0x31, 0xC9, 0xF7, 0xF1}), // xor ecx, ecx; div ecx
        before_access().bytes({0xCC}),                   // int3
        before_access().bytes({0xF4}),                   // hlt: a stop site, #GP
    };
    for (Code const& code : programs) {
        Outcome const fast = run_with(FaultPrecision::Fast, code);
        Outcome const exact = run_with(FaultPrecision::Exact, code);
        EXPECT_EQ(fast.trap.kind, exact.trap.kind) << trap_kind_name(exact.trap.kind);
        EXPECT_EQ(fast.trap.pc, exact.trap.pc) << trap_kind_name(exact.trap.kind);
        EXPECT_EQ(fast.now, exact.now) << trap_kind_name(exact.trap.kind);
        EXPECT_EQ(fast.registers.rip, exact.registers.rip) << trap_kind_name(exact.trap.kind);
        EXPECT_FALSE(fast.inexact) << trap_kind_name(exact.trap.kind);
    }
}

// A loop that loads, adds and stores, preempted by the timer: the same instructions retired, the same registers
// and memory, in both precisions.
TEST(FaultPrecision, FastRunsLoadsAndStoresAsExactDoes) {
    Code loop;
    loop.bytes({0xBA})
        .imm32(Guest::Data)              // mov edx, Data
        .bytes({0x48, 0x8B, 0x02})       // loop: mov rax, [rdx]
        .bytes({0x48, 0x83, 0xC0, 0x03}) // add rax, 3
        .bytes({0x48, 0x89, 0x02})       // mov [rdx], rax
        .bytes({0x48, 0xFF, 0xC1})       // inc rcx
        .bytes({0xEB, 0xF1});            // jmp loop
    auto preempted = [&](FaultPrecision precision) {
        UnicornArch arch(UnicornArch::DefaultFrames, precision);
        Guest guest(arch, loop);
        arch.set_preemption_deadline(Ticks(100'003));
        Trap const trap = guest.run();
        u64 stored = 0;
        EXPECT_TRUE(arch.copy_from_user(guest.space, &stored, VirtAddr{Guest::Data}, Bytes(sizeof stored)));
        EXPECT_FALSE(arch.has_inexact_fault());
        return std::make_tuple(trap.kind, trap.pc, arch.now(), guest.registers().rcx, guest.registers().rax, stored);
    };
    auto const fast = preempted(FaultPrecision::Fast);
    EXPECT_EQ(std::get<0>(fast), TrapKind::Timer);
    EXPECT_EQ(std::get<5>(fast), 3 * std::get<3>(fast));
    EXPECT_EQ(fast, preempted(FaultPrecision::Exact));
}

TEST(FaultPrecision, AnInexactFaultStaysMarked) {
    // The fault first, then a thread of another space traps on a syscall: the machine's run is still inexact.
    UnicornArch arch(UnicornArch::DefaultFrames, FaultPrecision::Fast);
    Guest faulting(arch, before_access().bytes({0x48, 0x8B, 0x30}), ThreadId{1, 1});
    Guest calling(arch, before_access().int80(), ThreadId{2, 1});
    EXPECT_FALSE(arch.has_inexact_fault());
    EXPECT_EQ(faulting.run().kind, TrapKind::PageFault);
    EXPECT_TRUE(arch.has_inexact_fault());
    EXPECT_EQ(calling.run().kind, TrapKind::Syscall);
    EXPECT_TRUE(arch.has_inexact_fault());
    EXPECT_EQ(arch.fault_precision(), FaultPrecision::Fast);
}

} // namespace
} // namespace grove::sim::testing

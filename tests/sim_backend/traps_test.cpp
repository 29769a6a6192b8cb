// Every kind of trap a grove can raise in the simulator, with its exact pc and address.
#include <tests/sim_backend/guest.hpp>

#include <core/base/prng.hpp>

namespace grove::sim::testing {
namespace {

constexpr u64 Code0 = Guest::CodeBase;

Trap run_once(Code const& code) {
    UnicornArch arch;
    Guest guest(arch, code);
    return guest.run();
}

TEST(UnicornArch, SyscallCarriesArgumentsAndTheGuestSeesTheResult) {
    Code code;
    code.bytes({0xB8})
        .imm32(5) // mov eax, 5
        .bytes({0xBF})
        .imm32(11) // mov edi, 11
        .bytes({0xBE})
        .imm32(22) // mov esi, 22
        .bytes({0xBA})
        .imm32(33) // mov edx, 33
        .bytes({0x41, 0xBA})
        .imm32(44) // mov r10d, 44
        .bytes({0x41, 0xB8})
        .imm32(55) // mov r8d, 55
        .bytes({0x41, 0xB9})
        .imm32(66) // mov r9d, 66
        .int80();
    u64 const after_first = Code0 + code.size();
    code.bytes({0x48, 0x89, 0xC3}) // mov rbx, rax
        .bytes({0x49, 0x89, 0xD4}) // mov r12, rdx
        .int80();
    UnicornArch arch;
    Guest guest(arch, code);
    Trap first = guest.run();
    ASSERT_EQ(first.kind, TrapKind::Syscall);
    EXPECT_EQ(first.pc, after_first);
    EXPECT_EQ(first.syscall.number, 5u);
    u64 const expected[6] = {11, 22, 33, 44, 55, 66};
    for (int i = 0; i < 6; ++i) EXPECT_EQ(first.syscall.arg[i], expected[i]) << "argument " << i;

    arch.set_syscall_result(guest.thread, -3, 77);
    Trap second = guest.run();
    ASSERT_EQ(second.kind, TrapKind::Syscall);
    EXPECT_EQ(second.syscall.number, static_cast<u64>(-3));
    RegisterSnapshot r = guest.registers();
    EXPECT_EQ(r.rbx, static_cast<u64>(-3));
    EXPECT_EQ(r.r12, 77u);
    EXPECT_EQ(r.rdi, 11u); // everything else preserved
    EXPECT_EQ(r.r10, 44u);
}

TEST(UnicornArch, NullReadIsAPageFaultAtTheReadingInstruction) {
    Trap t = run_once(Code{0x90, 0x48, 0x8B, 0x04, 0x25, 0, 0, 0, 0}); // nop; mov rax, [0]
    ASSERT_EQ(t.kind, TrapKind::PageFault);
    EXPECT_EQ(t.pc, Code0 + 1);
    EXPECT_EQ(t.fault.address, 0u);
    EXPECT_EQ(t.fault.access, Access::Read);
}

TEST(UnicornArch, WriteToUnmappedHighAddressIsAPageFault) {
    Code code;
    code.mov_rax(0x0000'7fff'0000'0000).bytes({0xC6, 0x00, 0x01}); // mov byte [rax], 1
    Trap t = run_once(code);
    ASSERT_EQ(t.kind, TrapKind::PageFault);
    EXPECT_EQ(t.pc, Code0 + 10);
    EXPECT_EQ(t.fault.address, 0x0000'7fff'0000'0000u);
    EXPECT_EQ(t.fault.access, Access::Write);
    EXPECT_EQ(t.fault.error_code & 1, 0u); // not present
}

TEST(UnicornArch, WriteToReadOnlyPageIsAProtectionFault) {
    Code code;
    code.mov_rax(Guest::ReadOnly + 8).bytes({0x88, 0x00}); // mov [rax], al
    Trap t = run_once(code);
    ASSERT_EQ(t.kind, TrapKind::PageFault);
    EXPECT_EQ(t.pc, Code0 + 10);
    EXPECT_EQ(t.fault.address, Guest::ReadOnly + 8);
    EXPECT_EQ(t.fault.access, Access::Write);
    EXPECT_EQ(t.fault.error_code & 3, 3u); // present, write
}

TEST(UnicornArch, JumpToNonExecutablePageIsAnExecuteFault) {
    Code code;
    code.mov_rax(Guest::NoExecute).bytes({0xFF, 0xE0}); // jmp rax
    Trap t = run_once(code);
    ASSERT_EQ(t.kind, TrapKind::PageFault);
    EXPECT_EQ(t.pc, Guest::NoExecute);
    EXPECT_EQ(t.fault.address, Guest::NoExecute);
    EXPECT_EQ(t.fault.access, Access::Execute);
}

TEST(UnicornArch, JumpToUnmappedAddressIsAnExecuteFault) {
    Code code;
    code.bytes({0x31, 0xC0, 0xFF, 0xE0}); // xor eax, eax; jmp rax
    Trap t = run_once(code);
    ASSERT_EQ(t.kind, TrapKind::PageFault);
    EXPECT_EQ(t.pc, 0u);
    EXPECT_EQ(t.fault.access, Access::Execute);
}

TEST(UnicornArch, Ud2IsAnInvalidOpcodeAtItsAddress) {
    Trap t = run_once(Code{0x90, 0x0F, 0x0B});
    ASSERT_EQ(t.kind, TrapKind::InvalidOpcode);
    EXPECT_EQ(t.pc, Code0 + 1);
}

TEST(UnicornArch, DivisionByZeroIsADivideError) {
    Trap t = run_once(Code{0x31, 0xC9, 0xF7, 0xF1}); // xor ecx, ecx; div ecx
    ASSERT_EQ(t.kind, TrapKind::DivideError);
    EXPECT_EQ(t.pc, Code0 + 2);
}

TEST(UnicornArch, Int3IsABreakpointAtTheInstruction) {
    Trap t = run_once(Code{0x90, 0xCC});
    ASSERT_EQ(t.kind, TrapKind::Breakpoint);
    EXPECT_EQ(t.pc, Code0 + 1);
}

TEST(UnicornArch, OtherSoftwareInterruptsAreGeneralProtection) {
    Trap t = run_once(Code{0x90, 0xCD, 0x21}); // int 0x21
    ASSERT_EQ(t.kind, TrapKind::GeneralProtection);
    EXPECT_EQ(t.pc, Code0 + 1);
    Trap exception_vector = run_once(Code{0x90, 0xCD, 0x08}); // int 8: an exception vector, still a gate
    ASSERT_EQ(exception_vector.kind, TrapKind::GeneralProtection);
    EXPECT_EQ(exception_vector.pc, Code0 + 1);
}

// Each privileged instruction traps as #GP at its own address and does not execute: rax, rflags and rip keep the
// values they had before it.
struct PrivilegedCase {
    char const* name;
    std::vector<std::uint8_t> bytes;
};

std::string case_name(::testing::TestParamInfo<PrivilegedCase> const& param) { return param.param.name; }

class Privileged : public ::testing::TestWithParam<PrivilegedCase> {};

TEST_P(Privileged, TrapsAsGeneralProtectionWithoutExecuting) {
    Code code;
    code.mov_rax(Guest::Data); // a valid memory operand for lgdt, lidt, invlpg
    for (std::uint8_t b : GetParam().bytes) code.bytes({b});
    UnicornArch arch;
    Guest guest(arch, code);
    RegisterSnapshot before = guest.registers();
    Trap t = guest.run();
    ASSERT_EQ(t.kind, TrapKind::GeneralProtection) << trap_kind_name(t.kind);
    EXPECT_EQ(t.pc, Code0 + 10);
    RegisterSnapshot after = guest.registers();
    EXPECT_EQ(after.rip, Code0 + 10);
    EXPECT_EQ(after.rax, Guest::Data);
    EXPECT_EQ(after.rflags, before.rflags);
}

INSTANTIATE_TEST_SUITE_P(
    UnicornArch, Privileged,
    ::testing::Values(PrivilegedCase{"hlt", {0xF4}}, PrivilegedCase{"cli", {0xFA}}, PrivilegedCase{"sti", {0xFB}},
                      PrivilegedCase{"mov_rax_cr3", {0x0F, 0x20, 0xD8}},
                      PrivilegedCase{"mov_cr0_rax", {0x0F, 0x22, 0xC0}}, PrivilegedCase{"lgdt", {0x0F, 0x01, 0x10}},
                      PrivilegedCase{"lidt", {0x0F, 0x01, 0x18}}, PrivilegedCase{"wrmsr", {0x0F, 0x30}},
                      PrivilegedCase{"rdmsr", {0x0F, 0x32}}, PrivilegedCase{"invlpg", {0x0F, 0x01, 0x38}},
                      PrivilegedCase{"swapgs", {0x0F, 0x01, 0xF8}}, PrivilegedCase{"wbinvd", {0x0F, 0x09}},
                      PrivilegedCase{"ltr", {0x0F, 0x00, 0xD8}},
                      PrivilegedCase{"hlt_after_prefixes", {0x66, 0x2E, 0xF4}}),
    case_name);

TEST(UnicornArch, PortIoWithoutPermissionIsGeneralProtection) {
    Trap in = run_once(Code{0x90, 0xE4, 0x60}); // in al, 0x60
    ASSERT_EQ(in.kind, TrapKind::GeneralProtection);
    EXPECT_EQ(in.pc, Code0 + 1);
    Code out;
    out.bytes({0xBA}).imm32(0x3F8).bytes({0xEE}); // mov edx, 0x3f8; out dx, al
    Trap o = run_once(out);
    ASSERT_EQ(o.kind, TrapKind::GeneralProtection);
    EXPECT_EQ(o.pc, Code0 + 5);
    Code outs;
    outs.bytes({0xBA}).imm32(0x3F8).bytes({0x6E}); // outsb
    EXPECT_EQ(run_once(outs).kind, TrapKind::GeneralProtection);
}

TEST(UnicornArch, PortIoInsideThePortRangesRunsAgainstTheMinimalDevice) {
    Code code;
    code.bytes({0x31, 0xC0})       // xor eax, eax
        .bytes({0xE4, 0x60})       // in al, 0x60 -> 0xff
        .bytes({0x48, 0x89, 0xC3}) // mov rbx, rax
        .bytes({0xBA})
        .imm32(0x3F8)                                // mov edx, 0x3f8
        .bytes({0xB0, 0x41, 0xEE})                   // mov al, 'A'; out dx, al
        .bytes({0x66, 0xB8, 0x34, 0x12, 0x66, 0xEF}) // mov ax, 0x1234; out dx, ax (0x3f8, 0x3f9)
        .mov_rax(0)
        .bytes({0xBE})
        .imm32(Guest::ReadOnly) // mov esi, ReadOnly
        .bytes({0xB9})
        .imm32(2)            // mov ecx, 2
        .bytes({0xF3, 0x6E}) // rep outsb
        .int80();
    UnicornArch arch;
    Guest guest(arch, code);
    IoPortRange const ports[] = {{0x60, 0x60}, {0x3F8, 0x3FF}};
    ASSERT_TRUE(arch.set_io_ports(guest.space, Span<IoPortRange const>{ports, 2}));
    u8 const text[] = {'h', 'i'};
    ASSERT_TRUE(arch.load(guest.space, VirtAddr{Guest::ReadOnly}, text, Bytes(2)));
    Trap t = guest.run();
    ASSERT_EQ(t.kind, TrapKind::Syscall) << trap_kind_name(t.kind) << " at " << std::hex << t.pc;
    RegisterSnapshot r = guest.registers();
    EXPECT_EQ(r.rbx, 0xFFu);
    EXPECT_EQ(r.rcx, 0u);
    EXPECT_EQ(r.rsi, Guest::ReadOnly + 2);
    auto const& writes = arch.port_writes();
    ASSERT_EQ(writes.size(), 4u);
    EXPECT_EQ(writes[0].port, 0x3F8);
    EXPECT_EQ(writes[0].value, u32{'A'});
    EXPECT_EQ(writes[1].size, 2);
    EXPECT_EQ(writes[1].value, 0x1234u);
    EXPECT_EQ(writes[2].value, u32{'h'});
    EXPECT_EQ(writes[3].value, u32{'i'});
}

TEST(UnicornArch, PortRangeMustCoverEveryByteOfTheAccess) {
    Code code;
    code.bytes({0xBA}).imm32(0x3FF).bytes({0x66, 0xEF}); // mov edx, 0x3ff; out dx, ax (0x3ff and 0x400)
    UnicornArch arch;
    Guest guest(arch, code);
    IoPortRange const ports[] = {{0x3F8, 0x3FF}};
    ASSERT_TRUE(arch.set_io_ports(guest.space, Span<IoPortRange const>{ports, 1}));
    EXPECT_EQ(guest.run().kind, TrapKind::GeneralProtection);
}

TEST(UnicornArch, RdtscReturnsVirtualTimeAndCpuidFixedValues) {
    Code code;
    code.bytes({0x90, 0x90, 0x0F, 0x31})             // nop; nop; rdtsc
        .bytes({0x49, 0x89, 0xC4, 0x49, 0x89, 0xD5}) // mov r12, rax; mov r13, rdx
        .bytes({0x31, 0xC0, 0x0F, 0xA2})             // xor eax, eax; cpuid
        .int80();
    auto run = [&] {
        UnicornArch arch;
        Guest guest(arch, code);
        Trap t = guest.run();
        EXPECT_EQ(t.kind, TrapKind::Syscall);
        return guest.registers();
    };
    RegisterSnapshot a = run();
    RegisterSnapshot b = run();
    EXPECT_EQ(a.r12, 2u); // two instructions retired before rdtsc (which costs VirtualClock::DeviceInstructionCost)
    EXPECT_EQ(a.r13, 0u);
    EXPECT_EQ(a.r12, b.r12);
    EXPECT_EQ(a.rbx, 0x766F7247u); // "Grov"
    EXPECT_EQ(a.rbx, b.rbx);
    EXPECT_EQ(a.rdx, b.rdx);
    EXPECT_EQ(a.rcx, b.rcx);
}

TEST(UnicornArch, RdrandAndSyscallAreInvalidOpcodes) {
    Trap rdrand = run_once(Code{0x90, 0x0F, 0xC7, 0xF0}); // rdrand eax
    EXPECT_EQ(rdrand.kind, TrapKind::InvalidOpcode);
    EXPECT_EQ(rdrand.pc, Code0 + 1);
    Trap syscall = run_once(Code{0x90, 0x0F, 0x05});
    EXPECT_EQ(syscall.kind, TrapKind::InvalidOpcode);
    EXPECT_EQ(syscall.pc, Code0 + 1);
}

// Encodings that abort Unicorn's translator (the whole process) are stopped before translation.
class Contained : public ::testing::TestWithParam<PrivilegedCase> {};

TEST_P(Contained, IsAnInvalidOpcodeAndTheProcessLives) {
    Code code{0x90, 0x90};
    for (std::uint8_t b : GetParam().bytes) code.bytes({b});
    Trap t = run_once(code);
    EXPECT_EQ(t.kind, TrapKind::InvalidOpcode) << trap_kind_name(t.kind);
    EXPECT_EQ(t.pc, Code0 + 2);
}

INSTANTIATE_TEST_SUITE_P(UnicornArch, Contained,
                         ::testing::Values(PrivilegedCase{"lock_cmpsb", {0xF0, 0xA6}},
                                           PrivilegedCase{"lock_cmpsd", {0xF0, 0xA7}},
                                           PrivilegedCase{"lock_cmp_mem", {0xF0, 0x38, 0x00}},
                                           PrivilegedCase{"rep_lock_cmp", {0xF3, 0xF0, 0x39, 0x00}},
                                           PrivilegedCase{"call_far_register", {0xFF, 0xD8}},
                                           PrivilegedCase{"jmp_far_register", {0xFF, 0xE8}},
                                           PrivilegedCase{"lock_register_add", {0xF0, 0x01, 0xC0}},
                                           PrivilegedCase{"lock_bts_register", {0xF0, 0x0F, 0xAB, 0xC0}},
                                           PrivilegedCase{"lock_vex", {0xF0, 0xC5, 0xF8, 0x77}}),
                         case_name);

// Random bytes, entered at every kind of offset, end in a trap: never in a dead process.
TEST(UnicornArch, RandomCodeAlwaysEndsInATrap) {
    Prng prng(0x5EED);
    for (int round = 0; round < 64; ++round) {
        Code code;
        for (u64 i = 0; i < PageSize; ++i) code.bytes({static_cast<std::uint8_t>(prng.next())});
        UnicornArch arch;
        Guest guest(arch, code);
        arch.destroy_context(guest.thread);
        u64 const entry = Guest::CodeBase + prng.below(PageSize);
        ASSERT_TRUE(arch.create_context(guest.thread, guest.space, VirtAddr{entry}, VirtAddr{Guest::StackTop}, 0, 0));
        arch.set_preemption_deadline(Ticks(100'000));
        Trap t = guest.run();
        EXPECT_LE(static_cast<int>(t.kind), static_cast<int>(TrapKind::Timer));
    }
}

TEST(UnicornArch, LegalLockedInstructionsRun) {
    Code code;
    code.mov_rax(Guest::Data).bytes({0xF0, 0x48, 0xFF, 0x00}).int80(); // lock inc qword [rax]
    UnicornArch arch;
    Guest guest(arch, code);
    ASSERT_EQ(guest.run().kind, TrapKind::Syscall);
    u64 value = 0;
    ASSERT_TRUE(arch.copy_from_user(guest.space, &value, VirtAddr{Guest::Data}, Bytes(8)));
    EXPECT_EQ(value, 1u);
}

TEST(UnicornArch, PrivilegedBytesInsideImmediatesDoNotTrap) {
    Code code;
    code.bytes({0xB8, 0xF4, 0xFA, 0xFB, 0x90}) // mov eax, 0x90fbfaf4: hlt cli sti as data
        .int80();
    Trap t = run_once(code);
    EXPECT_EQ(t.kind, TrapKind::Syscall);
}

TEST(UnicornArch, ReloadedCodeIsRescanned) {
    UnicornArch arch;
    Guest guest(arch, Code{0x90, 0x90, 0xCD, 0x80}); // nop; nop; int 0x80
    ASSERT_EQ(guest.run().kind, TrapKind::Syscall);
    u8 const hlt[] = {0xF4};
    ASSERT_TRUE(arch.load(guest.space, VirtAddr{Guest::CodeBase + 1}, hlt, Bytes(1)));
    arch.destroy_context(guest.thread);
    ThreadId const again{2, 1};
    ASSERT_TRUE(arch.create_context(again, guest.space, VirtAddr{Guest::CodeBase}, VirtAddr{Guest::StackTop}, 0, 0));
    Trap t = arch.resume(again);
    EXPECT_EQ(t.kind, TrapKind::GeneralProtection);
    EXPECT_EQ(t.pc, Guest::CodeBase + 1);
}

} // namespace
} // namespace grove::sim::testing

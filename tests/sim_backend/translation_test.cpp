// Translated code across runs: stop sites keep stopping after many traps, and code that changes (reloaded or
// remapped) runs as it is now, never as it was translated before.
#include <tests/sim_backend/guest.hpp>

namespace grove::sim::testing {
namespace {

constexpr u64 Code0 = Guest::CodeBase;
constexpr u32 Rounds = 50;

// mov ecx, Rounds; loop: int 0x80; dec ecx; jnz loop; then `tail`.
Code syscall_loop_then(std::initializer_list<std::uint8_t> tail) {
    Code code;
    code.bytes({0xB9}).imm32(Rounds); // mov ecx, Rounds
    code.int80();                     // loop (offset 5)
    code.bytes({0xFF, 0xC9});         // dec ecx
    code.bytes({0x75, 0xFA});         // jnz loop
    code.bytes(tail);
    return code;
}

void expect_syscalls_then_privileged(Code const& code, u64 privileged_pc) {
    UnicornArch arch;
    Guest guest(arch, code);
    for (u32 i = 0; i < Rounds; ++i) {
        Trap t = guest.run();
        ASSERT_EQ(t.kind, TrapKind::Syscall) << "round " << i;
        EXPECT_EQ(t.pc, Code0 + 7) << "round " << i;
        arch.set_syscall_result(guest.thread, 0, 0);
    }
    Trap t = guest.run();
    EXPECT_EQ(t.kind, TrapKind::GeneralProtection);
    EXPECT_EQ(t.fault.cause, FaultCause::PrivilegedInstruction);
    EXPECT_EQ(t.pc, privileged_pc);
}

TEST(UnicornArch, StopSiteAtABlockStartStillTrapsAfterManyRuns) {
    Code const code = syscall_loop_then({0xFA}); // cli right after the loop's branch
    expect_syscalls_then_privileged(code, Code0 + code.size() - 1);
}

TEST(UnicornArch, StopSiteInsideABlockStillTrapsAfterManyRuns) {
    Code const code = syscall_loop_then({0x90, 0x90, 0xF4}); // nop; nop; hlt
    expect_syscalls_then_privileged(code, Code0 + code.size() - 1);
}

TEST(UnicornArch, ReloadedCodeNoLongerStopsWhereASiteWas) {
    UnicornArch arch;
    Guest guest(arch, Code{0x90, 0xF4}); // nop; hlt
    Trap first = guest.run();
    ASSERT_EQ(first.kind, TrapKind::GeneralProtection);
    ASSERT_EQ(first.pc, Code0 + 1);
    u8 const syscall[] = {0xCD, 0x80}; // int 0x80 where the hlt was
    ASSERT_TRUE(arch.load(guest.space, VirtAddr{Code0 + 1}, syscall, Bytes(sizeof syscall)));
    EXPECT_EQ(arch.site_count(guest.space), 0u);
    arch.destroy_context(guest.thread);
    ThreadId const again{2, 1};
    ASSERT_TRUE(arch.create_context(again, guest.space, VirtAddr{Code0}, VirtAddr{Guest::StackTop}, 0, 0));
    Trap t = arch.resume(again);
    EXPECT_EQ(t.kind, TrapKind::Syscall);
    EXPECT_EQ(t.pc, Code0 + 3);
}

TEST(UnicornArch, RemappedCodePageRunsItsNewCode) {
    UnicornArch arch;
    Guest guest(arch, Code{}.bytes({0xB8}).imm32(1).int80()); // mov eax, 1; int 0x80
    Trap first = guest.run();
    ASSERT_EQ(first.kind, TrapKind::Syscall);
    EXPECT_EQ(first.syscall.number, 1u);
    arch.destroy_context(guest.thread);
    ASSERT_TRUE(arch.unmap(guest.space, VirtAddr{Code0}, PageCount(1)));
    ASSERT_TRUE(arch.map(guest.space, VirtAddr{Code0}, PageCount(1), Permissions::Read | Permissions::Execute));
    Code const replacement = Code{}.bytes({0xB8}).imm32(2).int80(); // mov eax, 2; int 0x80
    ASSERT_TRUE(arch.load(guest.space, VirtAddr{Code0}, replacement.data().data(), Bytes(replacement.size())));
    ThreadId const again{2, 1};
    ASSERT_TRUE(arch.create_context(again, guest.space, VirtAddr{Code0}, VirtAddr{Guest::StackTop}, 0, 0));
    Trap t = arch.resume(again);
    ASSERT_EQ(t.kind, TrapKind::Syscall);
    EXPECT_EQ(t.syscall.number, 2u);
}

TEST(UnicornArch, GuestStoresAndKernelCopiesSeeTheSameMemory) {
    Code code;
    code.mov_rax(Guest::Data)
        .bytes({0x48, 0x8B, 0x18})       // mov rbx, [rax]   (written by the kernel)
        .bytes({0x48, 0xFF, 0xC3})       // inc rbx
        .bytes({0x48, 0x89, 0x58, 0x08}) // mov [rax + 8], rbx
        .int80();
    UnicornArch arch;
    Guest guest(arch, code);
    u64 const seed = 41;
    ASSERT_TRUE(arch.copy_to_user(guest.space, VirtAddr{Guest::Data}, &seed, Bytes(8)));
    ASSERT_EQ(guest.run().kind, TrapKind::Syscall);
    u64 value = 0;
    ASSERT_TRUE(arch.copy_from_user(guest.space, &value, VirtAddr{Guest::Data + 8}, Bytes(8)));
    EXPECT_EQ(value, 42u);
}

} // namespace
} // namespace grove::sim::testing

// Address spaces, user copies, frames, isolation, thread contexts and crash reports.
#include <tests/sim_backend/guest.hpp>

#include <cstring>

namespace grove::sim::testing {
namespace {

constexpr Permissions ReadWrite = Permissions::Read | Permissions::Write;

TEST(UnicornArch, UserCopiesRejectUnmappedAndProtectedRanges) {
    UnicornArch arch;
    Guest guest(arch, Code{0xCD, 0x80});
    char buffer[16] = "grove";
    EXPECT_TRUE(arch.copy_to_user(guest.space, VirtAddr{Guest::Data}, buffer, Bytes(6)));
    char back[16]{};
    EXPECT_TRUE(arch.copy_from_user(guest.space, back, VirtAddr{Guest::Data}, Bytes(6)));
    EXPECT_STREQ(back, "grove");
    // Unmapped.
    EXPECT_FALSE(arch.copy_from_user(guest.space, back, VirtAddr{0x0000'7000'0000'0000}, Bytes(4)));
    EXPECT_FALSE(arch.copy_to_user(guest.space, VirtAddr{0}, buffer, Bytes(4)));
    // Read-only: readable, not writable, even partially; nothing is written.
    EXPECT_TRUE(arch.copy_from_user(guest.space, back, VirtAddr{Guest::ReadOnly}, Bytes(4)));
    EXPECT_FALSE(arch.copy_to_user(guest.space, VirtAddr{Guest::ReadOnly}, buffer, Bytes(4)));
    EXPECT_FALSE(arch.copy_to_user(guest.space, VirtAddr{Guest::ReadOnly - 2}, buffer, Bytes(4)));
    char edge[2]{};
    EXPECT_TRUE(arch.copy_from_user(guest.space, edge, VirtAddr{Guest::ReadOnly - 2}, Bytes(2)));
    EXPECT_EQ(edge[0], 0);
    // A range that wraps around the address space.
    EXPECT_FALSE(arch.copy_from_user(guest.space, back, VirtAddr{~u64{0} - 1}, Bytes(4)));
    // Load ignores the grove's permissions but not the mapping.
    EXPECT_TRUE(arch.load(guest.space, VirtAddr{Guest::ReadOnly}, buffer, Bytes(6)));
    EXPECT_FALSE(arch.load(guest.space, VirtAddr{Guest::ReadOnly + PageSize * 8}, buffer, Bytes(6)));
}

TEST(UnicornArch, MapValidatesBeforeChangingAnything) {
    // The space's own page tables take Arch::SpaceTablePages (3) of the 16 frames; the first page at `base`
    // adds the page table of its 2 MiB region.
    UnicornArch arch(PageCount(16));
    AddressSpaceId space = arch.create_address_space().value();
    EXPECT_EQ(arch.free_pages(), PageCount(13));
    VirtAddr const base{0x0000'0000'0100'0000};
    EXPECT_EQ(arch.map(space, VirtAddr{base.value + 1}, PageCount(1), ReadWrite).error(), Error::InvalidArgument);
    EXPECT_EQ(arch.map(space, VirtAddr{0}, PageCount(1), ReadWrite).error(), Error::InvalidArgument); // outside
    EXPECT_EQ(arch.map(space, base, PageCount(1), Permissions::Write | Permissions::Execute).error(),
              Error::InvalidArgument);                                                      // W^X
    EXPECT_EQ(arch.map(space, base, PageCount(13), ReadWrite).error(), Error::OutOfMemory); // 13 + its table
    EXPECT_EQ(arch.free_pages(), PageCount(13));
    ASSERT_TRUE(arch.map(space, base, PageCount(2), ReadWrite));
    EXPECT_EQ(arch.map(space, VirtAddr{base.value + PageSize}, PageCount(1), ReadWrite).error(),
              Error::InvalidArgument); // overlap
    EXPECT_EQ(arch.unmap(space, base, PageCount(3)).error(), Error::InvalidArgument);
    EXPECT_EQ(arch.free_pages(), PageCount(10));
    EXPECT_EQ(arch.unmap(space, VirtAddr{base.value + PageSize}, PageCount(1)).value(), PageCount(1));
    EXPECT_EQ(arch.free_pages(), PageCount(11));
    u8 byte = 0;
    EXPECT_TRUE(arch.copy_from_user(space, &byte, base, Bytes(1)));
    EXPECT_FALSE(arch.copy_from_user(space, &byte, VirtAddr{base.value + PageSize}, Bytes(1)));
    arch.destroy_address_space(space);
    EXPECT_EQ(arch.free_pages(), PageCount(16));
}

TEST(UnicornArch, FreePagesReturnToBaselineAfterDestroy) {
    UnicornArch arch(PageCount(1024));
    PageCount const baseline = arch.free_pages();
    {
        Guest guest(arch, Code{0xCD, 0x80});
        EXPECT_LT(arch.free_pages(), baseline);
        ASSERT_EQ(guest.run().kind, TrapKind::Syscall);
        ASSERT_TRUE(arch.map_physical(guest.space, VirtAddr{0x0000'0000'0200'0000}, PhysAddr{0xB8000}, PageCount(1),
                                      ReadWrite));
        arch.destroy_context(guest.thread);
        arch.destroy_address_space(guest.space);
    }
    EXPECT_EQ(arch.free_pages(), baseline);
}

TEST(UnicornArch, PartialUnmapKeepsTheRestOfAMapping) {
    // Four pages mapped at once, the middle two unmapped: the outer two keep their bytes, for the kernel and for
    // the guest, and the middle ones fault.
    VirtAddr const base{0x0000'0000'0300'0000};
    Code code;
    code.mov_rax(base.value + 3 * PageSize)
        .bytes({0x48, 0x8B, 0x18}) // mov rbx, [rax]   (the last page)
        .mov_rax(base.value + PageSize)
        .bytes({0x48, 0x8B, 0x08}) // mov rcx, [rax]   (unmapped)
        .int80();
    UnicornArch arch;
    Guest guest(arch, code);
    ASSERT_TRUE(arch.map(guest.space, base, PageCount(4), ReadWrite));
    for (u64 page = 0; page < 4; ++page) {
        u64 const marker = 0x1000 + page;
        ASSERT_TRUE(arch.copy_to_user(guest.space, VirtAddr{base.value + page * PageSize}, &marker, Bytes(8)));
    }
    PageCount const before = arch.free_pages();
    ASSERT_TRUE(arch.unmap(guest.space, VirtAddr{base.value + PageSize}, PageCount(2)));
    EXPECT_EQ(arch.free_pages(), before + PageCount(2));
    u64 first = 0, last = 0;
    ASSERT_TRUE(arch.copy_from_user(guest.space, &first, base, Bytes(8)));
    ASSERT_TRUE(arch.copy_from_user(guest.space, &last, VirtAddr{base.value + 3 * PageSize}, Bytes(8)));
    EXPECT_EQ(first, 0x1000u);
    EXPECT_EQ(last, 0x1003u);
    EXPECT_FALSE(arch.copy_from_user(guest.space, &first, VirtAddr{base.value + PageSize}, Bytes(8)));
    Trap t = guest.run();
    ASSERT_EQ(t.kind, TrapKind::PageFault);
    EXPECT_EQ(t.fault.address, base.value + PageSize);
    EXPECT_EQ(guest.registers().rbx, 0x1003u);
}

TEST(UnicornArch, SpacesAreIsolated) {
    // Both groves write their own marker at the same address, then read the other's private page.
    Code code;
    code.mov_rax(Guest::Data)
        .bytes({0x48, 0x89, 0x38}) // mov [rax], rdi
        .bytes({0x48, 0x8B, 0x1E}) // mov rbx, [rsi]
        .int80();
    UnicornArch arch;
    Guest a(arch, code, ThreadId{1, 1});
    Guest b(arch, code, ThreadId{2, 1});
    VirtAddr const private_a{0x0000'0000'0300'0000};
    ASSERT_TRUE(arch.map(a.space, private_a, PageCount(1), ReadWrite));
    arch.destroy_context(a.thread);
    arch.destroy_context(b.thread);
    ASSERT_TRUE(arch.create_context(a.thread, a.space, VirtAddr{Guest::CodeBase}, VirtAddr{Guest::StackTop}, 0xAAAA,
                                    private_a.value));
    ASSERT_TRUE(arch.create_context(b.thread, b.space, VirtAddr{Guest::CodeBase}, VirtAddr{Guest::StackTop}, 0xBBBB,
                                    private_a.value));
    Trap ta = a.run();
    Trap tb = b.run();
    EXPECT_EQ(ta.kind, TrapKind::Syscall);   // a reads its own page
    ASSERT_EQ(tb.kind, TrapKind::PageFault); // b has no such page
    EXPECT_EQ(tb.fault.address, private_a.value);
    u64 va = 0, vb = 0;
    ASSERT_TRUE(arch.copy_from_user(a.space, &va, VirtAddr{Guest::Data}, Bytes(8)));
    ASSERT_TRUE(arch.copy_from_user(b.space, &vb, VirtAddr{Guest::Data}, Bytes(8)));
    EXPECT_EQ(va, 0xAAAAu);
    EXPECT_EQ(vb, 0xBBBBu);
}

TEST(UnicornArch, ThreadsSharingASpaceKeepTheirRegisters) {
    // mov rbx, rdi; int 0x80; mov rcx, rbx; int 0x80
    Code code{0x48, 0x89, 0xFB, 0xCD, 0x80, 0x48, 0x89, 0xD9, 0xCD, 0x80};
    UnicornArch arch;
    Guest guest(arch, code, ThreadId{1, 1});
    ThreadId const second{2, 7};
    arch.destroy_context(guest.thread);
    ASSERT_TRUE(
        arch.create_context(guest.thread, guest.space, VirtAddr{Guest::CodeBase}, VirtAddr{Guest::StackTop}, 111, 0));
    ASSERT_TRUE(arch.create_context(second, guest.space, VirtAddr{Guest::CodeBase},
                                    VirtAddr{Guest::StackTop - PageSize}, 222, 0));
    ASSERT_EQ(arch.resume(guest.thread).kind, TrapKind::Syscall);
    ASSERT_EQ(arch.resume(second).kind, TrapKind::Syscall);
    arch.set_syscall_result(guest.thread, 1, 0);
    ASSERT_EQ(arch.resume(guest.thread).kind, TrapKind::Syscall);
    ASSERT_EQ(arch.resume(second).kind, TrapKind::Syscall);
    EXPECT_EQ(arch.registers(guest.thread).rcx, 111u);
    EXPECT_EQ(arch.registers(guest.thread).rax, 1u);
    EXPECT_EQ(arch.registers(second).rcx, 222u);
    EXPECT_EQ(arch.registers(second).rsp, Guest::StackTop - PageSize);
    EXPECT_EQ(
        arch.create_context(second, guest.space, VirtAddr{Guest::CodeBase}, VirtAddr{Guest::StackTop}, 0, 0).error(),
        Error::InvalidArgument);
}

TEST(UnicornArch, CrashReportDescribesTheFaultingInstructionAndRegisters) {
    UnicornArch arch;
    Guest guest(arch, Code{0x90, 0x48, 0x8B, 0x04, 0x25, 0x10, 0, 0, 0}); // nop; mov rax, [0x10]
    Trap t = guest.run();
    ASSERT_EQ(t.kind, TrapKind::PageFault);
    InstructionText text = arch.describe_instruction(guest.space, t.pc);
    EXPECT_TRUE(text.decoded);
    EXPECT_STREQ(text.mnemonic, "mov");
    EXPECT_STREQ(text.operands, "rax, qword ptr [0x10]");
    EXPECT_EQ(text.length, 8);
    EXPECT_EQ(text.bytes[0], 0x48);
    RegisterSnapshot r = arch.registers(guest.thread);
    EXPECT_EQ(r.rip, t.pc);
    EXPECT_EQ(r.rsp, Guest::StackTop);
    InstructionText nowhere = arch.describe_instruction(guest.space, 0x10);
    EXPECT_FALSE(nowhere.decoded);
    EXPECT_STREQ(nowhere.mnemonic, "(bad)");
}

TEST(UnicornArch, ConsoleKeepsTextPerGrove) {
    UnicornArch arch;
    arch.console_write(GroveId{3, 1}, "hello ", 6);
    arch.console_write(GroveId{4, 1}, "world", 5);
    EXPECT_EQ(arch.console(GroveId{3, 1}), "hello ");
    EXPECT_EQ(arch.console_all(), "hello world");
}

TEST(UnicornArch, ConsoleKeepsABoundedTailOfWhatItReceived) {
    UnicornArch arch;
    std::string const block(4096, 'x');
    for (usize i = 0; i < 4 * UnicornArch::ConsoleKept / block.size(); ++i)
        arch.console_write(GroveId{3, 1}, block.data(), block.size());
    arch.console_write(GroveId{3, 1}, "end", 3);
    EXPECT_LT(arch.console(GroveId{3, 1}).size(), 2 * UnicornArch::ConsoleKept);
    EXPECT_GE(arch.console(GroveId{3, 1}).size(), UnicornArch::ConsoleKept);
    EXPECT_EQ(arch.console(GroveId{3, 1}).substr(arch.console(GroveId{3, 1}).size() - 3), "end");
    EXPECT_LT(arch.console_all().size(), 2 * UnicornArch::ConsoleKept);
}

} // namespace
} // namespace grove::sim::testing

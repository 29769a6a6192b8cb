#include <arch_x86_64/isa/exceptions.hpp>

#include <gtest/gtest.h>

using namespace grove;
using namespace grove::x86;

namespace {

TEST(Exceptions, OnlyTheBreakpointAndSyscallGatesAreOpenToRing1) {
    for (u32 vector = 0; vector < 256; ++vector) {
        bool const open = vector == 3 || vector == grove::abi::SyscallVector;
        EXPECT_EQ(gate_open_to_ring1(static_cast<u8>(vector)), open) << vector;
    }
    EXPECT_EQ(gate_error_code(0x0D), 0x6Au);
    EXPECT_EQ(gate_error_code(0x00), 0x02u);
}

TEST(Exceptions, VectorsBecomeTheTrapsBothBackendsReport) {
    EXPECT_EQ(trap_kind_of(0), TrapKind::DivideError);
    EXPECT_EQ(trap_kind_of(1), TrapKind::Breakpoint);
    EXPECT_EQ(trap_kind_of(3), TrapKind::Breakpoint);
    EXPECT_EQ(trap_kind_of(6), TrapKind::InvalidOpcode);
    EXPECT_EQ(trap_kind_of(7), TrapKind::InvalidOpcode);
    EXPECT_EQ(trap_kind_of(12), TrapKind::GeneralProtection);
    EXPECT_EQ(trap_kind_of(13), TrapKind::GeneralProtection);
    EXPECT_EQ(trap_kind_of(14), TrapKind::PageFault);
    EXPECT_EQ(trap_kind_of(16), TrapKind::DivideError);
    EXPECT_EQ(trap_kind_of(19), TrapKind::DivideError);
    EXPECT_EQ(trap_kind_of(17), TrapKind::GeneralProtection);
}

TEST(Exceptions, PageFaultErrorCodeRoundTrips) {
    EXPECT_EQ(page_fault::error_code(false, Access::Read), 0u);
    EXPECT_EQ(page_fault::error_code(true, Access::Write), 3u);
    EXPECT_EQ(page_fault::error_code(true, Access::Execute), 17u);
    for (Access a : {Access::Read, Access::Write, Access::Execute})
        EXPECT_EQ(page_fault::access_of(page_fault::error_code(true, a)), a);
}

TEST(Exceptions, BreakpointPcIsTheInstruction) {
    EXPECT_EQ(breakpoint_pc(0x1001, 0xCC), 0x1000u); // int3
    EXPECT_EQ(breakpoint_pc(0x1002, 0x03), 0x1000u); // int 3
}

TEST(Exceptions, Ring1CannotChangeIoplOrInterruptFlag) {
    u64 const current = rflags::Initial;
    EXPECT_EQ(rflags::after_popf(current, current | rflags::IoPrivilege), current);
    EXPECT_EQ(rflags::after_popf(current, current & ~rflags::Interrupt), current);
    EXPECT_EQ(rflags::after_popf(current, current | rflags::Carry | rflags::Direction),
              current | rflags::Carry | rflags::Direction);
    EXPECT_EQ(rflags::after_popf(current | rflags::Resume, current), current); // popf clears RF
    EXPECT_EQ(rflags::after_iret(current, current | rflags::Resume), current | rflags::Resume);
}

TEST(Exceptions, SegmentLoadsFollowTheDescriptorTable) {
    EXPECT_TRUE(load_segment(SegmentRegister::Fs, 0).allowed);
    EXPECT_TRUE(load_segment(SegmentRegister::Gs, 3).allowed);
    EXPECT_TRUE(load_segment(SegmentRegister::Ds, selectors::Ring1Data).allowed);
    EXPECT_TRUE(load_segment(SegmentRegister::Es, selectors::Ring1Code).allowed);
    EXPECT_TRUE(load_segment(SegmentRegister::Ss, selectors::Ring1Data).allowed);
    SegmentLoad const ldt = load_segment(SegmentRegister::Fs, 0x1234);
    EXPECT_FALSE(ldt.allowed);
    EXPECT_EQ(ldt.error_code, 0x1234u);
    EXPECT_EQ(load_segment(SegmentRegister::Ds, selectors::KernelData).error_code, 0x10u);
    EXPECT_FALSE(load_segment(SegmentRegister::Ds, 0x22).allowed); // RPL 2 above the DPL 1
    EXPECT_FALSE(load_segment(SegmentRegister::Ss, 0).allowed);
    EXPECT_EQ(load_segment(SegmentRegister::Ss, 0).error_code, 0u);
    EXPECT_FALSE(load_segment(SegmentRegister::Fs, selectors::Tss).allowed);
    EXPECT_FALSE(load_segment(SegmentRegister::Fs, 0x38).allowed); // past the table
}

TEST(Exceptions, IretReturnsOnlyToRing1) {
    EXPECT_TRUE(return_to(selectors::Ring1Code, selectors::Ring1Data, 8).allowed);
    EXPECT_TRUE(return_to(selectors::Ring1Code, 0, 8).allowed);
    EXPECT_FALSE(return_to(selectors::Ring1Code, 0, 4).allowed);
    SegmentLoad const inner = return_to(selectors::KernelCode, selectors::KernelData, 8);
    EXPECT_FALSE(inner.allowed);
    EXPECT_EQ(inner.error_code, 0x08u);
    EXPECT_EQ(return_to(selectors::Ring1Code, selectors::KernelData, 8).error_code, 0x10u);
}

} // namespace

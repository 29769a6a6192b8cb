#pragma once
// The x86_64 facts both backends must agree on: exception vectors, the error codes the CPU pushes, which interrupt
// gates a ring-1 grove may use, the flags it may change, the selectors it may load, and how a breakpoint's pc is
// found. The bare-metal kernel programs the CPU with them; the simulator decides with them what the CPU would do.
// Header-only and freestanding (compiled into the kernel and the simulator alike).
#include <core/abi/syscall.hpp>
#include <core/arch/trap.hpp>
#include <core/base/std.hpp>

namespace grove::x86 {

// Exception vectors (Intel SDM Vol. 3A, 6.3.1).
enum class Vector : u8 {
    DivideError = 0,
    Debug = 1,
    NonMaskableInterrupt = 2,
    Breakpoint = 3,
    Overflow = 4,
    BoundRange = 5,
    InvalidOpcode = 6,
    DeviceNotAvailable = 7,
    DoubleFault = 8,
    InvalidTss = 10,
    SegmentNotPresent = 11,
    StackFault = 12,
    GeneralProtection = 13,
    PageFault = 14,
    FloatingPoint = 16,
    AlignmentCheck = 17,
    MachineCheck = 18,
    SimdFloatingPoint = 19,
};
constexpr u8 vector_number(Vector v) { return static_cast<u8>(v); }

// The #PF error code (SDM Vol. 3A, 4.7). A ring-1 access is a supervisor access: User is never set for a grove.
namespace page_fault {
inline constexpr u64 Present = u64{1} << 0; // a protection violation, not a missing page
inline constexpr u64 Write = u64{1} << 1;
inline constexpr u64 User = u64{1} << 2;
inline constexpr u64 ReservedBit = u64{1} << 3;
inline constexpr u64 InstructionFetch = u64{1} << 4;

constexpr u64 error_code(bool present, Access access) {
    return (present ? Present : 0) | (access == Access::Write ? Write : 0) |
           (access == Access::Execute ? InstructionFetch : 0);
}
constexpr Access access_of(u64 error_code) {
    return (error_code & InstructionFetch) != 0 ? Access::Execute
           : (error_code & Write) != 0          ? Access::Write
                                                : Access::Read;
}
} // namespace page_fault

// The error code of a #GP raised by `int n` through a gate the caller may not use: the vector's IDT entry
// (index << 3, IDT bit 1; SDM Vol. 3A, 6.13).
constexpr u64 gate_error_code(u8 vector) { return (u64{vector} << 3) | 2; }
// The error code of a #GP raised by a segment selector: the selector without its RPL.
constexpr u64 selector_error_code(u16 selector) { return selector & 0xFFFC; }

// The interrupt gates whose DPL lets ring 1 use `int n`: the breakpoint (int3, `int 3`) and the syscall. Every
// other `int n` from a grove is #GP(gate_error_code(n)) at the instruction, which does not retire.
constexpr bool gate_open_to_ring1(u8 vector) {
    return vector == vector_number(Vector::Breakpoint) || vector == abi::SyscallVector;
}

// The trap a vector raised in ring 1 becomes. The x87 and SIMD floating-point errors count as divide errors,
// #NM as an invalid opcode (the kernel takes it only for lazy FPU switching), everything else (#TS, #NP, #SS,
// #AC...) as general protection. NMI, double fault and machine check never come from a grove.
constexpr TrapKind trap_kind_of(u8 vector) {
    switch (static_cast<Vector>(vector)) {
    case Vector::DivideError:
    case Vector::FloatingPoint:
    case Vector::SimdFloatingPoint: return TrapKind::DivideError;
    case Vector::Debug:
    case Vector::Breakpoint: return TrapKind::Breakpoint;
    case Vector::InvalidOpcode:
    case Vector::DeviceNotAvailable: return TrapKind::InvalidOpcode;
    case Vector::PageFault: return TrapKind::PageFault;
    default: return TrapKind::GeneralProtection;
    }
}

// #BP is a trap: the CPU reports the address after the int3 (0xCC) or `int 3` (0xCD 0x03); the core wants the
// instruction itself. `byte_before` is the byte at rip - 1. (An 0xCC there cannot be the operand of `int 0xCC`:
// that gate is closed to ring 1 and faults before retiring.)
constexpr u64 breakpoint_pc(u64 rip, u8 byte_before) { return byte_before == 0xCC ? rip - 1 : rip - 2; }

// RFLAGS (SDM Vol. 1, 3.4.3).
namespace rflags {
inline constexpr u64 Carry = u64{1} << 0;
inline constexpr u64 Reserved1 = u64{1} << 1; // always one
inline constexpr u64 Parity = u64{1} << 2;
inline constexpr u64 Adjust = u64{1} << 4;
inline constexpr u64 Zero = u64{1} << 6;
inline constexpr u64 Sign = u64{1} << 7;
inline constexpr u64 Trap = u64{1} << 8;
inline constexpr u64 Interrupt = u64{1} << 9;
inline constexpr u64 Direction = u64{1} << 10;
inline constexpr u64 Overflow = u64{1} << 11;
inline constexpr u64 IoPrivilege = u64{3} << 12;
inline constexpr u64 NestedTask = u64{1} << 14;
inline constexpr u64 Resume = u64{1} << 16;
inline constexpr u64 AlignmentCheck = u64{1} << 18;
inline constexpr u64 Identification = u64{1} << 21;

// What a grove starts with, as after the kernel's iretq to ring 1: IF and the reserved bit, IOPL 0 (so that
// cli, sti and port I/O outside the TSS bitmap fault).
inline constexpr u64 Initial = Interrupt | Reserved1;

// The bits `popf` may change at CPL 1 with IOPL 0 (SDM Vol. 2B, POPF): not IOPL (CPL 0 only) and not IF
// (CPL > IOPL); VM, VIF and VIP are not touched and RF is cleared. `iretq` to the same ring may also set RF.
inline constexpr u64 Ring1Writable =
    Carry | Parity | Adjust | Zero | Sign | Trap | Direction | Overflow | NestedTask | AlignmentCheck | Identification;
constexpr u64 after_popf(u64 current, u64 popped) {
    return (current & ~(Ring1Writable | Resume)) | (popped & Ring1Writable) | Reserved1;
}
constexpr u64 after_iret(u64 current, u64 popped) {
    return (current & ~(Ring1Writable | Resume)) | (popped & (Ring1Writable | Resume)) | Reserved1;
}
} // namespace rflags

// The descriptor table both machines present to a grove (arch_x86_64/trampoline/trampoline.S): null, ring-0 code
// and data, ring-1 code (64-bit, readable) and data, the TSS in two slots. No LDT (LDTR holds the null selector).
namespace selectors {
inline constexpr u16 KernelCode = 0x08;
inline constexpr u16 KernelData = 0x10;
inline constexpr u16 Ring1Code = 0x19;
inline constexpr u16 Ring1Data = 0x21;
inline constexpr u16 Tss = 0x28;
inline constexpr u16 TableIndicator = 4; // set: the selector names an LDT entry
inline constexpr u16 Rpl = 3;
} // namespace selectors

enum class SegmentRegister : u8 { Es = 0, Cs = 1, Ss = 2, Ds = 3, Fs = 4, Gs = 5 };

// Whether a load of `selector` into `target` at CPL 1 succeeds, and the error code of the #GP when it does not
// (SDM Vol. 2A, MOV and POP to a segment register; 64-bit mode): a null selector may go to DS, ES, FS or GS; the
// ring-1 data segment and the readable ring-1 code segment to them with RPL at most 1; only the ring-1 data
// selector (RPL 1) to SS. Anything else (an LDT selector, a ring-0 or system descriptor, an index past the table)
// is #GP(selector). A load into CS is #UD and never gets here.
struct SegmentLoad {
    bool allowed = false;
    u64 error_code = 0;
};
constexpr SegmentLoad load_segment(SegmentRegister target, u16 selector) {
    u16 const index = selector & ~u16{7};
    u16 const rpl = selector & selectors::Rpl;
    bool const ldt = (selector & selectors::TableIndicator) != 0;
    if (target == SegmentRegister::Ss) {
        if (selector == selectors::Ring1Data) return {true, 0};
        return {false, selector_error_code(selector)};
    }
    if (!ldt && index == 0) return {true, 0};
    if (!ldt && rpl <= 1 && (index == (selectors::Ring1Data & ~u16{7}) || index == (selectors::Ring1Code & ~u16{7})))
        return {true, 0};
    return {false, selector_error_code(selector)};
}

// Whether `iret` from ring 1 may return to `cs`:`ss` (`operand_size` 2, 4 or 8 bytes): only to ring 1 itself (the
// table has no ring-2 or ring-3 segments, and a return to an inner ring is #GP). SS is the ring-1 data selector,
// or for a 64-bit `iretq` a null one. On failure, the error code names the selector at fault.
constexpr SegmentLoad return_to(u16 cs, u16 ss, u8 operand_size) {
    if (cs != selectors::Ring1Code) return {false, selector_error_code(cs)};
    if (ss == selectors::Ring1Data || (operand_size == 8 && (ss & ~selectors::Rpl) == 0)) return {true, 0};
    return {false, selector_error_code(ss)};
}

} // namespace grove::x86

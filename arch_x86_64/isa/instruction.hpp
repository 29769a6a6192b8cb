#pragma once
// The one x86_64 instruction classifier, shared by the bare-metal kernel (which names the cause of a #GP in its
// fault report) and the simulator (which must decide itself what a ring-1 grove may execute: Unicorn runs guest
// code at CPL 0, DESIGN.md §6). Freestanding, a pure function of the bytes.
//
// The classes follow the Intel SDM for the CPU both backends present to a grove: 64-bit mode, CPL 1, IOPL 0,
// CR4.UMIP set (the kernel sets it where the CPU has it; arch_x86_64/README.md), CR4.TSD, PCE, OSXSAVE, FSGSBASE
// and PKE clear, EFER.SCE clear (no syscall), SYSENTER unconfigured, outside VMX, SMX, SVM and SMM, and the
// features of the simulator's cpuid (no rdtscp, rdrand, rdseed, rdpid, invpcid, monitor, SMAP). Where the SDM
// lets a condition be #UD or #GP, the order is the SDM's (and QEMU's): a missing feature or mode is #UD before the
// privilege check is #GP.
#include <arch_x86_64/isa/exceptions.hpp>
#include <core/base/std.hpp>

namespace grove::x86 {

inline constexpr usize MaxInstructionLength = 15;

enum class InstructionClass : u8 {
    Ordinary,          // runs in ring 1 as in any ring
    Privileged,        // #GP(0) at CPL 1 without executing
    Undefined,         // #UD
    PortIo,            // in / out: allowed when the TSS bitmap grants every port of the access, else #GP(0)
    StringPortIo,      // ins / outs (optionally rep): as PortIo
    SoftwareInterrupt, // int n through a gate closed to ring 1: #GP(gate_error_code(n)) at the instruction
    TimeStamp,         // rdtsc: allowed (CR4.TSD clear)
    CpuIdentity,       // cpuid: allowed
    FlagsLoad,         // popf: allowed, but IOPL and IF keep their values (rflags::after_popf)
    InterruptReturn,   // iret: allowed to ring 1 only (return_to)
    SegmentLoad,       // mov Sreg, r / pop fs / pop gs: allowed for the selectors of load_segment
};

constexpr char const* instruction_class_name(InstructionClass c) {
    switch (c) {
    case InstructionClass::Ordinary: return "ordinary";
    case InstructionClass::Privileged: return "privileged";
    case InstructionClass::Undefined: return "undefined";
    case InstructionClass::PortIo: return "port_io";
    case InstructionClass::StringPortIo: return "string_port_io";
    case InstructionClass::SoftwareInterrupt: return "software_interrupt";
    case InstructionClass::TimeStamp: return "time_stamp";
    case InstructionClass::CpuIdentity: return "cpu_identity";
    case InstructionClass::FlagsLoad: return "flags_load";
    case InstructionClass::InterruptReturn: return "interrupt_return";
    case InstructionClass::SegmentLoad: return "segment_load";
    }
    return "unknown";
}

// One instruction as far as the classes above need it. `length` is valid for every class but Ordinary (which is
// not decoded further) and Undefined.
struct Instruction {
    InstructionClass kind = InstructionClass::Ordinary;
    u8 length = 0;
    u8 opcode = 0;       // the last opcode byte
    u8 operand_size = 0; // port I/O: 1, 2 or 4; popf and iret: 2, 4 or 8
    bool repeat = false; // string port I/O with a rep prefix
    bool has_port_immediate = false;
    u8 port_immediate = 0;
    bool is_output = false;                        // port I/O direction
    u8 vector = 0;                                 // SoftwareInterrupt
    SegmentRegister segment = SegmentRegister::Es; // SegmentLoad: the destination
    bool from_stack = false; // SegmentLoad: pop fs / pop gs, else mov from the register `source_register`
    u8 source_register = 0;  // SegmentLoad by mov: the general register (0 rax ... 15 r15)
};

// Decodes the instruction that starts at `bytes` (`available` of them readable; too few is Ordinary). Legacy
// prefixes and REX are skipped; 15 bytes of prefixes are #UD.
Instruction classify_instruction(u8 const* bytes, usize available);

} // namespace grove::x86

#pragma once
#include <core/base/std.hpp>

namespace grove::sim {

// What the simulator must do with an instruction before Unicorn may translate it. Unicorn runs guest code at
// CPL 0 and does not enforce the rules of ring 1 (DESIGN.md §6), it aborts the whole process on a few encodings
// (a lock prefix on cmp or cmps, `call far` with a register operand), and it answers rdtsc, cpuid and rdrand from
// the host. Every instruction of one of these kinds becomes a stop site: Unicorn never translates it, the backend
// decides.
enum class SiteKind : u8 {
    None,           // Unicorn runs it
    Privileged,     // ring 0 only: GeneralProtection without executing
    PortIo,         // in / out: allowed when the space's port ranges cover the port, else GeneralProtection
    StringPortIo,   // ins / outs (optionally rep): as PortIo, emulated by the backend
    TimeStamp,      // rdtsc / rdtscp: virtual time
    CpuIdentity,    // cpuid: fixed values
    Undefined,      // #UD on hardware (invalid lock prefix, far call/jmp through a register, rdrand, syscall...)
};

// One instruction decoded from its bytes alone, by the rules above. The decoder is deliberately independent of
// Capstone: it has to agree with Unicorn's own decoder on what starts at an address.
struct SiteInstruction {
    SiteKind kind = SiteKind::None;
    u8 length = 0;          // bytes, valid for every kind but None and Undefined
    u8 opcode = 0;          // the last opcode byte
    u8 operand_size = 0;    // port I/O: 1, 2 or 4
    bool repeat = false;    // string port I/O with a rep prefix
    bool has_port_immediate = false;
    u8 port_immediate = 0;
    bool is_output = false; // port I/O direction
    bool is_rdtscp = false;
};

// Decodes the instruction that starts at `bytes` (at most `available` bytes readable). Pure function of bytes.
SiteInstruction classify_instruction(u8 const* bytes, usize available);

} // namespace grove::sim

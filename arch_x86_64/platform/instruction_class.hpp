#pragma once
#include <core/base/std.hpp>

namespace grove::metal {

inline constexpr usize MaxInstructionLength = 15;

enum class InstructionKind : u8 { Other, PortIo, Privileged };

// What a faulting instruction is, as far as the kernel's fault report needs it.
struct InstructionClass {
    InstructionKind kind = InstructionKind::Other;
    bool has_port_immediate = false; // in/out with an 8-bit port in the instruction; otherwise the port is dx
    u8 port_immediate = 0;
};

// Classifies the x86_64 instruction at `bytes` (`available` of them readable), after its legacy and REX
// prefixes: in/out/ins/outs are PortIo; hlt, cli, sti, iret, clts, invd, wbinvd, mov to or from control and debug
// registers, wrmsr, rdmsr, rdpmc, the descriptor-table and invlpg group (0f 00 /0-3, 0f 01 with a memory
// operand, and its register forms other than xgetbv and rdtscp) are Privileged; anything else, or too few bytes,
// is Other. A pure function of the bytes.
InstructionClass classify_instruction(u8 const* bytes, usize available);

} // namespace grove::metal

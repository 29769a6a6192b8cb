#include <arch_x86_64/platform/instruction_class.hpp>

namespace grove::metal {

namespace {

bool is_prefix(u8 b) {
    return b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3 || b == 0x2E || b == 0x36 || b == 0x3E ||
           b == 0x26 || b == 0x64 || b == 0x65 || (b & 0xF0) == 0x40;
}

InstructionClass privileged() { return InstructionClass{InstructionKind::Privileged, false, 0}; }

InstructionClass one_byte(u8 opcode, u8 const* rest, usize available) {
    switch (opcode) {
    case 0xF4: case 0xFA: case 0xFB: case 0xCF: return privileged(); // hlt cli sti iret
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:                       // in/out with an immediate port
        if (available == 0) return {};
        return InstructionClass{InstructionKind::PortIo, true, rest[0]};
    case 0xEC: case 0xED: case 0xEE: case 0xEF:                       // in/out with the port in dx
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:                       // ins/outs
        return InstructionClass{InstructionKind::PortIo, false, 0};
    default: return {};
    }
}

InstructionClass two_byte(u8 opcode, u8 const* rest, usize available) {
    switch (opcode) {
    case 0x06: case 0x08: case 0x09: case 0x20: case 0x21: case 0x22: case 0x23: case 0x30: case 0x32:
    case 0x33:
        return privileged(); // clts invd wbinvd mov-cr mov-dr wrmsr rdmsr rdpmc
    case 0x00:               // sldt str lldt ltr (sldt and str are allowed only without UMIP: treat all as one)
        if (available == 0) return {};
        return ((rest[0] >> 3) & 7) <= 3 ? privileged() : InstructionClass{};
    case 0x01: {
        if (available == 0) return {};
        u8 const modrm = rest[0];
        if ((modrm >> 6) != 3) return privileged(); // sgdt sidt lgdt lidt smsw lmsw invlpg
        if (modrm == 0xD0 || modrm == 0xF9) return {}; // xgetbv, rdtscp
        return privileged();
    }
    default: return {};
    }
}

} // namespace

InstructionClass classify_instruction(u8 const* bytes, usize available) {
    usize i = 0;
    while (i < available && i < MaxInstructionLength && is_prefix(bytes[i])) ++i;
    if (i >= available) return {};
    u8 const first = bytes[i++];
    if (first != 0x0F) return one_byte(first, bytes + i, available - i);
    if (i >= available) return {};
    u8 const second = bytes[i++];
    return two_byte(second, bytes + i, available - i);
}

} // namespace grove::metal

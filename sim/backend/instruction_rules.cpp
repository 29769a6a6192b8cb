#include <sim/backend/instruction_rules.hpp>

namespace grove::sim {
namespace {

constexpr usize MaxInstructionLength = 15;

constexpr bool is_legacy_prefix(u8 c) {
    return c == 0xF0 || c == 0xF2 || c == 0xF3 || c == 0x66 || c == 0x67 || c == 0x2E || c == 0x36 || c == 0x3E ||
           c == 0x26 || c == 0x64 || c == 0x65;
}
constexpr bool is_rex(u8 c) { return (c & 0xF0) == 0x40; }

struct ModRm {
    u8 mod = 0;
    u8 reg = 0;
    u8 rm = 0;
    u8 raw = 0;
};
constexpr ModRm split(u8 raw) {
    return ModRm{static_cast<u8>(raw >> 6), static_cast<u8>((raw >> 3) & 7), static_cast<u8>(raw & 7), raw};
}

// The lock prefix is legal only on read-modify-write instructions with a memory destination; everything else is
// #UD on hardware, and several of those encodings abort Unicorn's translator.
bool lock_is_legal(bool two_byte, u8 opcode, ModRm m) {
    if (m.mod == 3) return false;
    if (!two_byte) {
        switch (opcode) {
        case 0x00: case 0x01: case 0x08: case 0x09: case 0x10: case 0x11: case 0x18: case 0x19:
        case 0x20: case 0x21: case 0x28: case 0x29: case 0x30: case 0x31: case 0x86: case 0x87:
            return true;
        case 0x80: case 0x81: case 0x83: return m.reg != 7; // every group-1 operation but cmp
        case 0xF6: case 0xF7: return m.reg == 2 || m.reg == 3; // not, neg
        case 0xFE: case 0xFF: return m.reg == 0 || m.reg == 1; // inc, dec
        default: return false;
        }
    }
    switch (opcode) {
    case 0xAB: case 0xB3: case 0xBB: case 0xB0: case 0xB1: case 0xC0: case 0xC1: return true;
    case 0xBA: return m.reg >= 5;  // bts, btr, btc with an immediate
    case 0xC7: return m.reg == 1;  // cmpxchg8b / cmpxchg16b
    default: return false;
    }
}

SiteInstruction site(SiteKind kind, usize length) {
    SiteInstruction s;
    s.kind = kind;
    s.length = static_cast<u8>(length);
    return s;
}

SiteInstruction classify_one_byte(u8 opcode, usize after_opcode, bool operand16, bool repeat, u8 const* bytes,
                                  usize available) {
    switch (opcode) {
    case 0xF4: case 0xFA: case 0xFB: case 0xCF: // hlt, cli, sti, iret
        return site(SiteKind::Privileged, after_opcode);
    case 0xE4: case 0xE5: case 0xE6: case 0xE7: case 0xEC: case 0xED: case 0xEE: case 0xEF: {
        bool const immediate = opcode < 0xEC;
        if (immediate && after_opcode >= available) return {};
        SiteInstruction s = site(SiteKind::PortIo, after_opcode + (immediate ? 1 : 0));
        s.opcode = opcode;
        s.has_port_immediate = immediate;
        s.port_immediate = immediate ? bytes[after_opcode] : 0;
        s.is_output = (opcode & 2) != 0;
        s.operand_size = (opcode & 1) == 0 ? 1 : (operand16 ? 2 : 4);
        return s;
    }
    case 0x6C: case 0x6D: case 0x6E: case 0x6F: {
        SiteInstruction s = site(SiteKind::StringPortIo, after_opcode);
        s.opcode = opcode;
        s.is_output = (opcode & 2) != 0;
        s.operand_size = (opcode & 1) == 0 ? 1 : (operand16 ? 2 : 4);
        s.repeat = repeat;
        return s;
    }
    case 0xFF: {
        if (after_opcode >= available) return {};
        ModRm const m = split(bytes[after_opcode]);
        if (m.mod == 3 && (m.reg == 3 || m.reg == 5)) return site(SiteKind::Undefined, after_opcode + 1);
        return {};
    }
    default: return {};
    }
}

SiteInstruction classify_two_byte(u8 opcode, usize after_opcode, bool repeat, u8 const* bytes, usize available) {
    switch (opcode) {
    case 0x06: case 0x07: case 0x08: case 0x09: case 0x20: case 0x21: case 0x22: case 0x23: case 0x30:
    case 0x32: case 0x33: case 0x35: case 0x37: case 0x78: case 0x79: case 0xAA:
        // clts sysret invd wbinvd mov-cr mov-dr wrmsr rdmsr rdpmc sysexit getsec vmread vmwrite rsm
        return site(SiteKind::Privileged, after_opcode);
    case 0x05: case 0x34: // syscall, sysenter: #UD, the kernel does not enable them
        return site(SiteKind::Undefined, after_opcode);
    case 0x31: return site(SiteKind::TimeStamp, after_opcode);
    case 0xA2: return site(SiteKind::CpuIdentity, after_opcode);
    default: break;
    }
    if (opcode != 0x00 && opcode != 0x01 && opcode != 0xC7 && opcode != 0xAE) return {};
    if (after_opcode >= available) return {};
    ModRm const m = split(bytes[after_opcode]);
    usize const length = after_opcode + 1;
    switch (opcode) {
    case 0x00: // sldt str lldt ltr | verr verw | invalid
        if (m.reg <= 3) return site(SiteKind::Privileged, length);
        if (m.reg >= 6) return site(SiteKind::Undefined, length);
        return {};
    case 0x01:
        if (m.mod != 3) return site(SiteKind::Privileged, length); // sgdt sidt lgdt lidt smsw lmsw invlpg...
        if (m.raw == 0xD0) return {};                                 // xgetbv
        if (m.raw == 0xF9) {                                          // rdtscp
            SiteInstruction s = site(SiteKind::TimeStamp, length);
            s.is_rdtscp = true;
            return s;
        }
        if (m.raw == 0xD5 || m.raw == 0xD6 || m.raw == 0xE8 || m.raw == 0xEE || m.raw == 0xEF)
            return site(SiteKind::Undefined, length); // xend xtest serialize rdpkru wrpkru: not offered
        return site(SiteKind::Privileged, length);    // swapgs monitor mwait clac stac vm* xsetbv...
    case 0xC7: // rdrand, rdseed, rdpid: host randomness or host state
        if (m.mod == 3 && m.reg >= 6) return site(SiteKind::Undefined, length);
        return {};
    case 0xAE: // rdfsbase wrfsbase rdgsbase wrgsbase: the kernel does not enable them
        if (m.mod == 3 && repeat && m.reg <= 3) return site(SiteKind::Undefined, length);
        return {};
    default: return {};
    }
}

} // namespace

SiteInstruction classify_instruction(u8 const* bytes, usize available) {
    usize i = 0;
    bool lock = false;
    bool operand16 = false;
    bool repeat = false;
    while (i < available && (is_legacy_prefix(bytes[i]) || is_rex(bytes[i]))) {
        lock = lock || bytes[i] == 0xF0;
        operand16 = operand16 || bytes[i] == 0x66;
        repeat = repeat || bytes[i] == 0xF2 || bytes[i] == 0xF3;
        if (++i >= MaxInstructionLength) return site(SiteKind::Undefined, MaxInstructionLength);
    }
    if (i >= available) return {};
    u8 const first = bytes[i++];
    if (first != 0x0F) {
        if (lock) {
            if (i >= available) return {};
            if (!lock_is_legal(false, first, split(bytes[i]))) return site(SiteKind::Undefined, i);
            return {};
        }
        return classify_one_byte(first, i, operand16, repeat, bytes, available);
    }
    if (i >= available) return {};
    u8 const second = bytes[i++];
    if (second == 0x38 || second == 0x3A) {
        if (lock) return site(SiteKind::Undefined, i);
        if (i >= available) return {};
        u8 const third = bytes[i++];
        // invept, invvpid, invpcid
        if (second == 0x38 && operand16 && third >= 0x80 && third <= 0x82) return site(SiteKind::Privileged, i);
        return {};
    }
    if (lock) {
        if (i >= available) return {};
        if (!lock_is_legal(true, second, split(bytes[i]))) return site(SiteKind::Undefined, i);
        return {};
    }
    return classify_two_byte(second, i, repeat, bytes, available);
}

} // namespace grove::sim

#include <arch_x86_64/isa/instruction.hpp>

namespace grove::x86 {
namespace {

constexpr bool is_legacy_prefix(u8 c) {
    return c == 0xF0 || c == 0xF2 || c == 0xF3 || c == 0x66 || c == 0x67 || c == 0x2E || c == 0x36 || c == 0x3E ||
           c == 0x26 || c == 0x64 || c == 0x65;
}
constexpr bool is_rex(u8 c) { return (c & 0xF0) == 0x40; }

struct Prefixes {
    bool lock = false;
    bool operand16 = false;
    bool repeat = false;
    u8 rex = 0; // the last REX byte, 0 when none
};

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
// #UD on hardware (and several of those encodings abort Unicorn's translator).
bool lock_is_legal(bool two_byte, u8 opcode, ModRm m) {
    if (m.mod == 3) return false;
    if (!two_byte) {
        switch (opcode) {
        case 0x00:
        case 0x01:
        case 0x08:
        case 0x09:
        case 0x10:
        case 0x11:
        case 0x18:
        case 0x19:
        case 0x20:
        case 0x21:
        case 0x28:
        case 0x29:
        case 0x30:
        case 0x31:
        case 0x86:
        case 0x87: return true;
        case 0x80:
        case 0x81:
        case 0x83: return m.reg != 7; // every group-1 operation but cmp
        case 0xF6:
        case 0xF7: return m.reg == 2 || m.reg == 3; // not, neg
        case 0xFE:
        case 0xFF: return m.reg == 0 || m.reg == 1; // inc, dec
        default: return false;
        }
    }
    switch (opcode) {
    case 0xAB:
    case 0xB3:
    case 0xBB:
    case 0xB0:
    case 0xB1:
    case 0xC0:
    case 0xC1: return true;
    case 0xBA: return m.reg >= 5; // bts, btr, btc with an immediate
    case 0xC7: return m.reg == 1; // cmpxchg8b / cmpxchg16b
    default: return false;
    }
}

Instruction of(InstructionClass kind, usize length) {
    Instruction s;
    s.kind = kind;
    s.length = static_cast<u8>(length);
    return s;
}

u8 wide_operand_size(Prefixes p) { return (p.rex & 8) != 0 ? 8 : (p.operand16 ? 2 : 4); }
u8 stack_operand_size(Prefixes p) { return (p.rex & 8) == 0 && p.operand16 ? 2 : 8; } // push and pop: 64 or 16

Instruction port_io(InstructionClass kind, u8 opcode, usize length, Prefixes p) {
    Instruction s = of(kind, length);
    s.opcode = opcode;
    s.is_output = (opcode & 2) != 0;
    s.operand_size = (opcode & 1) == 0 ? 1 : (p.operand16 ? 2 : 4);
    s.repeat = p.repeat;
    return s;
}

Instruction one_byte(u8 opcode, usize after, Prefixes p, u8 const* bytes, usize available) {
    switch (opcode) {
    case 0xF4:
    case 0xFA:
    case 0xFB: // hlt; cli, sti (IOPL 0 < CPL 1)
        return of(InstructionClass::Privileged, after);
    case 0xCF: { // iret
        Instruction s = of(InstructionClass::InterruptReturn, after);
        s.operand_size = wide_operand_size(p);
        return s;
    }
    case 0x9D: { // popf
        Instruction s = of(InstructionClass::FlagsLoad, after);
        s.operand_size = stack_operand_size(p);
        return s;
    }
    case 0xCD: { // int imm8
        if (after >= available) return {};
        u8 const vector = bytes[after];
        if (gate_open_to_ring1(vector)) return {};
        Instruction s = of(InstructionClass::SoftwareInterrupt, after + 1);
        s.vector = vector;
        return s;
    }
    case 0xE4:
    case 0xE5:
    case 0xE6:
    case 0xE7: { // in / out with an immediate port
        if (after >= available) return {};
        Instruction s = port_io(InstructionClass::PortIo, opcode, after + 1, p);
        s.repeat = false;
        s.has_port_immediate = true;
        s.port_immediate = bytes[after];
        return s;
    }
    case 0xEC:
    case 0xED:
    case 0xEE:
    case 0xEF: { // in / out with the port in dx
        Instruction s = port_io(InstructionClass::PortIo, opcode, after, p);
        s.repeat = false;
        return s;
    }
    case 0x6C:
    case 0x6D:
    case 0x6E:
    case 0x6F: // ins / outs
        return port_io(InstructionClass::StringPortIo, opcode, after, p);
    case 0x8E: { // mov Sreg, r/m16
        if (after >= available) return {};
        ModRm const m = split(bytes[after]);
        if (m.reg == static_cast<u8>(SegmentRegister::Cs) || m.reg > static_cast<u8>(SegmentRegister::Gs))
            return of(InstructionClass::Undefined, after + 1);
        if (m.mod != 3) return {}; // a memory operand: Unicorn decides (DESIGN.md §6)
        Instruction s = of(InstructionClass::SegmentLoad, after + 1);
        s.segment = static_cast<SegmentRegister>(m.reg);
        s.source_register = static_cast<u8>(m.rm | ((p.rex & 1) << 3));
        return s;
    }
    case 0xFF: { // call far / jmp far through a register
        if (after >= available) return {};
        ModRm const m = split(bytes[after]);
        if (m.mod == 3 && (m.reg == 3 || m.reg == 5)) return of(InstructionClass::Undefined, after + 1);
        return {};
    }
    default: return {};
    }
}

// 0F 01 with a register operand (the ModRM byte `raw`, mod 3).
InstructionClass group7_register(u8 raw) {
    u8 const reg = (raw >> 3) & 7;
    if (reg == 4 || reg == 6) return InstructionClass::Privileged; // smsw (UMIP), lmsw
    if (raw == 0xF8) return InstructionClass::Privileged;          // swapgs
    // enclv vmcall vmlaunch vmresume vmxoff (not in VMX), monitor mwait (CPL > 0), clac stac (no SMAP), xgetbv
    // xsetbv (CR4.OSXSAVE clear), vmfunc xend xtest, the SVM group (EFER.SVME clear), rdpkru wrpkru (CR4.PKE
    // clear), rdtscp (not offered), monitorx mwaitx clzero rdpru, and the unassigned rows.
    return InstructionClass::Undefined;
}

Instruction two_byte(u8 opcode, usize after, Prefixes p, u8 const* bytes, usize available) {
    switch (opcode) {
    case 0x06:
    case 0x08:
    case 0x09:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x30:
    case 0x32:
    case 0x33:
        // clts invd wbinvd mov-cr mov-dr wrmsr rdmsr rdpmc (CR4.PCE clear)
        return of(InstructionClass::Privileged, after);
    case 0x05:
    case 0x07: // syscall, sysret: EFER.SCE clear
    case 0x34:
    case 0x35: // sysenter, sysexit: not in 64-bit mode on this CPU (AMD's rule, QEMU's model)
    case 0x37: // getsec: CR4.SMXE clear
    case 0x78:
    case 0x79: // vmread, vmwrite: outside VMX operation
    case 0xAA: // rsm: outside SMM
    case 0x24:
    case 0x26: // mov to or from test registers: gone in 64-bit mode
        return of(InstructionClass::Undefined, after);
    case 0x31: return of(InstructionClass::TimeStamp, after);
    case 0xA2: return of(InstructionClass::CpuIdentity, after);
    case 0xA1:
    case 0xA9: { // pop fs, pop gs
        Instruction s = of(InstructionClass::SegmentLoad, after);
        s.segment = opcode == 0xA1 ? SegmentRegister::Fs : SegmentRegister::Gs;
        s.from_stack = true;
        s.operand_size = stack_operand_size(p);
        return s;
    }
    default: break;
    }
    if (opcode != 0x00 && opcode != 0x01 && opcode != 0xC7 && opcode != 0xAE) return {};
    if (after >= available) return {};
    ModRm const m = split(bytes[after]);
    usize const length = after + 1;
    switch (opcode) {
    case 0x00: // sldt str (UMIP) lldt ltr | verr verw | #UD
        if (m.reg <= 3) return of(InstructionClass::Privileged, length);
        if (m.reg >= 6) return of(InstructionClass::Undefined, length);
        return {};
    case 0x01:
        if (m.mod == 3) return of(group7_register(m.raw), length);
        if (m.reg == 5) return of(InstructionClass::Undefined, length); // no memory form
        return of(InstructionClass::Privileged, length); // sgdt sidt (UMIP) lgdt lidt smsw (UMIP) lmsw invlpg
    case 0xC7: // rdrand, rdseed, rdpid: not offered (and host randomness or host state in Unicorn)
        if (m.mod == 3 && m.reg >= 6) return of(InstructionClass::Undefined, length);
        return {};
    case 0xAE: // rdfsbase wrfsbase rdgsbase wrgsbase: CR4.FSGSBASE clear
        if (m.mod == 3 && p.repeat && m.reg <= 3) return of(InstructionClass::Undefined, length);
        return {};
    default: return {};
    }
}

} // namespace

Instruction classify_instruction(u8 const* bytes, usize available) {
    usize i = 0;
    Prefixes p;
    while (i < available && (is_legacy_prefix(bytes[i]) || is_rex(bytes[i]))) {
        p.lock = p.lock || bytes[i] == 0xF0;
        p.operand16 = p.operand16 || bytes[i] == 0x66;
        p.repeat = p.repeat || bytes[i] == 0xF2 || bytes[i] == 0xF3;
        p.rex = is_rex(bytes[i]) ? bytes[i] : 0; // a REX byte counts only right before the opcode
        if (++i >= MaxInstructionLength) return of(InstructionClass::Undefined, MaxInstructionLength);
    }
    if (i >= available) return {};
    u8 const first = bytes[i++];
    if (first != 0x0F) {
        if (p.lock) {
            if (i >= available) return {};
            if (!lock_is_legal(false, first, split(bytes[i]))) return of(InstructionClass::Undefined, i);
            return {};
        }
        return one_byte(first, i, p, bytes, available);
    }
    if (i >= available) return {};
    u8 const second = bytes[i++];
    if (second == 0x38 || second == 0x3A) {
        if (p.lock) return of(InstructionClass::Undefined, i);
        if (i >= available) return {};
        u8 const third = bytes[i++];
        // invept, invvpid (outside VMX), invpcid (not offered)
        if (second == 0x38 && p.operand16 && third >= 0x80 && third <= 0x82) return of(InstructionClass::Undefined, i);
        return {};
    }
    if (p.lock) {
        if (i >= available) return {};
        if (!lock_is_legal(true, second, split(bytes[i]))) return of(InstructionClass::Undefined, i);
        return {};
    }
    return two_byte(second, i, p, bytes, available);
}

} // namespace grove::x86

#include <forge/x86_encoder.hpp>

namespace grove::forge::x86 {

namespace {

constexpr u8 low(Register r) { return static_cast<u8>(r) & 7; }
constexpr u8 number(Register r) { return static_cast<u8>(r); }

} // namespace

void Encoder::byte(u8 value) {
    if (m_size == m_capacity) {
        m_full = true;
        return;
    }
    m_buffer[m_size++] = value;
}

void Encoder::u32_le(u32 value) {
    for (int i = 0; i < 4; ++i) byte(static_cast<u8>(value >> (8 * i)));
}

// REX: 0100WR0B (no index register is ever used). Emitted when needed, or when `force` asks for it (byte access
// to spl, bpl, sil and dil).
void Encoder::rex(bool wide, u8 reg, u8 base, bool force) {
    u8 const value = static_cast<u8>(0x40 | (wide ? 8 : 0) | ((reg & 8) != 0 ? 4 : 0) | ((base & 8) != 0 ? 1 : 0));
    if (value != 0x40 || force) byte(value);
}

void Encoder::modrm_register(u8 reg, u8 rm) { byte(static_cast<u8>(0xc0 | ((reg & 7) << 3) | (rm & 7))); }

// [base + disp32]: mod 10; rsp and r12 (low bits 100) need a SIB byte with no index.
void Encoder::modrm_memory(u8 reg, Register base, i32 displacement) {
    byte(static_cast<u8>(0x80 | ((reg & 7) << 3) | low(base)));
    if (low(base) == 4) byte(0x24);
    u32_le(static_cast<u32>(displacement));
}

void Encoder::mov_immediate(Register destination, u64 value) {
    if (value <= 0xffff'ffffu) { // mov r32, imm32 zero-extends
        rex(false, 0, number(destination));
        byte(static_cast<u8>(0xb8 + low(destination)));
        u32_le(static_cast<u32>(value));
    } else if (static_cast<i64>(value) >= -0x8000'0000LL && static_cast<i64>(value) < 0) { // mov r/m64, imm32
        rex(true, 0, number(destination));
        byte(0xc7);
        modrm_register(0, number(destination));
        u32_le(static_cast<u32>(value));
    } else { // movabs r64, imm64
        rex(true, 0, number(destination));
        byte(static_cast<u8>(0xb8 + low(destination)));
        u32_le(static_cast<u32>(value));
        u32_le(static_cast<u32>(value >> 32));
    }
}

void Encoder::mov(Register destination, Register source) {
    rex(true, number(source), number(destination));
    byte(0x89);
    modrm_register(number(source), number(destination));
}

void Encoder::load(Register destination, Register base, i32 displacement) {
    rex(true, number(destination), number(base));
    byte(0x8b);
    modrm_memory(number(destination), base, displacement);
}

void Encoder::store(Register base, i32 displacement, Register source) {
    rex(true, number(source), number(base));
    byte(0x89);
    modrm_memory(number(source), base, displacement);
}

void Encoder::store_byte(Register base, i32 displacement, Register source) {
    bool const needs_rex = number(source) >= 4 && number(source) < 8;
    rex(false, number(source), number(base), needs_rex);
    byte(0x88);
    modrm_memory(number(source), base, displacement);
}

void Encoder::store_byte_immediate(Register base, i32 displacement, u8 value) {
    rex(false, 0, number(base));
    byte(0xc6);
    modrm_memory(0, base, displacement);
    byte(value);
}

void Encoder::push(Register r) {
    rex(false, 0, number(r));
    byte(static_cast<u8>(0x50 + low(r)));
}

void Encoder::pop(Register r) {
    rex(false, 0, number(r));
    byte(static_cast<u8>(0x58 + low(r)));
}

void Encoder::arithmetic(Arithmetic op, Register destination, Register source) {
    rex(true, number(source), number(destination));
    byte(static_cast<u8>((static_cast<u8>(op) << 3) | 0x01));
    modrm_register(number(source), number(destination));
}

void Encoder::arithmetic_immediate(Arithmetic op, Register destination, i32 value) {
    rex(true, 0, number(destination));
    if (value >= -128 && value <= 127) {
        byte(0x83);
        modrm_register(static_cast<u8>(op), number(destination));
        byte(static_cast<u8>(value));
    } else {
        byte(0x81);
        modrm_register(static_cast<u8>(op), number(destination));
        u32_le(static_cast<u32>(value));
    }
}

usize Encoder::arithmetic_immediate32(Arithmetic op, Register destination, i32 value) {
    rex(true, 0, number(destination));
    byte(0x81);
    modrm_register(static_cast<u8>(op), number(destination));
    usize const at = m_size;
    u32_le(static_cast<u32>(value));
    return at;
}

void Encoder::imul(Register destination, Register source) {
    rex(true, number(destination), number(source));
    byte(0x0f);
    byte(0xaf);
    modrm_register(number(destination), number(source));
}

void Encoder::test(Register a, Register b) {
    rex(true, number(b), number(a));
    byte(0x85);
    modrm_register(number(b), number(a));
}

void Encoder::cqo() {
    byte(0x48);
    byte(0x99);
}

void Encoder::idiv(Register divisor) {
    rex(true, 0, number(divisor));
    byte(0xf7);
    modrm_register(7, number(divisor));
}

void Encoder::div(Register divisor) {
    rex(true, 0, number(divisor));
    byte(0xf7);
    modrm_register(6, number(divisor));
}

void Encoder::neg(Register r) {
    rex(true, 0, number(r));
    byte(0xf7);
    modrm_register(3, number(r));
}

void Encoder::dec(Register r) {
    rex(true, 0, number(r));
    byte(0xff);
    modrm_register(1, number(r));
}

void Encoder::add_byte_immediate(Register r, u8 value) {
    rex(false, 0, number(r), number(r) >= 4 && number(r) < 8);
    byte(0x80);
    modrm_register(0, number(r));
    byte(value);
}

void Encoder::set(Condition condition, Register r) {
    rex(false, 0, number(r), number(r) >= 4 && number(r) < 8);
    byte(0x0f);
    byte(static_cast<u8>(0x90 | static_cast<u8>(condition)));
    modrm_register(0, number(r));
}

void Encoder::movzx_byte(Register destination, Register source) {
    rex(false, number(destination), number(source), number(source) >= 4 && number(source) < 8);
    byte(0x0f);
    byte(0xb6);
    modrm_register(number(destination), number(source));
}

void Encoder::interrupt(u8 vector) {
    byte(0xcd);
    byte(vector);
}

void Encoder::ret() { byte(0xc3); }

void Encoder::ud2() {
    byte(0x0f);
    byte(0x0b);
}

usize Encoder::jump(usize target) {
    byte(0xe9);
    usize const at = m_size;
    u32_le(0);
    patch(at, target);
    return at;
}

usize Encoder::jump_if(Condition condition, usize target) {
    byte(0x0f);
    byte(static_cast<u8>(0x80 | static_cast<u8>(condition)));
    usize const at = m_size;
    u32_le(0);
    patch(at, target);
    return at;
}

usize Encoder::call(usize target) {
    byte(0xe8);
    usize const at = m_size;
    u32_le(0);
    patch(at, target);
    return at;
}

void Encoder::patch(usize displacement_offset, usize target) {
    // rel32 counts from the end of the displacement, which ends every jump and call form used here.
    u32 const relative = static_cast<u32>(static_cast<u64>(target) - static_cast<u64>(displacement_offset + 4));
    patch_u32(displacement_offset, relative);
}

void Encoder::patch_u32(usize offset, u32 value) {
    if (offset + 4 > m_size) return; // the buffer filled up before it was written
    for (usize i = 0; i < 4; ++i) m_buffer[offset + i] = static_cast<u8>(value >> (8 * i));
}

} // namespace grove::forge::x86

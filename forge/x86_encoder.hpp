#pragma once
#include <forge/limits.hpp>

// An x86_64 instruction encoder: the instructions the code generator needs, written byte by byte into a fixed
// buffer (Intel SDM vol. 2: REX prefixes, ModR/M, SIB, displacements and immediates). Memory operands are
// [base + disp32] with any base register (SIB for rsp and r12, which need one). When the buffer is full the encoder
// writes nothing more and is_full() stays true: the caller reports the program as too large.
namespace grove::forge::x86 {

enum class Register : u8 { Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15 };

// The condition codes of Jcc and SETcc (the low nibble of their opcodes).
enum class Condition : u8 {
    Overflow = 0x0,
    Below = 0x2,
    AboveOrEqual = 0x3,
    Equal = 0x4,
    NotEqual = 0x5,
    BelowOrEqual = 0x6,
    Above = 0x7,
    Sign = 0x8,
    NotSign = 0x9,
    Less = 0xc,
    GreaterOrEqual = 0xd,
    LessOrEqual = 0xe,
    Greater = 0xf,
};

// The two-operand arithmetic group (opcode base, ModR/M extension for the immediate form).
enum class Arithmetic : u8 { Add = 0, Or = 1, And = 4, Subtract = 5, Xor = 6, Compare = 7 };

class Encoder {
public:
    Encoder(u8* buffer, usize capacity) : m_buffer(buffer), m_capacity(capacity) {}

    usize size() const { return m_size; }
    bool is_full() const { return m_full; }
    u8 const* data() const { return m_buffer; }

    void mov_immediate(Register destination, u64 value);                  // mov r64, imm (the shortest exact form)
    void mov(Register destination, Register source);                      // mov r64, r64
    void load(Register destination, Register base, i32 displacement);     // mov r64, [base + disp]
    void store(Register base, i32 displacement, Register source);         // mov [base + disp], r64
    void store_byte(Register base, i32 displacement, Register source);    // mov [base + disp], r8 (low byte)
    void store_byte_immediate(Register base, i32 displacement, u8 value); // mov byte [base + disp], imm8
    void push(Register r);
    void pop(Register r);
    void arithmetic(Arithmetic op, Register destination, Register source);     // op r64, r64
    void arithmetic_immediate(Arithmetic op, Register destination, i32 value); // op r64, imm8 or imm32
    // op r64, imm32 always in its 4-byte form; returns the offset of the immediate, for patch_u32().
    usize arithmetic_immediate32(Arithmetic op, Register destination, i32 value);
    void imul(Register destination, Register source); // imul r64, r64
    void test(Register a, Register b);                // test r64, r64
    void cqo();
    void idiv(Register divisor); // signed rdx:rax / r64
    void div(Register divisor);  // unsigned rdx:rax / r64
    void neg(Register r);
    void dec(Register r);
    void add_byte_immediate(Register r, u8 value);          // add r8, imm8 (low byte)
    void set(Condition condition, Register r);              // setcc r8 (low byte)
    void movzx_byte(Register destination, Register source); // movzx r32, r8: zero-extends into the whole r64
    void interrupt(u8 vector);
    void ret();
    void ud2();
    // Jumps and calls with a 32-bit displacement; each returns the offset of that displacement, for patch().
    usize jump(usize target = 0);
    usize jump_if(Condition condition, usize target = 0);
    usize call(usize target = 0);
    // Points the rel32 at `displacement_offset` to `target` (both offsets into this buffer).
    void patch(usize displacement_offset, usize target);
    // Overwrites 4 bytes at `offset` (an imm32 written earlier).
    void patch_u32(usize offset, u32 value);

private:
    void byte(u8 value);
    void u32_le(u32 value);
    void rex(bool wide, u8 reg, u8 base, bool force = false);
    void modrm_register(u8 reg, u8 rm);
    void modrm_memory(u8 reg, Register base, i32 displacement);

    u8* m_buffer;
    usize m_capacity;
    usize m_size = 0;
    bool m_full = false;
};

} // namespace grove::forge::x86

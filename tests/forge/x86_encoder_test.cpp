// The instruction encoder, byte for byte against the encodings of the Intel SDM, and every form read back by
// Capstone as the instruction it was meant to be.
#include <forge/x86_encoder.hpp>

#include <capstone/capstone.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace grove::forge::x86 {
namespace {

struct Case {
    std::function<void(Encoder&)> emit;
    std::vector<u8> bytes;
    std::string disassembly; // Capstone's Intel syntax
};

std::vector<u8> encode(std::function<void(Encoder&)> const& emit) {
    u8 buffer[32];
    Encoder e(buffer, sizeof buffer);
    emit(e);
    return std::vector<u8>(buffer, buffer + e.size());
}

std::string disassemble(std::vector<u8> const& bytes) {
    csh handle = 0;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) return "capstone failed";
    cs_insn* insn = nullptr;
    usize const count = cs_disasm(handle, bytes.data(), bytes.size(), 0x401000, 0, &insn);
    std::string text;
    usize consumed = 0;
    for (usize i = 0; i < count; ++i) {
        if (i > 0) text += "; ";
        text += std::string(insn[i].mnemonic) + (insn[i].op_str[0] != '\0' ? " " : "") + insn[i].op_str;
        consumed += insn[i].size;
    }
    if (consumed != bytes.size()) text += " <undecoded bytes>";
    cs_free(insn, count);
    cs_close(&handle);
    return text;
}

std::vector<Case> const& cases() {
    static std::vector<Case> const all = {
        {[](Encoder& e) { e.push(Register::Rbp); }, {0x55}, "push rbp"},
        {[](Encoder& e) { e.push(Register::R12); }, {0x41, 0x54}, "push r12"},
        {[](Encoder& e) { e.pop(Register::R15); }, {0x41, 0x5f}, "pop r15"},
        {[](Encoder& e) { e.mov(Register::Rbp, Register::Rsp); }, {0x48, 0x89, 0xe5}, "mov rbp, rsp"},
        {[](Encoder& e) { e.mov(Register::R8, Register::Rax); }, {0x49, 0x89, 0xc0}, "mov r8, rax"},
        {[](Encoder& e) { e.mov(Register::Rax, Register::R9); }, {0x4c, 0x89, 0xc8}, "mov rax, r9"},
        {[](Encoder& e) { e.mov_immediate(Register::Rax, 5); }, {0xb8, 5, 0, 0, 0}, "mov eax, 5"},
        {[](Encoder& e) { e.mov_immediate(Register::R9, 10); }, {0x41, 0xb9, 10, 0, 0, 0}, "mov r9d, 0xa"},
        {[](Encoder& e) { e.mov_immediate(Register::Rax, ~u64{0}); },
         {0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff},
         "mov rax, -1"},
        {[](Encoder& e) { e.mov_immediate(Register::Rcx, u64{1} << 63); },
         {0x48, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0x80},
         "movabs rcx, 0x8000000000000000"},
        {[](Encoder& e) { e.load(Register::Rax, Register::Rbp, -8); },
         {0x48, 0x8b, 0x85, 0xf8, 0xff, 0xff, 0xff},
         "mov rax, qword ptr [rbp - 8]"},
        {[](Encoder& e) { e.load(Register::Rax, Register::Rsp, 16); },
         {0x48, 0x8b, 0x84, 0x24, 0x10, 0, 0, 0},
         "mov rax, qword ptr [rsp + 0x10]"},
        {[](Encoder& e) { e.load(Register::Rcx, Register::R12, 0); },
         {0x49, 0x8b, 0x8c, 0x24, 0, 0, 0, 0},
         "mov rcx, qword ptr [r12]"},
        {[](Encoder& e) { e.load(Register::R10, Register::R13, 8); },
         {0x4d, 0x8b, 0x95, 8, 0, 0, 0},
         "mov r10, qword ptr [r13 + 8]"},
        {[](Encoder& e) { e.store(Register::Rbp, -16, Register::Rax); },
         {0x48, 0x89, 0x85, 0xf0, 0xff, 0xff, 0xff},
         "mov qword ptr [rbp - 0x10], rax"},
        {[](Encoder& e) { e.store_byte(Register::Rcx, 0, Register::Rdx); },
         {0x88, 0x91, 0, 0, 0, 0},
         "mov byte ptr [rcx], dl"},
        {[](Encoder& e) { e.store_byte(Register::Rcx, 0, Register::Rsi); },
         {0x40, 0x88, 0xb1, 0, 0, 0, 0},
         "mov byte ptr [rcx], sil"},
        {[](Encoder& e) { e.store_byte_immediate(Register::Rcx, 0, '\n'); },
         {0xc6, 0x81, 0, 0, 0, 0, 0x0a},
         "mov byte ptr [rcx], 0xa"},
        {[](Encoder& e) { e.arithmetic(Arithmetic::Add, Register::Rax, Register::Rcx); },
         {0x48, 0x01, 0xc8},
         "add rax, rcx"},
        {[](Encoder& e) { e.arithmetic(Arithmetic::Subtract, Register::Rsi, Register::Rcx); },
         {0x48, 0x29, 0xce},
         "sub rsi, rcx"},
        {[](Encoder& e) { e.arithmetic(Arithmetic::Compare, Register::Rax, Register::Rcx); },
         {0x48, 0x39, 0xc8},
         "cmp rax, rcx"},
        {[](Encoder& e) { e.arithmetic(Arithmetic::Xor, Register::Rdx, Register::Rdx); },
         {0x48, 0x31, 0xd2},
         "xor rdx, rdx"},
        {[](Encoder& e) { e.arithmetic_immediate(Arithmetic::Add, Register::Rsp, 16); },
         {0x48, 0x83, 0xc4, 0x10},
         "add rsp, 0x10"},
        {[](Encoder& e) { e.arithmetic_immediate(Arithmetic::Subtract, Register::Rsp, 0x1000); },
         {0x48, 0x81, 0xec, 0, 0x10, 0, 0},
         "sub rsp, 0x1000"},
        {[](Encoder& e) { e.arithmetic_immediate32(Arithmetic::Subtract, Register::Rsp, 16); },
         {0x48, 0x81, 0xec, 0x10, 0, 0, 0},
         "sub rsp, 0x10"},
        {[](Encoder& e) { e.imul(Register::Rax, Register::Rcx); }, {0x48, 0x0f, 0xaf, 0xc1}, "imul rax, rcx"},
        {[](Encoder& e) { e.test(Register::Rax, Register::Rax); }, {0x48, 0x85, 0xc0}, "test rax, rax"},
        {[](Encoder& e) { e.test(Register::R8, Register::R8); }, {0x4d, 0x85, 0xc0}, "test r8, r8"},
        {[](Encoder& e) { e.cqo(); }, {0x48, 0x99}, "cqo"},
        {[](Encoder& e) { e.idiv(Register::Rcx); }, {0x48, 0xf7, 0xf9}, "idiv rcx"},
        {[](Encoder& e) { e.div(Register::R9); }, {0x49, 0xf7, 0xf1}, "div r9"},
        {[](Encoder& e) { e.neg(Register::Rax); }, {0x48, 0xf7, 0xd8}, "neg rax"},
        {[](Encoder& e) { e.dec(Register::Rcx); }, {0x48, 0xff, 0xc9}, "dec rcx"},
        {[](Encoder& e) { e.add_byte_immediate(Register::Rdx, '0'); }, {0x80, 0xc2, 0x30}, "add dl, 0x30"},
        {[](Encoder& e) { e.add_byte_immediate(Register::Rsi, '0'); }, {0x40, 0x80, 0xc6, 0x30}, "add sil, 0x30"},
        {[](Encoder& e) { e.set(Condition::Less, Register::Rax); }, {0x0f, 0x9c, 0xc0}, "setl al"},
        {[](Encoder& e) { e.set(Condition::Equal, Register::Rdi); }, {0x40, 0x0f, 0x94, 0xc7}, "sete dil"},
        {[](Encoder& e) { e.movzx_byte(Register::Rax, Register::Rax); }, {0x0f, 0xb6, 0xc0}, "movzx eax, al"},
        {[](Encoder& e) { e.movzx_byte(Register::R8, Register::Rsi); }, {0x44, 0x0f, 0xb6, 0xc6}, "movzx r8d, sil"},
        {[](Encoder& e) { e.interrupt(0x80); }, {0xcd, 0x80}, "int 0x80"},
        {[](Encoder& e) { e.ret(); }, {0xc3}, "ret"},
        {[](Encoder& e) { e.ud2(); }, {0x0f, 0x0b}, "ud2"},
        {[](Encoder& e) { e.jump(0); }, {0xe9, 0xfb, 0xff, 0xff, 0xff}, "jmp 0x401000"},
        {[](Encoder& e) { e.call(0); }, {0xe8, 0xfb, 0xff, 0xff, 0xff}, "call 0x401000"},
        {[](Encoder& e) { e.jump_if(Condition::Equal, 0); }, {0x0f, 0x84, 0xfa, 0xff, 0xff, 0xff}, "je 0x401000"},
        {[](Encoder& e) { e.jump_if(Condition::NotSign, 16); }, {0x0f, 0x89, 0x0a, 0, 0, 0}, "jns 0x401010"},
    };
    return all;
}

TEST(Encoder, WritesTheSdmEncodingOfEveryForm) {
    for (Case const& c : cases()) EXPECT_EQ(encode(c.emit), c.bytes) << c.disassembly;
}

TEST(Encoder, EveryFormDisassemblesToTheInstructionMeant) {
    for (Case const& c : cases()) EXPECT_EQ(disassemble(encode(c.emit)), c.disassembly);
}

TEST(Encoder, PatchesAForwardJumpToItsTarget) {
    u8 buffer[32];
    Encoder e(buffer, sizeof buffer);
    usize const jump = e.jump_if(Condition::NotEqual);
    e.ret();
    e.patch(jump, e.size());
    e.ud2();
    EXPECT_EQ(disassemble(std::vector<u8>(buffer, buffer + e.size())), "jne 0x401007; ret; ud2");
}

TEST(Encoder, StopsWritingWhenFullAndSaysSo) {
    u8 buffer[8];
    Encoder e(buffer, sizeof buffer);
    e.mov_immediate(Register::Rax, u64{1} << 63); // 10 bytes
    EXPECT_TRUE(e.is_full());
    EXPECT_EQ(e.size(), 8u);
    usize const at = e.jump();
    e.patch(at, 0); // a displacement that was never written is not patched past the end
    EXPECT_EQ(e.size(), 8u);
}

} // namespace
} // namespace grove::forge::x86

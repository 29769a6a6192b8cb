#include <arch_x86_64/isa/instruction.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace grove;
using x86::InstructionClass;

namespace {

struct Row {
    char const* name;
    std::vector<std::uint8_t> bytes;
    InstructionClass expected;
};

x86::Instruction classify(std::vector<std::uint8_t> const& bytes) {
    return x86::classify_instruction(bytes.data(), bytes.size());
}

// Every privileged and invalid opcode the classifier knows, with the class the Intel SDM gives it at CPL 1 on the
// CPU both backends present (instruction.hpp). A row that changes is a change of what a grove may execute.
std::vector<Row> const Table = {
    // #GP(0): ring 0 only
    {"hlt", {0xF4}, InstructionClass::Privileged},
    {"cli", {0xFA}, InstructionClass::Privileged},
    {"sti", {0xFB}, InstructionClass::Privileged},
    {"clts", {0x0F, 0x06}, InstructionClass::Privileged},
    {"invd", {0x0F, 0x08}, InstructionClass::Privileged},
    {"wbinvd", {0x0F, 0x09}, InstructionClass::Privileged},
    {"mov_rax_cr0", {0x0F, 0x20, 0xC0}, InstructionClass::Privileged},
    {"mov_rax_dr7", {0x0F, 0x21, 0xF8}, InstructionClass::Privileged},
    {"mov_cr3_rax", {0x0F, 0x22, 0xD8}, InstructionClass::Privileged},
    {"mov_dr7_rax", {0x0F, 0x23, 0xF8}, InstructionClass::Privileged},
    {"wrmsr", {0x0F, 0x30}, InstructionClass::Privileged},
    {"rdmsr", {0x0F, 0x32}, InstructionClass::Privileged},
    {"rdpmc", {0x0F, 0x33}, InstructionClass::Privileged},
    {"sldt", {0x0F, 0x00, 0xC0}, InstructionClass::Privileged},
    {"str", {0x0F, 0x00, 0xC8}, InstructionClass::Privileged},
    {"lldt", {0x0F, 0x00, 0xD0}, InstructionClass::Privileged},
    {"ltr", {0x0F, 0x00, 0xD8}, InstructionClass::Privileged},
    {"sgdt", {0x0F, 0x01, 0x00}, InstructionClass::Privileged},
    {"sidt", {0x0F, 0x01, 0x08}, InstructionClass::Privileged},
    {"lgdt", {0x0F, 0x01, 0x10}, InstructionClass::Privileged},
    {"lidt", {0x0F, 0x01, 0x18}, InstructionClass::Privileged},
    {"smsw_memory", {0x0F, 0x01, 0x20}, InstructionClass::Privileged},
    {"lmsw_memory", {0x0F, 0x01, 0x30}, InstructionClass::Privileged},
    {"invlpg", {0x0F, 0x01, 0x38}, InstructionClass::Privileged},
    {"smsw_register", {0x0F, 0x01, 0xE0}, InstructionClass::Privileged},
    {"lmsw_register", {0x0F, 0x01, 0xF0}, InstructionClass::Privileged},
    {"swapgs", {0x0F, 0x01, 0xF8}, InstructionClass::Privileged},
    {"hlt_after_prefixes", {0x66, 0x2E, 0xF4}, InstructionClass::Privileged},
    // #UD
    {"syscall", {0x0F, 0x05}, InstructionClass::Undefined},
    {"sysret", {0x0F, 0x07}, InstructionClass::Undefined},
    {"sysenter", {0x0F, 0x34}, InstructionClass::Undefined},
    {"sysexit", {0x0F, 0x35}, InstructionClass::Undefined},
    {"getsec", {0x0F, 0x37}, InstructionClass::Undefined},
    {"vmread", {0x0F, 0x78, 0xC3}, InstructionClass::Undefined},
    {"vmwrite", {0x0F, 0x79, 0xD8}, InstructionClass::Undefined},
    {"rsm", {0x0F, 0xAA}, InstructionClass::Undefined},
    {"mov_test_register", {0x0F, 0x24, 0xC0}, InstructionClass::Undefined},
    {"group6_invalid", {0x0F, 0x00, 0xF0}, InstructionClass::Undefined},
    {"group7_memory_5", {0x0F, 0x01, 0x28}, InstructionClass::Undefined},
    {"vmcall", {0x0F, 0x01, 0xC1}, InstructionClass::Undefined},
    {"vmlaunch", {0x0F, 0x01, 0xC2}, InstructionClass::Undefined},
    {"vmxoff", {0x0F, 0x01, 0xC4}, InstructionClass::Undefined},
    {"monitor", {0x0F, 0x01, 0xC8}, InstructionClass::Undefined},
    {"mwait", {0x0F, 0x01, 0xC9}, InstructionClass::Undefined},
    {"clac", {0x0F, 0x01, 0xCA}, InstructionClass::Undefined},
    {"stac", {0x0F, 0x01, 0xCB}, InstructionClass::Undefined},
    {"xgetbv", {0x0F, 0x01, 0xD0}, InstructionClass::Undefined},
    {"xsetbv", {0x0F, 0x01, 0xD1}, InstructionClass::Undefined},
    {"vmrun", {0x0F, 0x01, 0xD8}, InstructionClass::Undefined},
    {"rdpkru", {0x0F, 0x01, 0xEE}, InstructionClass::Undefined},
    {"rdtscp", {0x0F, 0x01, 0xF9}, InstructionClass::Undefined},
    {"rdrand", {0x0F, 0xC7, 0xF0}, InstructionClass::Undefined},
    {"rdseed", {0x0F, 0xC7, 0xF8}, InstructionClass::Undefined},
    {"wrfsbase", {0xF3, 0x48, 0x0F, 0xAE, 0xD0}, InstructionClass::Undefined},
    {"invept", {0x66, 0x0F, 0x38, 0x80, 0x00}, InstructionClass::Undefined},
    {"invpcid", {0x66, 0x0F, 0x38, 0x82, 0x00}, InstructionClass::Undefined},
    {"call_far_register", {0xFF, 0xD8}, InstructionClass::Undefined},
    {"jmp_far_register", {0xFF, 0xE8}, InstructionClass::Undefined},
    {"mov_to_cs", {0x8E, 0xC8}, InstructionClass::Undefined},
    {"mov_to_segment_7", {0x8E, 0xF8}, InstructionClass::Undefined},
    {"lock_register_add", {0xF0, 0x01, 0xC0}, InstructionClass::Undefined},
    {"lock_cmp", {0xF0, 0x38, 0x00}, InstructionClass::Undefined},
    {"lock_cmpsb", {0xF0, 0xA6, 0x90}, InstructionClass::Undefined},
    {"lock_bts_register", {0xF0, 0x0F, 0xAB, 0xC0}, InstructionClass::Undefined},
    {"fifteen_prefixes", std::vector<std::uint8_t>(15, 0x66), InstructionClass::Undefined},
    // allowed, with a decision of the backend
    {"int_0x00", {0xCD, 0x00}, InstructionClass::SoftwareInterrupt},
    {"int_0x0d", {0xCD, 0x0D}, InstructionClass::SoftwareInterrupt},
    {"int_0x21", {0xCD, 0x21}, InstructionClass::SoftwareInterrupt},
    {"iretq", {0x48, 0xCF}, InstructionClass::InterruptReturn},
    {"popfq", {0x9D}, InstructionClass::FlagsLoad},
    {"mov_fs_eax", {0x8E, 0xE0}, InstructionClass::SegmentLoad},
    {"pop_fs", {0x0F, 0xA1}, InstructionClass::SegmentLoad},
    {"pop_gs", {0x0F, 0xA9}, InstructionClass::SegmentLoad},
    {"in_imm", {0xE4, 0x60}, InstructionClass::PortIo},
    {"out_dx", {0xEE}, InstructionClass::PortIo},
    {"rep_outsb", {0xF3, 0x6E}, InstructionClass::StringPortIo},
    {"rdtsc", {0x0F, 0x31}, InstructionClass::TimeStamp},
    {"cpuid", {0x0F, 0xA2}, InstructionClass::CpuIdentity},
    // ordinary
    {"int3", {0xCC}, InstructionClass::Ordinary},
    {"int_0x03", {0xCD, 0x03}, InstructionClass::Ordinary},
    {"int_0x80", {0xCD, 0x80}, InstructionClass::Ordinary},
    {"verr", {0x0F, 0x00, 0xE0}, InstructionClass::Ordinary},
    {"lock_inc_memory", {0xF0, 0x48, 0xFF, 0x00}, InstructionClass::Ordinary},
    {"mov_fs_memory", {0x8E, 0x20}, InstructionClass::Ordinary},
    {"ud2", {0x0F, 0x0B}, InstructionClass::Ordinary},
    {"nop", {0x90}, InstructionClass::Ordinary},
    {"truncated_int", {0xCD}, InstructionClass::Ordinary},
};

std::string row_name(::testing::TestParamInfo<Row> const& info) { return info.param.name; }

class InstructionTable : public ::testing::TestWithParam<Row> {};

TEST_P(InstructionTable, ClassifiesAsTheSdmSays) {
    Row const& row = GetParam();
    EXPECT_EQ(x86::instruction_class_name(classify(row.bytes).kind),
              std::string(x86::instruction_class_name(row.expected)));
}

INSTANTIATE_TEST_SUITE_P(Instruction, InstructionTable, ::testing::ValuesIn(Table), row_name);

TEST(Instruction, SitesCarryTheirLengthAndOperands) {
    x86::Instruction in = classify({0x66, 0xE5, 0x71}); // in ax, 0x71
    EXPECT_EQ(in.length, 3);
    EXPECT_TRUE(in.has_port_immediate);
    EXPECT_EQ(in.port_immediate, 0x71);
    EXPECT_EQ(in.operand_size, 2);
    EXPECT_FALSE(in.is_output);
    x86::Instruction outs = classify({0xF3, 0x6F}); // rep outsd
    EXPECT_TRUE(outs.repeat);
    EXPECT_TRUE(outs.is_output);
    EXPECT_EQ(outs.operand_size, 4);
    x86::Instruction interrupt = classify({0xCD, 0x0E});
    EXPECT_EQ(interrupt.vector, 0x0E);
    EXPECT_EQ(interrupt.length, 2);
    x86::Instruction mov = classify({0x41, 0x8E, 0xE3}); // mov fs, r11w
    EXPECT_EQ(mov.segment, x86::SegmentRegister::Fs);
    EXPECT_EQ(mov.source_register, 11);
    EXPECT_EQ(mov.length, 3);
    EXPECT_EQ(classify({0x48, 0xCF}).operand_size, 8);
    EXPECT_EQ(classify({0xCF}).operand_size, 4);
    EXPECT_EQ(classify({0x66, 0x9D}).operand_size, 2);
    EXPECT_EQ(classify({0x0F, 0xA9}).operand_size, 8);
}

// A REX byte counts only right before the opcode (otherwise it is ignored), as the CPU decodes it.
TEST(Instruction, RexOnlyBeforeTheOpcode) { EXPECT_EQ(classify({0x41, 0x66, 0x8E, 0xE3}).source_register, 3); }

} // namespace

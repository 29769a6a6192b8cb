#include <sim/backend/disassembler.hpp>

#include <core/base/assert.hpp>

#include <capstone/capstone.h>

#include <cstring>

namespace grove::sim {

Disassembler::Disassembler() {
    csh handle = 0;
    GROVE_ASSERT(cs_open(CS_ARCH_X86, CS_MODE_64, &handle) == CS_ERR_OK);
    m_handle = handle;
    m_instruction = cs_malloc(handle);
    GROVE_ASSERT(m_instruction != nullptr);
}

Disassembler::~Disassembler() {
    cs_free(m_instruction, 1);
    csh handle = m_handle;
    cs_close(&handle);
}

u32 Disassembler::count_instructions(u8 const* bytes, usize length, u64 address, u64 stop_at) {
    u32 count = 0;
    u8 const* code = bytes;
    std::size_t size = length;
    u64 pc = address;
    while (size > 0 && pc < stop_at) {
        if (!cs_disasm_iter(m_handle, &code, &size, &pc, m_instruction)) {
            ++code;
            --size;
            ++pc;
        }
        ++count;
    }
    return count;
}

InstructionText Disassembler::describe(u8 const* bytes, usize available, u64 address) {
    InstructionText text;
    text.address = address;
    usize const readable = available < sizeof text.bytes ? available : sizeof text.bytes;
    std::memcpy(text.bytes, bytes, readable);
    text.length = static_cast<u8>(readable);
    std::strncpy(text.mnemonic, "(bad)", sizeof text.mnemonic - 1);
    u8 const* code = bytes;
    std::size_t size = readable;
    u64 pc = address;
    if (readable == 0 || !cs_disasm_iter(m_handle, &code, &size, &pc, m_instruction)) return text;
    text.decoded = true;
    text.length = static_cast<u8>(m_instruction->size);
    std::strncpy(text.mnemonic, m_instruction->mnemonic, sizeof text.mnemonic - 1);
    std::strncpy(text.operands, m_instruction->op_str, sizeof text.operands - 1);
    return text;
}

} // namespace grove::sim

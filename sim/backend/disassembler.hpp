#pragma once
#include <core/base/std.hpp>
#include <sim/backend/crash_report.hpp>

#include <cstddef>

struct cs_insn;

namespace grove::sim {

// One Capstone x86_64 decoder and its instruction buffer. Owns both; not copyable. Used to count the instructions
// of translated blocks (virtual time) and to describe crash sites. Capstone's failures never abort: bytes it
// cannot decode count as one instruction each, which keeps counting deterministic.
class Disassembler {
public:
    Disassembler();
    ~Disassembler();
    Disassembler(Disassembler const&) = delete;
    Disassembler& operator=(Disassembler const&) = delete;

    // Instructions that start in [address, address + length) when decoding from `address`; `stop_at` ends the
    // count early: only instructions starting before it are counted.
    u32 count_instructions(u8 const* bytes, usize length, u64 address, u64 stop_at = ~u64{0});

    // The instruction at `address` from the `available` bytes readable there (available may be 0).
    InstructionText describe(u8 const* bytes, usize available, u64 address);

private:
    std::size_t m_handle = 0; // Capstone's csh
    cs_insn* m_instruction = nullptr;
};

} // namespace grove::sim

#pragma once
#include <core/base/std.hpp>

namespace grove::sim {

// The instruction at a crash site, as a person reads it: address, raw bytes, and Capstone's text. `decoded` is
// false when the bytes are not an instruction Capstone knows (then mnemonic is "(bad)") or could not be read.
struct InstructionText {
    u64 address = 0;
    u8 bytes[15]{};
    u8 length = 0; // bytes of the instruction, or bytes that could be read when not decoded
    bool decoded = false;
    char mnemonic[32]{};
    char operands[160]{};
};

// The registers of a thread at a crash, for the crash event.
struct RegisterSnapshot {
    u64 rip = 0, rsp = 0, rbp = 0, rax = 0, rbx = 0, rcx = 0, rdx = 0, rsi = 0, rdi = 0;
    u64 r8 = 0, r9 = 0, r10 = 0, r11 = 0, r12 = 0, r13 = 0, r14 = 0, r15 = 0;
    u64 rflags = 0;
    bool operator==(RegisterSnapshot const&) const = default;
};

} // namespace grove::sim

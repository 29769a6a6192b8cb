#pragma once
#include <sim/backend/crash_report.hpp>

#include <unicorn/unicorn.h>

namespace grove::sim {

// Fills a RegisterSnapshot from `read(UC_X86_REG_...)`, whichever place holds the registers (an engine or a
// saved context).
template<typename Read>
RegisterSnapshot snapshot_registers(Read&& read) {
    RegisterSnapshot s;
    s.rip = read(UC_X86_REG_RIP);
    s.rsp = read(UC_X86_REG_RSP);
    s.rbp = read(UC_X86_REG_RBP);
    s.rax = read(UC_X86_REG_RAX);
    s.rbx = read(UC_X86_REG_RBX);
    s.rcx = read(UC_X86_REG_RCX);
    s.rdx = read(UC_X86_REG_RDX);
    s.rsi = read(UC_X86_REG_RSI);
    s.rdi = read(UC_X86_REG_RDI);
    s.r8 = read(UC_X86_REG_R8);
    s.r9 = read(UC_X86_REG_R9);
    s.r10 = read(UC_X86_REG_R10);
    s.r11 = read(UC_X86_REG_R11);
    s.r12 = read(UC_X86_REG_R12);
    s.r13 = read(UC_X86_REG_R13);
    s.r14 = read(UC_X86_REG_R14);
    s.r15 = read(UC_X86_REG_R15);
    s.rflags = read(UC_X86_REG_RFLAGS);
    return s;
}

} // namespace grove::sim

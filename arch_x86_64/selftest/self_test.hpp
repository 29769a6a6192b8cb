#pragma once
#include <arch_x86_64/metal_arch.hpp>

namespace grove::metal {

// The boot self-test of the platform, run by kernel_main until the core's Kernel drives MetalArch: runs the
// ring-1 program of selftest/ring1_program.S once per case, each in a fresh address space, and checks the trap
// each case ends with (kind, pc, fault address and access), serving ConsoleWrite, Clock and Exit syscalls itself.
// Prints one line per case on the serial console ("selftest <case>: ... ok" or "... FAILED: why") and checks
// that every frame comes back once the case's space is destroyed.
class SelfTest {
public:
    explicit SelfTest(MetalArch& arch) : m_arch(arch) {}
    // True when every case passed.
    bool run();

private:
    struct Case;
    bool run_case(Case const& test, u32 index);
    // MetalArch::idle_until: the kernel halts for 1 ms of virtual time and wakes on the timer.
    bool idle();

    MetalArch& m_arch;
};

} // namespace grove::metal

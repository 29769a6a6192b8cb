#pragma once
#include <core/base/std.hpp>

namespace grove::metal {

// The local APIC's timer, one-shot, for preemption. Time itself is the TSC (MetalArch::now); the timer is
// calibrated against it once at boot, so a deadline in TSC counts becomes a timer count by one multiplication.
// Under QEMU with -icount both run on the virtual clock and the ratio comes out at (almost exactly) one.
// Owns the APIC registers (identity mapped at the address in IA32_APIC_BASE); used with interrupts disabled.
class LocalApic {
public:
    // Enables the APIC (spurious vector), takes the 8259 PIC pair's output on LINT0 as ExtINT (platform/pic.hpp)
    // and calibrates the timer.
    void init();
    // One timer interrupt (VECTOR_TIMER) after about `tsc_counts` TSC counts, replacing any earlier one.
    // Inline, as disarm() and end_of_interrupt(): every trap from ring 1 runs them.
    void arm(u64 tsc_counts) {
        __extension__ typedef unsigned __int128 Wide;
        Wide const product = static_cast<Wide>(tsc_counts) * m_timer_per_tsc_q32;
        u64 count = static_cast<u64>(product >> 32);
        if (count == 0) count = 1;
        if (count > 0xffff'ffffull) count = 0xffff'ffffull;
        write(InitialCount, static_cast<u32>(count));
    }
    void disarm() { write(InitialCount, 0); }
    void end_of_interrupt() { write(EndOfInterrupt, 0); }
    // Timer counts per 2^32 TSC counts, as measured at boot.
    u64 timer_per_tsc_q32() const { return m_timer_per_tsc_q32; }

private:
    static constexpr u32 EndOfInterrupt = 0xb0, InitialCount = 0x380;

    u32 read(u32 reg) const { return *reinterpret_cast<u32 volatile*>(m_base + reg); }
    void write(u32 reg, u32 value) { *reinterpret_cast<u32 volatile*>(m_base + reg) = value; }

    u64 m_base = 0;
    u64 m_timer_per_tsc_q32 = u64{1} << 32;
};

} // namespace grove::metal

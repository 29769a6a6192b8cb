#include <arch_x86_64/platform/local_apic.hpp>

#include <arch_x86_64/boot/boot_constants.hpp>
#include <arch_x86_64/platform/cpu.hpp>

namespace grove::metal {

namespace {
constexpr u32 ApicBaseMsr = 0x1b;
constexpr u32 SpuriousVector = 0xf0, LvtTimer = 0x320, LvtLint0 = 0x350, CurrentCount = 0x390,
              DivideConfiguration = 0x3e0;
constexpr u32 ApicEnable = 1u << 8, Masked = 1u << 16, DivideByOne = 0xb, ExtInt = 0x700;
constexpr u32 CalibrationCount = 1u << 20;
} // namespace

void LocalApic::init() {
    m_base = cpu::read_msr(ApicBaseMsr) & 0xffff'f000ull;
    write(SpuriousVector, ApicEnable | VECTOR_SPURIOUS);
    write(LvtLint0, ExtInt); // the 8259 PIC pair's output (platform/pic.hpp), its vector from the PIC
    write(DivideConfiguration, DivideByOne);

    // Calibration: how many TSC counts pass while the (masked) timer counts down CalibrationCount.
    write(LvtTimer, Masked | VECTOR_TIMER);
    u64 const start = cpu::read_tsc();
    write(InitialCount, CalibrationCount);
    while (read(CurrentCount) != 0) {}
    u64 const elapsed = cpu::read_tsc() - start;
    write(InitialCount, 0);
    if (elapsed != 0) m_timer_per_tsc_q32 = (u64{CalibrationCount} << 32) / elapsed;
    write(LvtTimer, VECTOR_TIMER); // one-shot, unmasked
}

} // namespace grove::metal

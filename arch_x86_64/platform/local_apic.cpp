#include <arch_x86_64/platform/local_apic.hpp>

#include <arch_x86_64/boot/boot_constants.hpp>
#include <arch_x86_64/platform/cpu.hpp>

namespace grove::metal {

namespace {
constexpr u32 ApicBaseMsr = 0x1b;
constexpr u32 SpuriousVector = 0xf0, LvtTimer = 0x320, CurrentCount = 0x390, DivideConfiguration = 0x3e0;
constexpr u32 ApicEnable = 1u << 8, Masked = 1u << 16, DivideByOne = 0xb;
constexpr u32 CalibrationCount = 1u << 20;

// The 8259 PICs: moved to vectors 0x20..0x2f (away from the exceptions) and fully masked.
void disable_legacy_pic() {
    constexpr u16 Master = 0x20, Slave = 0xa0;
    cpu::out8(Master, 0x11);
    cpu::out8(Slave, 0x11);
    cpu::out8(Master + 1, 0x20);
    cpu::out8(Slave + 1, 0x28);
    cpu::out8(Master + 1, 0x04);
    cpu::out8(Slave + 1, 0x02);
    cpu::out8(Master + 1, 0x01);
    cpu::out8(Slave + 1, 0x01);
    cpu::out8(Master + 1, 0xff);
    cpu::out8(Slave + 1, 0xff);
}
} // namespace

void LocalApic::init() {
    disable_legacy_pic();
    m_base = cpu::read_msr(ApicBaseMsr) & 0xffff'f000ull;
    write(SpuriousVector, ApicEnable | VECTOR_SPURIOUS);
    write(DivideConfiguration, DivideByOne);

    // Calibration: how many TSC counts pass while the (masked) timer counts down CalibrationCount.
    write(LvtTimer, Masked | VECTOR_TIMER);
    u64 const start = cpu::read_tsc();
    write(InitialCount, CalibrationCount);
    while (read(CurrentCount) != 0) {
    }
    u64 const elapsed = cpu::read_tsc() - start;
    write(InitialCount, 0);
    if (elapsed != 0) m_timer_per_tsc_q32 = (u64{CalibrationCount} << 32) / elapsed;
    write(LvtTimer, VECTOR_TIMER); // one-shot, unmasked
}

} // namespace grove::metal

#include <arch_x86_64/platform/pic.hpp>

#include <arch_x86_64/platform/cpu.hpp>

namespace grove::metal {

namespace {

constexpr u16 MasterCommand = 0x20, MasterData = 0x21, SlaveCommand = 0xa0, SlaveData = 0xa1;
constexpr u8 Icw1Init = 0x11;       // ICW1: initialisation, edge-triggered, cascaded, ICW4 follows
constexpr u8 Icw4Mode8086 = 0x01;   // ICW4: 8086 mode, normal (not automatic) end of interrupt
constexpr u8 ReadInService = 0x0b;  // OCW3: the next read of the command port returns the ISR
constexpr u8 EndOfInterrupt = 0x20; // OCW2: non-specific end of interrupt
constexpr u8 SpuriousLine = 7;      // of each chip: where it reports a request that went away

// The mask each chip holds (the kernel's masks, the cascade always clear), bit n for line n.
u16 s_masked = 0xffff;
u16 s_fired = 0;
u64 s_spurious = 0;

u16 chip_mask(u16 masked) { return static_cast<u16>(masked & ~(1u << Pic::Cascade)); }

void write_masks() {
    u16 const mask = chip_mask(s_masked);
    cpu::out8(MasterData, static_cast<u8>(mask));
    cpu::out8(SlaveData, static_cast<u8>(mask >> 8));
}

bool in_service(u16 command, u8 line) {
    cpu::out8(command, ReadInService);
    return (cpu::in8(command) & (1u << line)) != 0;
}

} // namespace

void Pic::init() {
    cpu::out8(MasterCommand, Icw1Init);
    cpu::out8(SlaveCommand, Icw1Init);
    cpu::out8(MasterData, VectorBase);    // ICW2: the master's vectors
    cpu::out8(SlaveData, VectorBase + 8); // ICW2: the slave's
    cpu::out8(MasterData, 1u << Cascade); // ICW3: the slave hangs on the master's line 2
    cpu::out8(SlaveData, Cascade);        // ICW3: the slave's cascade identity
    cpu::out8(MasterData, Icw4Mode8086);
    cpu::out8(SlaveData, Icw4Mode8086);
    s_masked = 0xffff;
    s_fired = 0;
    write_masks();
}

void Pic::set_masked(u8 line, bool masked) {
    if (line >= abi::IrqLines) return;
    u16 const bit = static_cast<u16>(1u << line);
    u16 const before = chip_mask(s_masked);
    s_masked = masked ? static_cast<u16>(s_masked | bit) : static_cast<u16>(s_masked & ~bit);
    u16 const after = chip_mask(s_masked);
    if ((before ^ after) & 0x00ff) cpu::out8(MasterData, static_cast<u8>(after));
    if ((before ^ after) & 0xff00) cpu::out8(SlaveData, static_cast<u8>(after >> 8));
}

bool Pic::enter(u64 vector) {
    u8 const line = static_cast<u8>(vector - VectorBase);
    bool const slave = line >= 8;
    if ((line & 7) == SpuriousLine && !in_service(slave ? SlaveCommand : MasterCommand, SpuriousLine)) {
        if (slave) cpu::out8(MasterCommand, EndOfInterrupt); // the master did see the cascade's request
        ++s_spurious;
        return false;
    }
    set_masked(line, true);
    if (slave) cpu::out8(SlaveCommand, EndOfInterrupt);
    cpu::out8(MasterCommand, EndOfInterrupt);
    s_fired = static_cast<u16>(s_fired | (1u << line));
    return true;
}

u16 Pic::take_fired() {
    u16 const fired = s_fired;
    s_fired = 0;
    return fired;
}

bool Pic::has_fired() { return s_fired != 0; }

u64 Pic::spurious() { return s_spurious; }

} // namespace grove::metal

// From the trampoline: a line's interrupt that woke the kernel while it idled (MetalArch::idle_until).
extern "C" void metal_idle_interrupt(grove::u64 vector) { (void)grove::metal::Pic::enter(vector); }

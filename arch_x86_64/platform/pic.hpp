#pragma once
#include <arch_x86_64/boot/boot_constants.hpp>
#include <core/abi/syscall.hpp>
#include <core/base/std.hpp>

namespace grove::metal {

// The 8259 PIC pair, the interrupt controller of the 16 legacy lines on metal (core/abi/syscall.hpp,
// "Interrupts"; the simulator's counterpart is sim/devices/interrupt_controller.hpp). The master (ports 0x20, 0x21)
// serves lines 0-7, the slave (0xa0, 0xa1) lines 8-15 through the master's line 2, the cascade. init() remaps them to
// vectors VectorBase .. VectorBase + 15, away from the exception vectors 0-31, edge-triggered, and masks every line
// but the cascade (so line 2 never fires: on a PC a device wired to IRQ 2 comes in as IRQ 9). Their output reaches
// the CPU through the local APIC's LINT0 as ExtINT (LocalApic::init), beside the APIC timer on its own vector.
//
// The interrupt entry: a line's vector from ring 1 (MetalArch::resume, the first thing it does once the trampoline
// hands the trap back) or from ring 0 while the kernel idles (the trampoline calls metal_idle_interrupt) goes to
// enter(), which masks the line before anything else runs, sends the end of interrupt and records the line as fired,
// for MetalArch::take_interrupts and so for Kernel::on_interrupts, the one path of delivery on every backend. The line
// stays masked until the kernel unmasks it (IrqAck, set_masked); a request meanwhile is latched in the 8259's IRR
// and fires at the unmask. A spurious IRQ 7 or 15 (the chip's in-service bit clear: the request went away before the
// CPU acknowledged it) masks nothing and fires nothing; a spurious 15 still ends the cascade's interrupt on the
// master. Ring 0 only, interrupts disabled.
class Pic {
public:
    static constexpr u8 VectorBase = VECTOR_PIC_BASE;
    static constexpr u8 Cascade = 2;

    static void init();
    // Masks or unmasks `line` (below abi::IrqLines; others are ignored). The cascade stays unmasked in the chip.
    static void set_masked(u8 line, bool masked);
    static bool is_line_vector(u64 vector) { return vector >= VectorBase && vector < VectorBase + abi::IrqLines; }
    // The entry of an interrupt on `vector` (is_line_vector): true when its line fired (masked now), false for a
    // spurious one.
    static bool enter(u64 vector);
    // The lines that fired since the last call, bit n for line n.
    static u16 take_fired();
    static bool has_fired();
    // The spurious interrupts seen so far (IRQ 7 and 15 without their in-service bit).
    static u64 spurious();
};

} // namespace grove::metal

#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/units.hpp>

namespace grove::sim {

// The simulated machine's interrupt controller: the 16 legacy lines of a pair of 8259 PICs, edge-triggered, as the
// kernel uses them (core/abi/syscall.hpp, "Interrupts"). Every line starts masked. A request on a line is latched
// (the 8259's IRR); a latched line that is unmasked fires: the controller masks it at once and keeps it for the
// machine loop (take), which hands it to the kernel. So an interrupt raised while its line is masked is never lost:
// it fires at the unmask. Plain state, no time: the devices raise lines at their virtual times.
class InterruptController {
public:
    static constexpr u16 AllLines = static_cast<u16>((1u << abi::IrqLines) - 1);

    void raise(u8 line) {
        if (line >= abi::IrqLines) return;
        m_latched = static_cast<u16>(m_latched | (1u << line));
        ++m_raised;
        fire_unmasked();
    }
    void set_masked(u8 line, bool masked) {
        if (line >= abi::IrqLines) return;
        u16 const bit = static_cast<u16>(1u << line);
        m_masked = masked ? static_cast<u16>(m_masked | bit) : static_cast<u16>(m_masked & ~bit);
        fire_unmasked();
    }
    // The lines that fired since the last take (each masked now).
    u16 take() {
        u16 const fired = m_fired;
        m_fired = 0;
        return fired;
    }
    bool has_fired() const { return m_fired != 0; }
    bool is_masked(u8 line) const { return line < abi::IrqLines && (m_masked & (1u << line)) != 0; }
    // Requests latched on masked lines, waiting for an unmask; and every request over the run.
    u16 latched() const { return m_latched; }
    u64 raised() const { return m_raised; }

private:
    void fire_unmasked() {
        u16 const firing = static_cast<u16>(m_latched & ~m_masked);
        if (firing == 0) return;
        m_fired = static_cast<u16>(m_fired | firing);
        m_masked = static_cast<u16>(m_masked | firing);
        m_latched = static_cast<u16>(m_latched & ~firing);
    }

    u16 m_masked = AllLines;
    u16 m_latched = 0;
    u16 m_fired = 0;
    u64 m_raised = 0;
};

} // namespace grove::sim

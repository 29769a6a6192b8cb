#pragma once
#include <arch_x86_64/isa/bochs_display.hpp>
#include <sim/devices/device.hpp>

#include <array>
#include <optional>
#include <vector>

namespace grove::sim {

// The std VGA's Bochs display interface and linear framebuffer (the model of QEMU's `-vga std` on q35; the
// registers, ports and address are arch_x86_64/isa/bochs_display.hpp's): ports 0x1CE-0x1D0 and 16 MiB of
// framebuffer at x86::bochs::FramebufferBase. Id reads IdLatest, VideoMemory64K the framebuffer's size; the other
// registers read what was written. Switching the display on (Enable with EnableOn, from off) sets VirtWidth to XRes
// and the offsets to 0, and clears the picture's lines unless EnableNoClear is given, as QEMU does. Bpp other than
// 8, 15, 16, 24 or 32 becomes 8, as QEMU's fixup does. The framebuffer holds what was written (zeros at power on,
// taken from the host only once written) at any time, whether the display is on or not. The legacy VGA window
// (0xA0000-0xBFFFF), which the VGA decodes too, is plain memory here, zeros at power on: the simulator runs no BIOS
// that writes text into it, and models none of the VGA's planar modes. No interrupts, no timing.
class BochsDisplay final : public Device {
public:
    BochsDisplay();

    char const* name() const override { return "bochs-display"; }
    std::vector<IoPortRange> ports() const override;
    u32 read_port(u16 port, u8 size, Ticks now) override;
    void write_port(u16 port, u8 size, u32 value, Ticks now) override;
    std::vector<PhysicalRange> regions() const override;
    u64 read_memory(u64 address, u8 size, Ticks now) override;
    void write_memory(u64 address, u8 size, u64 value, Ticks now) override;
    Ticks next_event() const override { return Ticks::max(); }
    void advance_to(Ticks) override {}

    // The picture the display shows, when it is on with the linear framebuffer and a picture that fits.
    std::optional<x86::bochs::Picture> picture() const;
    // Its hash (x86::bochs::picture_hash), when there is one.
    std::optional<u64> picture_hash() const;
    u16 register_value(x86::bochs::Register r) const { return m_registers[static_cast<u16>(r)]; }

private:
    u8 byte_at(u64 offset) const { return offset < m_framebuffer.size() ? m_framebuffer[offset] : 0; }
    // The memory a physical address of the device's regions falls in, its offset there, and its size.
    struct Memory {
        std::vector<std::uint8_t>* bytes;
        u64 offset;
        u64 size;
    };
    Memory memory_at(u64 address);
    void write_register(u16 index, u16 value);

    u16 m_index = 0;
    std::array<u16, x86::bochs::RegisterCount> m_registers{};
    std::vector<std::uint8_t> m_framebuffer; // grows to the highest byte written
    std::vector<std::uint8_t> m_legacy;      // the legacy window, likewise
};

} // namespace grove::sim

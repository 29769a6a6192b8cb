#pragma once
// The Bochs display interface (DISPI) of QEMU's std VGA (`-vga std`, the default display of `-machine q35`; PCI
// 1234:1111), as the simulator models it (sim/devices/bochs_display.*) and the metal kernel reads it back at the
// end of a run: the one description of the device and of the picture both targets hash.
//
// Two 16-bit registers: the index at IndexPort and the data at DataPort (QEMU decodes the data register at
// DataPortAlias too). Writing Enable with EnableOn switches the display on with the mode in XRes, YRes and Bpp;
// EnableLinearFramebuffer maps the picture at FramebufferBase, line after line, VirtWidth pixels apart (set to XRes
// when the display is switched on); without EnableNoClear, switching on clears the picture's bytes.
//
// The framebuffer is PCI BAR0 (16 MiB). The machine's firmware places it: SeaBIOS in QEMU 7.2 with `-machine q35
// -m 128M` (what `grovesim run --target metal` boots) gives 0xFD000000, the top of the window below the PCI hole's
// fixed devices, as QEMU's monitor shows (`info pci`: "BAR0: 32 bit prefetchable memory at 0xfd000000"). It is the
// largest BAR on that machine, so other devices (isa-ide, the debug exit) do not move it.
#include <core/base/hash.hpp>
#include <core/base/units.hpp>

namespace grove::x86::bochs {

inline constexpr u16 IndexPort = 0x1CE;
inline constexpr u16 DataPort = 0x1CF;
inline constexpr u16 DataPortAlias = 0x1D0;

enum class Register : u16 {
    Id = 0,
    XRes = 1,
    YRes = 2,
    Bpp = 3,
    Enable = 4,
    Bank = 5,
    VirtWidth = 6,
    VirtHeight = 7,
    XOffset = 8,
    YOffset = 9,
    VideoMemory64K = 10,
};
inline constexpr u16 RegisterCount = 11;

inline constexpr u16 IdLatest = 0xB0C5; // what QEMU 7.2 answers for Id
inline constexpr u16 EnableOn = 0x01;
inline constexpr u16 EnableLinearFramebuffer = 0x40;
inline constexpr u16 EnableNoClear = 0x80;

inline constexpr u64 FramebufferBase = 0xFD00'0000;
inline constexpr u64 FramebufferSize = u64{16} << 20;
// The legacy VGA memory window that every VGA decodes (text mode's buffer at 0xB8000 lies in it).
inline constexpr u64 LegacyWindowBase = 0xA'0000;
inline constexpr u64 LegacyWindowSize = 0x2'0000;

// The picture the display shows: its mode, and where its lines lie in the framebuffer.
struct Picture {
    u16 width = 0;
    u16 height = 0;
    u16 bpp = 0;
    u16 line_pixels = 0; // VirtWidth
    u16 x_offset = 0;
    u16 y_offset = 0;

    constexpr u64 bytes_per_pixel() const { return (u64{bpp} + 7) / 8; }
    constexpr u64 line_bytes() const { return u64{line_pixels} * bytes_per_pixel(); }
    // The framebuffer offset of line `y`'s first visible byte.
    constexpr u64 line_offset(u64 y) const {
        return (u64{y_offset} + y) * line_bytes() + u64{x_offset} * bytes_per_pixel();
    }
    // True when the display is on with a picture that lies wholly inside the framebuffer.
    constexpr bool is_shown() const {
        return width != 0 && height != 0 && bpp != 0 && line_pixels >= width &&
               line_offset(height - 1) + u64{width} * bytes_per_pixel() <= FramebufferSize;
    }
};

// The picture's hash: FNV-1a over the visible bytes of each line, top to bottom, as `byte_at(offset)` gives the
// framebuffer's bytes. The same on both targets, so `grovesim diff` compares pictures as it compares disks.
template<typename ByteAt>
u64 picture_hash(Picture const& p, ByteAt&& byte_at) {
    Fnv1a64 hash;
    u64 const visible = u64{p.width} * p.bytes_per_pixel();
    for (u64 y = 0; y < p.height; ++y) {
        u64 const first = p.line_offset(y);
        for (u64 i = 0; i < visible; ++i) {
            u8 const byte = byte_at(first + i);
            hash.update(&byte, 1);
        }
    }
    return hash.digest();
}

} // namespace grove::x86::bochs

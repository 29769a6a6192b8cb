// display
//
// Draws a picture on the std VGA's linear framebuffer with nothing but the Bochs display registers' ports (io_port
// 0x1CE-0x1D0) and the picture's bytes of the framebuffer (physical 0xFD000000, 640 x 480 x 4 bytes): checks the
// display's id, sets 640x480 at 32 bits per pixel, switches the display on with the linear framebuffer, maps the
// picture with PhysicalMap (uncached device memory) and draws a pattern that depends on nothing but the pixel's
// place (a gradient crossed with a checkerboard), then reads back every 97th pixel. The machine reports the
// picture's hash at the end of the run, the simulator's model and QEMU's VGA alike (grovesim diff compares them).
// The registers and the address are arch_x86_64/isa/bochs_display.hpp's. Exits 0 when every pixel read back is the
// one drawn, 1 when the display does not answer as a Bochs display, 2 when the map is refused, 3 on a wrong pixel.
#include <arch_x86_64/isa/bochs_display.hpp>
#include <groves/runtime/port_io.hpp>
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;
using grove::x86::bochs::Register;

namespace {

constexpr u16 Width = 640, Height = 480, Bpp = 32;
constexpr u64 PictureBytes = u64{Width} * Height * 4;
// Where the picture is mapped in this grove: far from its image, its stack and its arguments.
constexpr u64 Mapped = 0x0000'0010'0000'0000;

void write_register(Register r, u16 value) {
    out16(x86::bochs::IndexPort, static_cast<u16>(r));
    out16(x86::bochs::DataPort, value);
}

u16 read_register(Register r) {
    out16(x86::bochs::IndexPort, static_cast<u16>(r));
    return in16(x86::bochs::DataPort);
}

u32 pixel(u32 x, u32 y) {
    u32 const red = x * 255 / (Width - 1);
    u32 const green = y * 255 / (Height - 1);
    u32 const blue = (((x >> 5) ^ (y >> 5)) & 1) != 0 ? 0xFF : 0x40;
    return (red << 16) | (green << 8) | blue;
}

} // namespace

int main(int argc, char**) {
    if (argc > 1) usage("display");
    u16 const id = read_register(Register::Id);
    if (id < 0xB0C0 || id > x86::bochs::IdLatest) {
        print("display: no Bochs display (id %#x)\n", id);
        return 1;
    }
    write_register(Register::Enable, 0);
    write_register(Register::XRes, Width);
    write_register(Register::YRes, Height);
    write_register(Register::Bpp, Bpp);
    write_register(Register::Enable, x86::bochs::EnableOn | x86::bochs::EnableLinearFramebuffer);
    long const mapped =
        sys_physical_map(Mapped, x86::bochs::FramebufferBase, PictureBytes, abi::ProtRead | abi::ProtWrite);
    if (mapped < 0) {
        print("display: the framebuffer cannot be mapped: %s\n", status_name(mapped));
        return 2;
    }
    auto* volatile_pixels = reinterpret_cast<u32 volatile*>(Mapped);
    for (u32 y = 0; y < Height; ++y)
        for (u32 x = 0; x < Width; ++x) volatile_pixels[y * Width + x] = pixel(x, y);
    u64 checked = 0;
    for (u64 i = 0; i < u64{Width} * Height; i += 97, ++checked) {
        u32 const x = static_cast<u32>(i % Width), y = static_cast<u32>(i / Width);
        if (volatile_pixels[i] != pixel(x, y)) {
            print("display: pixel (%u, %u) reads %#x, drew %#x\n", x, y, volatile_pixels[i], pixel(x, y));
            return 3;
        }
    }
    print("display: %ux%ux%u drawn, %lu pixels read back\n", Width, Height, Bpp, checked);
    return 0;
}

#include <sim/devices/bochs_display.hpp>
#include <sim/devices/device_bus.hpp>

#include <gtest/gtest.h>

namespace grove::sim {
namespace {

using x86::bochs::Register;

class BochsDisplayTest : public ::testing::Test {
protected:
    BochsDisplayTest() {
        auto display = std::make_unique<BochsDisplay>();
        m_display = display.get();
        EXPECT_TRUE(bus.attach(std::move(display)).has_value());
    }
    void set(Register r, u16 value) {
        bus.write(x86::bochs::IndexPort, 2, static_cast<u16>(r), Ticks(0));
        bus.write(x86::bochs::DataPort, 2, value, Ticks(0));
    }
    u32 get(Register r) {
        bus.write(x86::bochs::IndexPort, 2, static_cast<u16>(r), Ticks(0));
        return bus.read(x86::bochs::DataPort, 2, Ticks(0));
    }
    void switch_on(u16 width, u16 height, u16 bpp, u16 extra = 0) {
        set(Register::Enable, 0);
        set(Register::XRes, width);
        set(Register::YRes, height);
        set(Register::Bpp, bpp);
        set(Register::Enable, x86::bochs::EnableOn | x86::bochs::EnableLinearFramebuffer | extra);
    }
    static constexpr u64 Fb = x86::bochs::FramebufferBase;

    DeviceBus bus;
    BochsDisplay const* m_display = nullptr;
};

TEST_F(BochsDisplayTest, AnswersAsQemusStdVga) {
    EXPECT_EQ(get(Register::Id), x86::bochs::IdLatest);
    EXPECT_EQ(get(Register::VideoMemory64K), 256u); // 16 MiB
    set(Register::Id, 0x1234);                      // read-only
    EXPECT_EQ(get(Register::Id), x86::bochs::IdLatest);
    set(Register::Bpp, 12); // not a depth QEMU knows: 8
    EXPECT_EQ(get(Register::Bpp), 8u);
    EXPECT_FALSE(m_display->picture()); // off
}

TEST_F(BochsDisplayTest, ShowsTheFramebufferOnceSwitchedOnWithIt) {
    switch_on(4, 2, 32);
    std::optional<x86::bochs::Picture> const p = m_display->picture();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->width, 4);
    EXPECT_EQ(p->line_pixels, 4); // VirtWidth follows XRes at the switch
    // Pixels written through the bus land in the picture; the hash covers exactly its 4 x 2 x 4 bytes.
    u64 const before = *m_display->picture_hash();
    bus.write_memory(Fb + 4 * 4 + 12, 4, 0x00FF'8040, Ticks(0)); // the last pixel of the second line
    EXPECT_EQ(bus.read_memory(Fb + 4 * 4 + 12, 4, Ticks(0)), 0x00FF'8040u);
    u64 const drawn = *m_display->picture_hash();
    EXPECT_NE(drawn, before);
    bus.write_memory(Fb + 4 * 4 * 2, 4, 0xFFFF'FFFF, Ticks(0)); // past the picture: not in it
    EXPECT_EQ(*m_display->picture_hash(), drawn);
    // Without the linear framebuffer bit there is no picture to hash.
    set(Register::Enable, x86::bochs::EnableOn);
    EXPECT_FALSE(m_display->picture());
}

TEST_F(BochsDisplayTest, SwitchingOnClearsThePictureUnlessToldNotTo) {
    bus.write_memory(Fb, 8, ~u64{0}, Ticks(0));
    switch_on(8, 8, 32, x86::bochs::EnableNoClear);
    EXPECT_EQ(bus.read_memory(Fb, 8, Ticks(0)), ~u64{0});
    switch_on(8, 8, 32);
    EXPECT_EQ(bus.read_memory(Fb, 8, Ticks(0)), 0u);
}

TEST_F(BochsDisplayTest, TheLegacyWindowIsTheDisplaysMemoryNotNothing) {
    EXPECT_EQ(bus.device_at_physical(x86::bochs::LegacyWindowBase + 0x18000), m_display);
    EXPECT_EQ(bus.read_memory(0xB8000, 8, Ticks(0)), 0u); // no BIOS wrote text here
    bus.write_memory(0xB8000, 2, 0x0741, Ticks(0));
    EXPECT_EQ(bus.read_memory(0xB8000, 2, Ticks(0)), 0x0741u);
    EXPECT_EQ(bus.device_at_physical(x86::bochs::LegacyWindowBase + x86::bochs::LegacyWindowSize), nullptr);
}

} // namespace
} // namespace grove::sim

#include <sim/devices/ata_disk.hpp>
#include <sim/devices/device_bus.hpp>

#include <gtest/gtest.h>

namespace grove::sim {
namespace {

// A device with one register at a given range: reads give what was last written.
class Latch final : public Device {
public:
    explicit Latch(std::vector<IoPortRange> ranges) : m_ranges(std::move(ranges)) {}
    char const* name() const override { return "latch"; }
    std::vector<IoPortRange> ports() const override { return m_ranges; }
    u32 read_port(u16, u8, Ticks) override { return m_value; }
    void write_port(u16, u8, u32 value, Ticks) override { m_value = value; }
    Ticks next_event() const override { return Ticks::max(); }
    void advance_to(Ticks) override {}

private:
    std::vector<IoPortRange> m_ranges;
    u32 m_value = 0;
};

TEST(DeviceBus, AnUnclaimedPortReadsAllOnesAndIgnoresWrites) {
    DeviceBus bus;
    EXPECT_EQ(bus.read(0x80, 1, Ticks(0)), 0xFFu);
    EXPECT_EQ(bus.read(0x80, 2, Ticks(0)), 0xFFFFu);
    EXPECT_EQ(bus.read(0x80, 4, Ticks(0)), 0xFFFF'FFFFu);
    bus.write(0x80, 1, 0x12, Ticks(0));
    EXPECT_EQ(bus.read(0x80, 1, Ticks(0)), 0xFFu);
}

TEST(DeviceBus, AccessesToAClaimedPortReachItsDevice) {
    DeviceBus bus;
    ASSERT_TRUE(bus.attach(std::make_unique<Latch>(std::vector<IoPortRange>{{0x300, 0x31F}})).has_value());
    bus.write(0x310, 1, 0x5A, Ticks(0));
    EXPECT_EQ(bus.read(0x300, 1, Ticks(0)), 0x5Au);
    EXPECT_EQ(bus.read(0x320, 1, Ticks(0)), 0xFFu);
}

TEST(DeviceBus, RefusesAClaimThatOverlapsAnotherAndAttachesNothingOfIt) {
    DeviceBus bus;
    ASSERT_TRUE(bus.attach(std::make_unique<Latch>(std::vector<IoPortRange>{{0x1F0, 0x1F7}})).has_value());
    Result<void> overlapping =
        bus.attach(std::make_unique<Latch>(std::vector<IoPortRange>{{0x3F6, 0x3F6}, {0x1F7, 0x1F8}}));
    ASSERT_TRUE(overlapping.is_error());
    EXPECT_EQ(overlapping.error(), Error::AlreadyExists);
    EXPECT_EQ(bus.device_count(), 1u);
    EXPECT_EQ(bus.device_at(0x3F6), nullptr);
    Result<void> self_overlapping =
        bus.attach(std::make_unique<Latch>(std::vector<IoPortRange>{{0x60, 0x64}, {0x64, 0x64}}));
    EXPECT_TRUE(self_overlapping.is_error());
}

TEST(InterruptController, LatchesARequestOnAMaskedLineAndFiresItAtTheUnmask) {
    InterruptController irq;
    irq.raise(14);
    EXPECT_EQ(irq.take(), 0u);
    irq.set_masked(14, false);
    EXPECT_EQ(irq.take(), 1u << 14);
    EXPECT_TRUE(irq.is_masked(14)); // masked as it fired
    irq.raise(14);
    irq.raise(14);
    EXPECT_EQ(irq.take(), 0u);
    irq.set_masked(14, false);
    EXPECT_EQ(irq.take(), 1u << 14); // an edge: two requests while masked fire once
}

} // namespace
} // namespace grove::sim

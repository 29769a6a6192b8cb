#include <sim/devices/ata_disk.hpp>
#include <sim/devices/device_bus.hpp>

#include <gtest/gtest.h>

#include <map>

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

// A device with memory at given physical regions: what is written there reads back, as a framebuffer does.
class Memory final : public Device {
public:
    explicit Memory(std::vector<PhysicalRange> regions) : m_regions(std::move(regions)) {}
    char const* name() const override { return "memory"; }
    std::vector<IoPortRange> ports() const override { return {}; }
    u32 read_port(u16, u8, Ticks) override { return 0; }
    void write_port(u16, u8, u32, Ticks) override {}
    std::vector<PhysicalRange> regions() const override { return m_regions; }
    u64 read_memory(u64 address, u8 size, Ticks) override {
        u64 value = 0;
        for (u8 i = 0; i < size; ++i) value |= u64{byte(address + i)} << (8 * i);
        return value;
    }
    void write_memory(u64 address, u8 size, u64 value, Ticks now) override {
        for (u8 i = 0; i < size; ++i) m_bytes[address + i] = static_cast<u8>(value >> (8 * i));
        last_write = now;
    }
    Ticks next_event() const override { return Ticks::max(); }
    void advance_to(Ticks) override {}
    Ticks last_write{};

private:
    u8 byte(u64 address) const {
        auto it = m_bytes.find(address);
        return it == m_bytes.end() ? 0 : it->second;
    }
    std::vector<PhysicalRange> m_regions;
    std::map<u64, u8> m_bytes;
};

PhysicalRange range(u64 base, u64 length) { return PhysicalRange{PhysAddr{base}, Bytes(length)}; }

TEST(DeviceBus, AnUnclaimedPhysicalAddressReadsAllOnesAndDropsWrites) {
    DeviceBus bus;
    EXPECT_EQ(bus.read_memory(0xFD00'0000, 1, Ticks(0)), 0xFFu);
    EXPECT_EQ(bus.read_memory(0xFD00'0000, 2, Ticks(0)), 0xFFFFu);
    EXPECT_EQ(bus.read_memory(0xFD00'0000, 4, Ticks(0)), 0xFFFF'FFFFu);
    EXPECT_EQ(bus.read_memory(0xFD00'0000, 8, Ticks(0)), ~u64{0});
    bus.write_memory(0xFD00'0000, 4, 0x1234'5678, Ticks(0));
    EXPECT_EQ(bus.read_memory(0xFD00'0000, 4, Ticks(0)), 0xFFFF'FFFFu); // nothing kept it
}

TEST(DeviceBus, AccessesToAClaimedRegionReachItsDeviceAtTheirTime) {
    DeviceBus bus;
    auto memory = std::make_unique<Memory>(std::vector<PhysicalRange>{range(0xFD00'0000, 0x1000)});
    Memory const* device = memory.get();
    ASSERT_TRUE(bus.attach(std::move(memory)).has_value());
    EXPECT_EQ(bus.device_at_physical(0xFD00'0FFF), device);
    EXPECT_EQ(bus.device_at_physical(0xFD00'1000), nullptr);
    bus.write_memory(0xFD00'0010, 4, 0xAABB'CCDD, Ticks(42));
    EXPECT_EQ(device->last_write, Ticks(42));
    EXPECT_EQ(bus.read_memory(0xFD00'0010, 4, Ticks(43)), 0xAABB'CCDDu);
    EXPECT_EQ(bus.read_memory(0xFD00'0012, 1, Ticks(43)), 0xBBu);
    EXPECT_EQ(bus.read_memory(0xFD00'1000, 4, Ticks(43)), 0xFFFF'FFFFu); // just past the region: nobody
}

TEST(DeviceBus, RefusesARegionThatOverlapsAnotherOrIsEmpty) {
    DeviceBus bus;
    ASSERT_TRUE(
        bus.attach(std::make_unique<Memory>(std::vector<PhysicalRange>{range(0xFD00'0000, 0x10000)})).has_value());
    Result<void> overlapping = bus.attach(
        std::make_unique<Memory>(std::vector<PhysicalRange>{range(0xE000'0000, 0x1000), range(0xFD00'F000, 0x2000)}));
    ASSERT_TRUE(overlapping.is_error());
    EXPECT_EQ(overlapping.error(), Error::AlreadyExists);
    EXPECT_EQ(bus.device_at_physical(0xE000'0000), nullptr); // nothing of it attached
    EXPECT_EQ(bus.attach(std::make_unique<Memory>(std::vector<PhysicalRange>{range(0xE000'0000, 0)})).error(),
              Error::InvalidArgument);
    EXPECT_EQ(bus.attach(std::make_unique<Memory>(std::vector<PhysicalRange>{range(~u64{0} - 0xFFF, 0x2000)})).error(),
              Error::InvalidArgument);
    EXPECT_EQ(bus.attach(std::make_unique<Memory>(
                             std::vector<PhysicalRange>{range(0xE000'0000, 0x2000), range(0xE000'1000, 0x1000)}))
                  .error(),
              Error::InvalidArgument);
    EXPECT_EQ(bus.device_count(), 1u);
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

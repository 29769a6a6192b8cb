#include <sim/devices/ata_disk.hpp>
#include <sim/devices/device_bus.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace grove::sim {
namespace {

constexpr u16 Data = 0x1F0, Error = 0x1F1, Count = 0x1F2, LbaLow = 0x1F3, LbaMid = 0x1F4, LbaHigh = 0x1F5,
              Device = 0x1F6, Status = 0x1F7, Control = 0x3F6;
constexpr u64 Sectors = 16;

// A bus with one AtaDisk over a zeroed image of Sectors sectors, line 14 unmasked, and a clock the test moves.
class AtaDiskTest : public ::testing::Test {
protected:
    AtaDiskTest() {
        auto ata = std::make_unique<AtaDisk>(std::vector<std::uint8_t>(Sectors * 512, 0), bus.interrupts());
        disk = ata.get();
        EXPECT_TRUE(bus.attach(std::move(ata)).has_value());
        bus.interrupts().set_masked(AtaDisk::Line, false);
    }
    u8 in(u16 port) { return static_cast<u8>(bus.read(port, 1, now)); }
    void out(u16 port, u8 value) { bus.write(port, 1, value, now); }
    void command(u8 code, u32 lba, u8 count) {
        out(Count, count);
        out(LbaLow, static_cast<u8>(lba));
        out(LbaMid, static_cast<u8>(lba >> 8));
        out(LbaHigh, static_cast<u8>(lba >> 16));
        out(Device, static_cast<u8>(0xE0 | ((lba >> 24) & 0xF)));
        out(Status, code);
    }
    // Lets virtual time pass to the disk's next event; true when line 14 fired (then unmasks it again).
    bool wait_for_interrupt() {
        if (bus.next_event() == Ticks::max()) return false;
        now = bus.next_event();
        bus.advance_to(now);
        bool const fired = (bus.interrupts().take() & (1u << AtaDisk::Line)) != 0;
        bus.interrupts().set_masked(AtaDisk::Line, false);
        return fired;
    }
    void write_sector(u8 fill) {
        for (int i = 0; i < 256; ++i) bus.write(Data, 2, static_cast<u32>(fill | (fill << 8)), now);
    }
    u16 read_word() { return static_cast<u16>(bus.read(Data, 2, now)); }

    DeviceBus bus;
    AtaDisk* disk = nullptr;
    Ticks now{};
};

TEST_F(AtaDiskTest, IdentifyIsBusyForItsTimeThenRaisesTheInterruptWithTheSectorCount) {
    EXPECT_EQ(in(Status), AtaDisk::StatusReady | AtaDisk::StatusSeekDone);
    command(AtaDisk::CommandIdentify, 0, 0);
    EXPECT_EQ(in(Control), AtaDisk::StatusBusy);
    EXPECT_EQ(bus.next_event(), AtaDisk::CommandTime);
    ASSERT_TRUE(wait_for_interrupt());
    EXPECT_EQ(in(Status) & (AtaDisk::StatusBusy | AtaDisk::StatusDataRequest), AtaDisk::StatusDataRequest);
    u16 words[256];
    for (u16& w : words) w = read_word();
    EXPECT_EQ(words[0], 0x0040);
    EXPECT_NE(words[49] & 0x0200, 0);
    EXPECT_EQ(words[60] | (u32{words[61]} << 16), Sectors);
    EXPECT_EQ(in(Status)&AtaDisk::StatusDataRequest, 0);
}

TEST_F(AtaDiskTest, WrittenSectorsStayInTheCacheUntilAFlushCommitsThem) {
    command(AtaDisk::CommandWrite, 2, 2);
    EXPECT_FALSE(wait_for_interrupt()); // DRQ for the first sector comes without an interrupt
    EXPECT_NE(in(Control)&AtaDisk::StatusDataRequest, 0);
    write_sector(0xAB);
    ASSERT_TRUE(wait_for_interrupt());
    write_sector(0xCD);
    ASSERT_TRUE(wait_for_interrupt());
    EXPECT_EQ(in(Status), AtaDisk::StatusReady | AtaDisk::StatusSeekDone);
    EXPECT_EQ(disk->dirty_sectors(), 2u);
    EXPECT_EQ(disk->committed()[std::size_t{2} * 512], 0); // not flushed: a power cut now would lose it

    command(AtaDisk::CommandRead, 3, 1); // reads see the cache
    ASSERT_TRUE(wait_for_interrupt());
    (void)in(Status);
    EXPECT_EQ(read_word(), 0xCDCD);

    for (int i = 1; i < 256; ++i) (void)read_word();
    command(AtaDisk::CommandFlush, 0, 0);
    EXPECT_EQ(bus.next_event(), now + AtaDisk::FlushTime + Ticks(2 * AtaDisk::FlushSectorTime.value));
    ASSERT_TRUE(wait_for_interrupt());
    EXPECT_EQ(in(Status)&AtaDisk::StatusError, 0);
    EXPECT_EQ(disk->dirty_sectors(), 0u);
    EXPECT_EQ(disk->committed()[std::size_t{2} * 512], 0xAB);
    EXPECT_EQ(disk->committed()[3 * 512 + 511], 0xCD);
}

TEST_F(AtaDiskTest, APowerCutLosesTheCacheAndTheDriveComesBackIdle) {
    command(AtaDisk::CommandWrite, 2, 2);
    EXPECT_FALSE(wait_for_interrupt()); // DRQ for the first sector
    write_sector(0xAB);
    ASSERT_TRUE(wait_for_interrupt());
    write_sector(0xCD);
    ASSERT_TRUE(wait_for_interrupt());
    command(AtaDisk::CommandWrite, 5, 1); // the next write under way, half its sector sent
    EXPECT_FALSE(wait_for_interrupt());
    for (int i = 0; i < 128; ++i) bus.write(Data, 2, 0xEEEE, now);
    disk->cut_power(512, now);
    EXPECT_EQ(disk->dirty_sectors(), 0u);
    EXPECT_EQ(disk->committed(), std::vector<std::uint8_t>(Sectors * 512, 0)); // nothing had been flushed
    EXPECT_EQ(in(Status), AtaDisk::StatusReady | AtaDisk::StatusSeekDone);
    EXPECT_EQ(bus.next_event(), Ticks::max());
    command(AtaDisk::CommandRead, 2, 1); // reads see the medium again
    ASSERT_TRUE(wait_for_interrupt());
    EXPECT_EQ(read_word(), 0);
}

TEST_F(AtaDiskTest, APowerCutDuringAFlushKeepsTheSectorsWrittenAndTearsTheNext) {
    command(AtaDisk::CommandWrite, 2, 3);
    EXPECT_FALSE(wait_for_interrupt()); // DRQ for the first sector
    for (u8 fill : {u8{0xA1}, u8{0xA2}, u8{0xA3}}) {
        write_sector(fill);
        ASSERT_TRUE(wait_for_interrupt());
    }
    command(AtaDisk::CommandFlush, 0, 0);
    // The flush's fixed time, one sector on the medium and half of the next one's time: sector 2 is there, sector
    // 3 is torn at 100 bytes, sector 4 is lost.
    Ticks const cut = now + AtaDisk::FlushTime + AtaDisk::FlushSectorTime + Ticks(AtaDisk::FlushSectorTime.value / 2);
    disk->cut_power(100, cut);
    std::vector<std::uint8_t> const& medium = disk->committed();
    EXPECT_EQ(medium[2 * 512], 0xA1);
    EXPECT_EQ(medium[2 * 512 + 511], 0xA1);
    EXPECT_EQ(medium[3 * 512 + 99], 0xA2);
    EXPECT_EQ(medium[3 * 512 + 100], 0);
    EXPECT_EQ(medium[4 * 512], 0);
    EXPECT_EQ(disk->dirty_sectors(), 0u);
    EXPECT_EQ(bus.next_event(), Ticks::max()); // the flush never completes
}

TEST_F(AtaDiskTest, AMultiSectorReadInterruptsOncePerSector) {
    command(AtaDisk::CommandRead, 0, 3);
    for (int sector = 0; sector < 3; ++sector) {
        ASSERT_TRUE(wait_for_interrupt()) << sector;
        EXPECT_NE(in(Status)&AtaDisk::StatusDataRequest, 0);
        for (int i = 0; i < 256; ++i) (void)read_word();
    }
    EXPECT_EQ(in(Status), AtaDisk::StatusReady | AtaDisk::StatusSeekDone);
    EXPECT_EQ(bus.next_event(), Ticks::max());
}

TEST_F(AtaDiskTest, ATransferPastTheLastSectorEndsWithErrAndAbrt) {
    command(AtaDisk::CommandRead, Sectors - 1, 2);
    ASSERT_TRUE(wait_for_interrupt());
    EXPECT_NE(in(Status)&AtaDisk::StatusError, 0);
    EXPECT_EQ(in(Error), AtaDisk::ErrorAbort);
    command(AtaDisk::CommandWrite, Sectors, 1);
    ASSERT_TRUE(wait_for_interrupt());
    EXPECT_EQ(in(Error), AtaDisk::ErrorAbort);
}

TEST_F(AtaDiskTest, AnUnknownCommandAndChsAddressingAreAborted) {
    out(Status, 0x91); // INITIALIZE DEVICE PARAMETERS: not modelled
    ASSERT_TRUE(wait_for_interrupt());
    EXPECT_EQ(in(Error), AtaDisk::ErrorAbort);
    out(Device, 0xA0); // CHS
    out(Status, AtaDisk::CommandRead);
    ASSERT_TRUE(wait_for_interrupt());
    EXPECT_NE(in(Status)&AtaDisk::StatusError, 0);
}

TEST_F(AtaDiskTest, NienKeepsTheInterruptOffTheLine) {
    out(Control, AtaDisk::ControlNoInterrupt);
    command(AtaDisk::CommandIdentify, 0, 0);
    EXPECT_FALSE(wait_for_interrupt());
    EXPECT_NE(in(Control)&AtaDisk::StatusDataRequest, 0); // the command still completed
}

TEST_F(AtaDiskTest, TheSlaveIsAbsentAndACommandToItIsIgnored) {
    out(Device, 0xF0);
    EXPECT_EQ(in(Status), 0);
    out(Status, AtaDisk::CommandIdentify);
    EXPECT_EQ(bus.next_event(), Ticks::max());
}

// The latencies a disk built with `timing_seed` takes for a READ SECTORS of 2 sectors (the seek, then one
// transfer) and a FLUSH CACHE of 1 written sector (the flush with its per-sector cost): the virtual times between
// each command or data access and the disk's next event.
std::vector<Ticks> latencies(std::optional<u64> timing_seed) {
    DeviceBus bus;
    EXPECT_TRUE(bus.attach(std::make_unique<AtaDisk>(std::vector<std::uint8_t>(Sectors * 512, 0), bus.interrupts(),
                                                     timing_seed))
                    .has_value());
    Ticks now{};
    std::vector<Ticks> taken;
    auto out = [&](u16 port, u8 value) { bus.write(port, 1, value, now); };
    auto settle = [&] {
        Ticks const next = bus.next_event();
        EXPECT_NE(next, Ticks::max());
        taken.push_back(Ticks(next.value - now.value));
        now = next;
        bus.advance_to(now);
    };
    auto command = [&](u8 code, u8 count) {
        out(Count, count);
        out(LbaLow, 1);
        out(LbaMid, 0);
        out(LbaHigh, 0);
        out(Device, 0xE0);
        out(Status, code);
    };
    command(AtaDisk::CommandRead, 2);
    settle(); // the seek
    for (int i = 0; i < 256; ++i) bus.read(Data, 2, now);
    settle(); // the second sector's transfer
    for (int i = 0; i < 256; ++i) bus.read(Data, 2, now);
    command(AtaDisk::CommandWrite, 1);
    settle(); // the first sector's transfer
    for (int i = 0; i < 256; ++i) bus.write(Data, 2, 0xA5A5, now);
    settle(); // the written sector stored
    command(AtaDisk::CommandFlush, 0);
    settle(); // the flush of the one cached sector
    EXPECT_EQ(bus.read(Status, 1, now), AtaDisk::StatusReady | AtaDisk::StatusSeekDone);
    return taken;
}

TEST(AtaDiskTiming, WithoutASeedTheLatenciesAreTheFixedOnes) {
    std::vector<Ticks> const fixed = {AtaDisk::CommandTime, AtaDisk::SectorTime, AtaDisk::SectorTime,
                                      AtaDisk::SectorTime, AtaDisk::FlushTime + AtaDisk::FlushSectorTime};
    EXPECT_EQ(latencies(std::nullopt), fixed);
}

TEST(AtaDiskTiming, ASeedDrawsEachLatencyWithinItsBoundsAndTheSameSeedDrawsTheSame) {
    auto within = [](Ticks t, AtaDisk::LatencyBounds b) { return b.least <= t && t <= b.most; };
    for (u64 seed = 1; seed <= 20; ++seed) {
        std::vector<Ticks> const drawn = latencies(seed);
        ASSERT_EQ(drawn.size(), 5u);
        EXPECT_TRUE(within(drawn[0], AtaDisk::Seek)) << drawn[0].value;
        EXPECT_TRUE(within(drawn[1], AtaDisk::Transfer)) << drawn[1].value;
        EXPECT_TRUE(within(drawn[2], AtaDisk::Transfer)) << drawn[2].value;
        EXPECT_TRUE(within(drawn[3], AtaDisk::Transfer)) << drawn[3].value;
        EXPECT_TRUE(drawn[4] >= AtaDisk::Flush.least + AtaDisk::FlushSector.least &&
                    drawn[4] <= AtaDisk::Flush.most + AtaDisk::FlushSector.most)
            << drawn[4].value;
        EXPECT_EQ(latencies(seed), drawn);
    }
}

TEST(AtaDiskTiming, DifferentSeedsDrawDifferentLatencies) {
    EXPECT_NE(latencies(1), latencies(2));
    EXPECT_NE(latencies(1), latencies(std::nullopt));
}

} // namespace
} // namespace grove::sim

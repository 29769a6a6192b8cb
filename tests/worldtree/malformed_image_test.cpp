#include <tests/worldtree/simulated_disk.hpp>
#include <tests/worldtree/store_helpers.hpp>
#include <core/base/prng.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace grove::worldtree {
namespace {

using testing::read_all;
using testing::SimulatedDisk;
using testing::stage_text;

std::vector<u8> sample_image(u64 sectors) {
    SimulatedDisk disk(sectors);
    auto store = std::make_unique<Store>(disk);
    EXPECT_TRUE(store->format());
    EXPECT_TRUE(store->mount());
    EXPECT_TRUE(stage_text(*store, "/a", "alpha", Essence::Rune, "forge", {{"k", "v"}}));
    EXPECT_TRUE(stage_text(*store, "/b", std::string(700, 'b')));
    EXPECT_TRUE(store->commit("forge", 5, "one"));
    EXPECT_TRUE(store->stage_remove("/a", 2));
    EXPECT_TRUE(store->stage_restore("/b", 2, 1));
    EXPECT_TRUE(store->commit("forge", 6, "two"));
    return disk.medium();
}

// The mount report of an intact image (its log end and generation).
MountReport mount_sample(std::vector<u8> const& image) {
    SimulatedDisk disk(image.size() / SectorSize);
    disk.load(image);
    auto store = std::make_unique<Store>(disk);
    auto report = store->mount();
    EXPECT_TRUE(report.has_value());
    return report ? report.value() : MountReport{};
}

// Mounting and checking `image` must end in a clean state or an error, and whatever mounted must be readable: every
// version with its whole size, and the check must pass too (a damage the mount's checksums let through is in bytes
// that nothing reads, which the content hashes do not cover either).
void mount_and_read(std::vector<u8> image, std::string const& where) {
    SimulatedDisk disk(image.size() / SectorSize);
    disk.load(std::move(image));
    auto store = std::make_unique<Store>(disk);
    auto mounted = store->mount();
    if (!mounted) {
        EXPECT_TRUE(mounted.error() == StoreError::Corrupt || mounted.error() == StoreError::IndexFull) << where;
        EXPECT_NE(store->problem().what, nullptr) << where;
        return;
    }
    for (u32 i = 0; i < store->version_count(); ++i) {
        if (store->version(i).is_removal()) continue;
        EXPECT_EQ(read_all(*store, i).size(), store->version(i).meta.size) << where << ", version " << i;
    }
    auto checked = store->check();
    EXPECT_TRUE(checked.has_value()) << where << ": the mount took it, the check refused it at sector "
                                     << store->problem().sector << ": " << store->problem().what;
    if (checked) { EXPECT_EQ(checked.value().commits, mounted.value().commits) << where; }
}

TEST(StoreImage, EverySingleByteCorruptionOfTheUsedSectorsIsRefusedOrHarmless) {
    std::vector<u8> image = sample_image(64);
    usize used = 16 * SectorSize;
    for (usize at = 0; at < used; ++at) {
        std::vector<u8> bad = image;
        bad[at] ^= u8(0x5a);
        mount_and_read(std::move(bad), "byte " + std::to_string(at));
    }
}

TEST(StoreImage, CorruptionOfAnyChecksummedByteOfTheLogIsNeverSilent) {
    std::vector<u8> image = sample_image(64);
    MountReport const report = mount_sample(image);
    // The bytes a checksum covers: each record's header (0..71) and its payload.
    std::vector<usize> covered;
    for (u64 sector = disk::LogStart; sector < report.log_end;) {
        disk::RecordHeader h;
        ASSERT_TRUE(disk::decode_record_header(image.data() + sector * SectorSize, &h));
        for (usize i = 0; i < disk::RecordHeaderBytes; ++i) covered.push_back(sector * SectorSize + i);
        for (u64 i = 0; i < h.payload_length; ++i) covered.push_back((sector + 1) * SectorSize + i);
        sector += disk::record_sectors(h.payload_length);
    }
    ASSERT_GT(covered.size(), 1000u);
    for (usize at : covered) {
        std::vector<u8> bad = image;
        bad[at] ^= 1;
        SimulatedDisk damaged(64);
        damaged.load(bad);
        auto damaged_store = std::make_unique<Store>(damaged);
        auto mounted = damaged_store->mount();
        ASSERT_FALSE(mounted.has_value()) << "byte " << at << " (sector " << at / SectorSize << ")";
        EXPECT_EQ(mounted.error(), StoreError::Corrupt);
        EXPECT_NE(damaged_store->problem().what, nullptr);
    }
}

TEST(StoreImage, RandomImagesNeverCrashTheMount) {
    Prng prng(42);
    for (int round = 0; round < 300; ++round) {
        std::vector<u8> image(32 * SectorSize);
        for (auto& b : image) b = u8(prng.next());
        mount_and_read(std::move(image), "round " + std::to_string(round));
    }
    // A real store with a burst of random bytes anywhere, superblocks included.
    std::vector<u8> sample = sample_image(64);
    for (int round = 0; round < 2000; ++round) {
        std::vector<u8> image = sample;
        usize at = prng.below(16 * SectorSize);
        usize count = 1 + prng.below(64);
        for (usize i = 0; i < count && at + i < image.size(); ++i) image[at + i] = u8(prng.next());
        mount_and_read(std::move(image), "burst round " + std::to_string(round));
    }
}

TEST(StoreImage, WellChecksummedButLyingStructuresAreRefused) {
    std::vector<u8> image = sample_image(64);
    MountReport const report = mount_sample(image);

    auto with_superblock = [&](auto edit) {
        std::vector<u8> bad = image;
        u64 slot = report.generation % 2;
        disk::Superblock s;
        EXPECT_TRUE(disk::decode_superblock(bad.data() + slot * SectorSize, &s));
        edit(s);
        disk::encode_superblock(s, bad.data() + slot * SectorSize);
        return bad;
    };
    // A log end past the device, or a record count the log does not hold, or a wrong chain.
    for (auto bad : {with_superblock([](disk::Superblock& s) { s.log_end = 1u << 30; }),
                     with_superblock([](disk::Superblock& s) { s.total_sectors = 1u << 30; }),
                     with_superblock([](disk::Superblock& s) { s.record_count += 1; }),
                     with_superblock([](disk::Superblock& s) { s.chain ^= 1; }),
                     with_superblock([](disk::Superblock& s) { s.log_end += 1; })}) {
        SimulatedDisk damaged(64);
        damaged.load(bad);
        Store s2(damaged);
        auto mounted = s2.mount();
        // The older superblock may still mount (its generation is intact); the lying one never does.
        if (mounted) { EXPECT_LT(mounted.value().generation, report.generation); }
    }
    // A record header that claims a huge payload, re-checksummed.
    std::vector<u8> bad = image;
    disk::RecordHeader h;
    ASSERT_TRUE(disk::decode_record_header(bad.data() + disk::LogStart * SectorSize, &h));
    h.payload_length = ~u64(0) - 10;
    disk::encode_record_header(h, bad.data() + disk::LogStart * SectorSize);
    mount_and_read(bad, "huge payload");
    SimulatedDisk damaged(64);
    damaged.load(bad);
    Store s3(damaged);
    EXPECT_EQ(s3.mount().error(), StoreError::Corrupt);
    EXPECT_EQ(s3.problem().sector, disk::LogStart);
}

} // namespace
} // namespace grove::worldtree

#include <tests/worldtree/simulated_disk.hpp>
#include <tests/worldtree/store_helpers.hpp>
#include <worldtree/format/sha256.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

namespace grove::worldtree {
namespace {

using testing::current_text;
using testing::read_all;
using testing::SimulatedDisk;
using testing::stage_text;

std::string hex(ContentHash const& hash) {
    char text[HashTextLength + 1];
    format_hash(hash, text);
    return text;
}

struct Fixture {
    SimulatedDisk disk{4096};
    std::unique_ptr<Store> store = std::make_unique<Store>(disk);

    Fixture() {
        EXPECT_TRUE(store->format().has_value());
        EXPECT_TRUE(store->mount().has_value());
    }
    void remount() {
        store = std::make_unique<Store>(disk);
        auto mounted = store->mount();
        ASSERT_TRUE(mounted.has_value()) << store->problem().what;
    }
};

TEST(Sha256, MatchesTheStandardTestVectors) {
    EXPECT_EQ(hex(hash_bytes("", 0)), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hex(hash_bytes("abc", 3)), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    EXPECT_EQ(hex(hash_bytes(two_blocks.data(), two_blocks.size())),
              "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    std::string million(1000000, 'a');
    Sha256 pieces;
    for (usize i = 0; i < million.size(); i += 997)
        pieces.update(million.data() + i, std::min<usize>(997, million.size() - i));
    ContentHash h;
    pieces.finish(h.bytes);
    EXPECT_EQ(hex(h), "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Store, ACommitTheIndexCannotTakeIsRefusedBeforeItReachesTheDisk) {
    // A client restoring version 1 over and over fills the version table; the commit that would overflow it must
    // be refused while nothing is written, so the store still mounts with every commit that was accepted.
    Fixture f;
    ASSERT_TRUE(stage_text(*f.store, "/a", "one").has_value());
    ASSERT_TRUE(f.store->commit("forge", 1, "first").has_value());
    StoreResult<u32> committed = 1u;
    u64 time = 2;
    while (committed) {
        ASSERT_TRUE(f.store->stage_restore("/a", 2, 1).has_value());
        committed = f.store->commit("forge", time++, "again");
    }
    EXPECT_EQ(committed.error(), StoreError::IndexFull);
    u32 const versions = f.store->version_count();
    u32 const commits = f.store->commit_count();
    EXPECT_LE(versions, MaxVersions);
    f.remount();
    EXPECT_EQ(f.store->version_count(), versions);
    EXPECT_EQ(f.store->commit_count(), commits);
    EXPECT_TRUE(f.store->check().has_value());
}

TEST(Store, MountsAnEmptyStoreAfterFormat) {
    Fixture f;
    EXPECT_EQ(f.store->object_count(), 0u);
    EXPECT_EQ(f.store->commit_count(), 0u);
    EXPECT_EQ(current_text(*f.store, "/a"), "<NotFound>");
}

TEST(Store, RefusesToMountABlankDisk) {
    SimulatedDisk disk(64);
    Store store(disk);
    auto mounted = store.mount();
    ASSERT_FALSE(mounted.has_value());
    EXPECT_EQ(mounted.error(), StoreError::Corrupt);
    EXPECT_EQ(store.problem().sector, 0u);
}

TEST(Store, CommittedObjectsSurviveARemountWithTheirMetadata) {
    Fixture f;
    ASSERT_TRUE(stage_text(*f.store, "/scrolls/hello", "hello world", Essence::Scroll, "forge", {{"lang", "en"}}));
    ASSERT_TRUE(stage_text(*f.store, "/runes/r1", std::string(5000, 'x'), Essence::Rune, "smith"));
    auto commit = f.store->commit("forge", 1000, "first");
    ASSERT_TRUE(commit.has_value());
    EXPECT_EQ(commit.value(), 1u);
    f.remount();
    EXPECT_EQ(current_text(*f.store, "/scrolls/hello"), "hello world");
    EXPECT_EQ(current_text(*f.store, "/runes/r1"), std::string(5000, 'x'));
    auto v = f.store->version(f.store->find_current("/scrolls/hello", 14).value());
    EXPECT_EQ(v.meta.essence, Essence::Scroll);
    EXPECT_STREQ(v.meta.creator.c_str(), "forge");
    EXPECT_EQ(v.meta.created, 1000u);
    EXPECT_EQ(v.meta.modified, 1000u);
    EXPECT_EQ(v.meta.size, 11u);
    EXPECT_EQ(v.meta.hash, hash_bytes("hello world", 11));
    ASSERT_NE(v.meta.find_tag("lang", 4), nullptr);
    EXPECT_STREQ(v.meta.find_tag("lang", 4)->value.c_str(), "en");
    auto const& c = f.store->commit_info(0);
    EXPECT_STREQ(c.author.c_str(), "forge");
    EXPECT_STREQ(c.message.c_str(), "first");
    EXPECT_EQ(c.change_count, 2u);
}

TEST(Store, KeepsEveryVersionAndRestoresAnOldOne) {
    Fixture f;
    ASSERT_TRUE(stage_text(*f.store, "/doc", "one"));
    ASSERT_TRUE(f.store->commit("forge", 10, "v1"));
    ASSERT_TRUE(stage_text(*f.store, "/doc", "two", Essence::Chronicle, "scribe"));
    ASSERT_TRUE(f.store->commit("scribe", 20, "v2"));
    ASSERT_TRUE(f.store->stage_restore("/doc", 4, 1));
    ASSERT_TRUE(f.store->commit("forge", 30, "back to one"));
    f.remount();
    EXPECT_EQ(current_text(*f.store, "/doc"), "one");
    u32 current = f.store->find_current("/doc", 4).value();
    Version const& v3 = f.store->version(current);
    EXPECT_EQ(v3.number, 3u);
    EXPECT_EQ(v3.kind, disk::ChangeKind::Restore);
    EXPECT_EQ(v3.restored_from, 1u);
    EXPECT_EQ(v3.meta.created, 10u);
    EXPECT_EQ(v3.meta.modified, 30u);
    EXPECT_EQ(v3.meta.essence, Essence::Scroll);
    EXPECT_EQ(read_all(*f.store, f.store->find_version("/doc", 4, 2).value()), "two");
    EXPECT_EQ(f.store->version(f.store->find_version("/doc", 4, 2).value()).meta.created, 10u);
    u32 history = 0;
    for (u32 i = current; i != NoIndex; i = f.store->version(i).previous) ++history;
    EXPECT_EQ(history, 3u);
}

TEST(Store, RemovedObjectsAreGoneButTheirHistoryStays) {
    Fixture f;
    ASSERT_TRUE(stage_text(*f.store, "/tmp", "data"));
    ASSERT_TRUE(f.store->commit("forge", 1, "add"));
    ASSERT_TRUE(f.store->stage_remove("/tmp", 4));
    ASSERT_TRUE(f.store->commit("forge", 2, "remove"));
    f.remount();
    EXPECT_EQ(current_text(*f.store, "/tmp"), "<NotFound>");
    EXPECT_EQ(read_all(*f.store, f.store->find_version("/tmp", 4, 1).value()), "data");
    EXPECT_EQ(f.store->stage_remove("/tmp", 4).error(), StoreError::NotFound);
    EXPECT_EQ(f.store->stage_restore("/tmp", 4, 2).error(), StoreError::InvalidArgument);
    ASSERT_TRUE(f.store->stage_restore("/tmp", 4, 1));
    ASSERT_TRUE(f.store->commit("forge", 3, "undelete"));
    EXPECT_EQ(current_text(*f.store, "/tmp"), "data");
}

TEST(Store, StoresEqualContentOnce) {
    Fixture f;
    ASSERT_TRUE(stage_text(*f.store, "/a", "same bytes"));
    ASSERT_TRUE(stage_text(*f.store, "/b", "same bytes"));
    ASSERT_TRUE(f.store->commit("forge", 1, "twins"));
    auto a = f.store->version(f.store->find_current("/a", 2).value());
    auto b = f.store->version(f.store->find_current("/b", 2).value());
    EXPECT_EQ(a.blob_sector, b.blob_sector);
    auto report = f.store->check();
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report.value().blobs, 1u);
    EXPECT_EQ(report.value().records, 2u);
}

TEST(Store, UncommittedChangesAreInvisibleAfterRemount) {
    Fixture f;
    ASSERT_TRUE(stage_text(*f.store, "/kept", "kept"));
    ASSERT_TRUE(f.store->commit("forge", 1, "kept"));
    ASSERT_TRUE(stage_text(*f.store, "/lost", "lost"));
    f.remount();
    EXPECT_EQ(current_text(*f.store, "/lost"), "<NotFound>");
    EXPECT_EQ(current_text(*f.store, "/kept"), "kept");
}

TEST(Store, DiscardedChangesLeaveNoTraceInLaterCommits) {
    Fixture f;
    ASSERT_TRUE(stage_text(*f.store, "/gone", "discarded"));
    f.store->discard_staged();
    ASSERT_TRUE(stage_text(*f.store, "/kept", "kept"));
    ASSERT_TRUE(f.store->commit("forge", 1, "kept"));
    f.remount();
    auto report = f.store->check();
    ASSERT_TRUE(report.has_value()) << f.store->problem().what;
    EXPECT_EQ(report.value().blobs, 1u);
    EXPECT_EQ(current_text(*f.store, "/gone"), "<NotFound>");
}

TEST(Store, RejectsBadChangesWithoutWritingThem) {
    Fixture f;
    EXPECT_EQ(stage_text(*f.store, "has space", "x").error(), StoreError::InvalidArgument);
    EXPECT_EQ(stage_text(*f.store, "", "x").error(), StoreError::InvalidArgument);
    EXPECT_EQ(stage_text(*f.store, std::string(64, 'n').c_str(), "x").error(), StoreError::InvalidArgument);
    EXPECT_EQ(stage_text(*f.store, "/x", "x", Essence::Scroll, "two words").error(), StoreError::InvalidArgument);
    EXPECT_EQ(stage_text(*f.store, "/x", "x", Essence::Scroll, "forge", {{"bad key", "v"}}).error(),
              StoreError::InvalidArgument);
    EXPECT_EQ(stage_text(*f.store, "/x", "x", Essence::Scroll, "forge", {{"k", "1"}, {"k", "2"}}).error(),
              StoreError::InvalidArgument);
    EXPECT_EQ(f.store->commit("forge", 1, "nothing").error(), StoreError::NothingStaged);
    ASSERT_TRUE(stage_text(*f.store, "/x", "x"));
    EXPECT_EQ(stage_text(*f.store, "/x", "y").error(), StoreError::InvalidArgument);
    EXPECT_EQ(f.store->commit("two words", 1, "m").error(), StoreError::InvalidArgument);
    EXPECT_EQ(f.store->commit("forge", 1, "bad\nmessage").error(), StoreError::InvalidArgument);
    BlobRef forged{hash_bytes("never written", 13), 2, 13};
    PutSpec spec;
    spec.name = "/forged";
    spec.creator = "forge";
    EXPECT_EQ(f.store->stage_put(spec, forged).error(), StoreError::InvalidArgument);
    ASSERT_TRUE(f.store->commit("forge", 1, "one"));
    EXPECT_EQ(f.store->commit_count(), 1u);
}

TEST(Store, ReadsAnyRangeOfALargeObject) {
    Fixture f;
    std::string big(100000, '\0');
    for (usize i = 0; i < big.size(); ++i) big[i] = char(i * 7 + i / 513);
    ASSERT_TRUE(stage_text(*f.store, "/big", big, Essence::Tapestry));
    ASSERT_TRUE(f.store->commit("forge", 1, "big"));
    f.remount();
    u32 index = f.store->find_current("/big", 4).value();
    EXPECT_EQ(read_all(*f.store, index, 333), big);
    EXPECT_EQ(read_all(*f.store, index, 65536), big);
    char piece[10];
    auto n = f.store->read(index, 99995, piece, sizeof piece);
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(n.value(), 5u);
    EXPECT_EQ(std::string(piece, 5), big.substr(99995));
}

TEST(Store, ReportsNoSpaceWhenTheDiskIsFull) {
    SimulatedDisk disk(40);
    auto store = std::make_unique<Store>(disk);
    ASSERT_TRUE(store->format());
    ASSERT_TRUE(store->mount());
    EXPECT_EQ(stage_text(*store, "/big", std::string(40 * SectorSize, 'b')).error(), StoreError::NoSpace);
    ASSERT_TRUE(stage_text(*store, "/small", "fits"));
    ASSERT_TRUE(store->commit("forge", 1, "small"));
    EXPECT_EQ(current_text(*store, "/small"), "fits");
}

TEST(Store, CheckFindsABlobWhoseContentDoesNotMatchItsAddress) {
    Fixture f;
    ASSERT_TRUE(stage_text(*f.store, "/a", "original"));
    ASSERT_TRUE(f.store->commit("forge", 1, "a"));
    u64 blob = f.store->version(f.store->find_current("/a", 2).value()).blob_sector;
    // Rewrite the payload and its checksum consistently: only the content address can tell.
    auto& medium = f.disk.medium();
    u8* header = medium.data() + blob * SectorSize;
    disk::RecordHeader h;
    ASSERT_TRUE(disk::decode_record_header(header, &h));
    std::memcpy(medium.data() + (blob + 1) * SectorSize, "forgery!", 8);
    Fnv1a64 fnv;
    fnv.update("forgery!", 8);
    h.payload_checksum = fnv.digest();
    u64 old_checksum = h.header_checksum;
    disk::encode_record_header(h, header);
    ASSERT_NE(old_checksum, h.header_checksum);
    f.disk.load(medium);
    Store store(f.disk);
    // The record chain in the superblock names the old header: mount refuses it too.
    EXPECT_EQ(store.mount().error(), StoreError::Corrupt);
    auto checked = store.check();
    ASSERT_FALSE(checked.has_value());
    EXPECT_EQ(store.problem().sector, blob);
    EXPECT_STREQ(store.problem().what, "blob content does not match its address");
}

} // namespace
} // namespace grove::worldtree

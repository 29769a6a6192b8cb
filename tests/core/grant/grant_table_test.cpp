#include <core/grant/grant_table.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace grove {
namespace {

Grant grant_of(u32 granter_serial, u32 peer) {
    return Grant{GroveId{granter_serial, 1}, 0, peer, VirtAddr{0x40'1000}, Bytes(256), GrantRights::Read};
}

TEST(GrantTable, CreateGivesIdsThatFindTheGrantAndNothingElse) {
    auto table = std::make_unique<GrantTable>();
    u64 const a = table->create(grant_of(1, 2)).value();
    u64 const b = table->create(grant_of(1, 3)).value();
    EXPECT_EQ(a, abi::make_handle(0, 1)); // lowest slot first, generation 1: never 0
    EXPECT_EQ(b, abi::make_handle(1, 1));
    ASSERT_NE(table->find(a).grant, nullptr);
    EXPECT_EQ(table->find(a).grant->peer, 2u);
    EXPECT_EQ(table->find(b).grant->peer, 3u);
    for (u64 forged :
         {u64{0}, abi::make_handle(0, 2), abi::make_handle(2, 1), abi::make_handle(GrantTable::Capacity, 1), ~u64{0}}) {
        GrantTable::Lookup const found = table->find(forged);
        EXPECT_EQ(found.grant, nullptr) << forged;
        EXPECT_EQ(found.refusal, GrantRefusal::NoSuchGrant) << forged;
    }
    EXPECT_EQ(table->live(), 2u);
    EXPECT_TRUE(table->check_invariant());
}

TEST(GrantTable, ARevokedIdStaysRevokedUntilItsSlotIsReusedAndNeverWorksAgain) {
    auto table = std::make_unique<GrantTable>();
    u64 const a = table->create(grant_of(1, 2)).value();
    EXPECT_EQ(table->revoke(a, GroveId{2, 1}).error(), Error::BadHandle); // only the granter
    EXPECT_EQ(table->revoke(a, GroveId{1, 2}).error(), Error::BadHandle); // only that incarnation
    ASSERT_TRUE(table->revoke(a, GroveId{1, 1}).has_value());
    EXPECT_EQ(table->find(a).refusal, GrantRefusal::Revoked);
    EXPECT_EQ(table->revoke(a, GroveId{1, 1}).error(), Error::BadHandle);
    u64 const again = table->create(grant_of(1, 2)).value();
    EXPECT_EQ(again, abi::make_handle(0, 2)); // the slot, next generation
    EXPECT_EQ(table->find(a).refusal, GrantRefusal::NoSuchGrant);
    EXPECT_NE(table->find(again).grant, nullptr);
    EXPECT_EQ(table->created(), 2u);
    EXPECT_EQ(table->ended(), 1u);
    EXPECT_TRUE(table->check_invariant());
}

TEST(GrantTable, EndAllOfEndsEveryGrantOfTheGranterAndNoOther) {
    auto table = std::make_unique<GrantTable>();
    u64 const a = table->create(grant_of(1, 2)).value();
    u64 const b = table->create(grant_of(2, 1)).value();
    u64 const c = table->create(grant_of(1, 3)).value();
    std::vector<u64> ended;
    table->end_all_of(1, [&](u64 id, Grant const& g) {
        EXPECT_EQ(g.granter.serial, 1u);
        ended.push_back(id);
    });
    EXPECT_EQ(ended, (std::vector<u64>{a, c}));
    EXPECT_EQ(table->find(a).refusal, GrantRefusal::GranterGone);
    EXPECT_EQ(table->find(c).refusal, GrantRefusal::GranterGone);
    EXPECT_NE(table->find(b).grant, nullptr);
    EXPECT_EQ(table->live(), 1u);
    EXPECT_TRUE(table->check_invariant());
}

TEST(GrantTable, AFullTableRefusesWithNoCapacity) {
    auto table = std::make_unique<GrantTable>();
    for (usize i = 0; i < GrantTable::Capacity; ++i) ASSERT_TRUE(table->create(grant_of(1, 2)).has_value());
    EXPECT_EQ(table->create(grant_of(1, 2)).error(), Error::NoCapacity);
    EXPECT_EQ(table->live(), GrantTable::Capacity);
    EXPECT_TRUE(table->check_invariant());
}

} // namespace
} // namespace grove

#include <core/base/hash.hpp>
#include <core/base/prng.hpp>
#include <core/base/quota.hpp>

#include <gtest/gtest.h>

namespace grove {
namespace {

TEST(Prng, SameSeedGivesSameSequence) {
    Prng a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 1000; ++i) {
        u64 x = a.next();
        EXPECT_EQ(x, b.next());
        differs |= x != c.next();
    }
    EXPECT_TRUE(differs);
}

TEST(Prng, MatchesTheReferenceXoshiro256StarStar) {
    // The reference implementation's outputs from the raw state {1, 2, 3, 4}.
    Prng p = Prng::from_state(1, 2, 3, 4);
    EXPECT_EQ(p.next(), 11520u);
    EXPECT_EQ(p.next(), 0u);
    EXPECT_EQ(p.next(), 1509978240u);
    EXPECT_EQ(p.next(), 1215971899390074240u);
}

TEST(Prng, BelowStaysInRange) {
    Prng p(7);
    for (int i = 0; i < 10000; ++i) EXPECT_LT(p.below(10), 10u);
    for (int i = 0; i < 1000; ++i) {
        u64 v = p.between(5, 9);
        EXPECT_GE(v, 5u);
        EXPECT_LE(v, 9u);
    }
}

TEST(Fnv1a64, MatchesPublishedTestVectors) {
    Fnv1a64 empty;
    EXPECT_EQ(empty.digest(), 0xcbf29ce484222325ULL);
    Fnv1a64 a;
    a.update("a", 1);
    EXPECT_EQ(a.digest(), 0xaf63dc4c8601ec8cULL);
    Fnv1a64 foobar;
    foobar.update("foobar", 6);
    EXPECT_EQ(foobar.digest(), 0x85944171f73967e8ULL);
}

TEST(Quota, WithdrawIsAllOrNothing) {
    Quota<Bytes> q(Bytes(100));
    EXPECT_TRUE(q.try_withdraw(Bytes(60)));
    EXPECT_FALSE(q.try_withdraw(Bytes(41)));
    EXPECT_EQ(q.used(), Bytes(60));
    EXPECT_TRUE(q.try_withdraw(Bytes(40)));
    EXPECT_EQ(q.available(), Bytes(0));
    EXPECT_TRUE(q.replenish(Bytes(100)));
    EXPECT_EQ(q.used(), Bytes(0));
    EXPECT_EQ(q.peak(), Bytes(100));
    EXPECT_FALSE(q.replenish(Bytes(1)));
}

TEST(Units, ConversionsRoundUpToWholePages) {
    EXPECT_EQ(pages_for(Bytes(0)), PageCount(0));
    EXPECT_EQ(pages_for(Bytes(1)), PageCount(1));
    EXPECT_EQ(pages_for(Bytes(4096)), PageCount(1));
    EXPECT_EQ(pages_for(Bytes(4097)), PageCount(2));
    EXPECT_EQ(bytes_of(PageCount(3)), Bytes(12288));
    EXPECT_EQ(milliseconds(2), Ticks(2'000'000));
}

} // namespace
} // namespace grove

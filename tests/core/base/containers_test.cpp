#include <core/base/fixed_string.hpp>
#include <core/base/intrusive_list.hpp>
#include <core/base/ring_buffer.hpp>
#include <core/base/slot_table.hpp>
#include <core/base/static_vector.hpp>

#include <gtest/gtest.h>

namespace grove {
namespace {

TEST(StaticVector, RefusesPushBeyondCapacityAndKeepsContents) {
    StaticVector<int, 3> v;
    EXPECT_TRUE(v.push_back(1));
    EXPECT_TRUE(v.push_back(2));
    EXPECT_TRUE(v.push_back(3));
    EXPECT_FALSE(v.push_back(4));
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[2], 3);
}

TEST(StaticVector, EraseKeepsOrder) {
    StaticVector<int, 4> v;
    for (int i : {10, 20, 30, 40}) ASSERT_TRUE(v.push_back(i));
    v.erase_at(1);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0], 10);
    EXPECT_EQ(v[1], 30);
    EXPECT_EQ(v[2], 40);
}

TEST(RingBuffer, IsFifoAndNeverOverwritesWhenFull) {
    RingBuffer<int, 4> r;
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(r.push(i));
    EXPECT_TRUE(r.is_full());
    EXPECT_FALSE(r.push(99));
    int out = -1;
    for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(r.pop(out));
        EXPECT_EQ(out, i);
    }
    EXPECT_FALSE(r.pop(out));
}

TEST(RingBuffer, WrapsAroundManyTimes) {
    RingBuffer<u64, 8> r;
    u64 next_in = 0, next_out = 0;
    for (int round = 0; round < 1000; ++round) {
        for (int i = 0; i < 5; ++i) ASSERT_TRUE(r.push(next_in++));
        for (int i = 0; i < 5; ++i) {
            u64 v = 0;
            ASSERT_TRUE(r.pop(v));
            EXPECT_EQ(v, next_out++);
        }
    }
}

struct Item {
    int value;
    IntrusiveListNode node;
};

TEST(IntrusiveList, PushPopAndRemoveFromTheMiddle) {
    Item a{1, {}}, b{2, {}}, c{3, {}};
    IntrusiveList<Item, &Item::node> list;
    list.push_back(a);
    list.push_back(b);
    list.push_back(c);
    EXPECT_EQ(list.size(), 3u);
    list.remove(b);
    EXPECT_FALSE(b.node.is_linked());
    EXPECT_FALSE(list.contains(b));
    int seen[2]{};
    int n = 0;
    for (Item& i : list) seen[n++] = i.value;
    EXPECT_EQ(n, 2);
    EXPECT_EQ(seen[0], 1);
    EXPECT_EQ(seen[1], 3);
    EXPECT_EQ(list.pop_front(), &a);
    EXPECT_EQ(list.pop_front(), &c);
    EXPECT_EQ(list.pop_front(), nullptr);
}

TEST(SlotTable, StaleReferenceIsRejectedAfterRemoval) {
    SlotTable<int, 4> t;
    SlotRef r = t.insert(5);
    ASSERT_FALSE(r.is_null());
    EXPECT_EQ(*t.get(r), 5);
    EXPECT_TRUE(t.remove(r));
    EXPECT_EQ(t.get(r), nullptr);
    EXPECT_FALSE(t.remove(r));
    SlotRef again = t.insert(6);
    EXPECT_EQ(again.index, r.index);           // lowest free slot is reused...
    EXPECT_NE(again.generation, r.generation); // ...under a new generation
    EXPECT_EQ(t.get(r), nullptr);
    EXPECT_EQ(*t.get(again), 6);
}

TEST(SlotTable, RefusesInsertWhenFullAndOutOfRangeIndex) {
    SlotTable<int, 2> t;
    ASSERT_FALSE(t.insert(1).is_null());
    ASSERT_FALSE(t.insert(2).is_null());
    EXPECT_TRUE(t.insert(3).is_null());
    EXPECT_EQ(t.get(SlotRef{7, 1}), nullptr);
    EXPECT_EQ(t.get(SlotRef{0, 0}), nullptr);
}

TEST(FixedString, RejectsTooLongAndEmbeddedNul) {
    EXPECT_TRUE(FixedString<4>::from("abcd").has_value());
    EXPECT_EQ(FixedString<4>::from("abcde").error(), Error::InvalidArgument);
    char const with_nul[] = {'a', '\0', 'b'};
    EXPECT_EQ(FixedString<4>::from(with_nul, 3).error(), Error::InvalidArgument);
    auto s = FixedString<8>::from("echo").release_value();
    EXPECT_STREQ(s.c_str(), "echo");
    EXPECT_TRUE(s.equals("echo", 4));
    EXPECT_FALSE(s.equals("echos", 5));
}

} // namespace
} // namespace grove

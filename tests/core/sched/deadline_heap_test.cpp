#include <core/base/prng.hpp>
#include <core/sched/deadline_heap.hpp>

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace grove {
namespace {

TEST(DeadlineHeap, PopsByDeadlineThenIndex) {
    DeadlineHeap<8> heap;
    heap.insert(5, Ticks(100));
    heap.insert(1, Ticks(100));
    heap.insert(7, Ticks(50));
    heap.insert(0, Ticks(300));
    heap.insert(3, Ticks(100));
    u32 const expected[] = {7, 1, 3, 5, 0};
    for (u32 index : expected) {
        ASSERT_FALSE(heap.is_empty());
        EXPECT_EQ(heap.pop().index, index);
    }
    EXPECT_TRUE(heap.is_empty());
}

TEST(DeadlineHeap, RemovesAnyEntry) {
    DeadlineHeap<8> heap;
    for (u32 i = 0; i < 8; ++i) heap.insert(i, Ticks(80 - 10 * u64{i}));
    heap.remove(7); // the earliest
    heap.remove(2);
    heap.remove(0); // the latest
    EXPECT_FALSE(heap.contains(2));
    EXPECT_EQ(heap.size(), 5u);
    u32 const expected[] = {6, 5, 4, 3, 1};
    for (u32 index : expected) EXPECT_EQ(heap.pop().index, index);
}

// Random inserts and removals against an ordered set: the heap's earliest entry always matches.
TEST(DeadlineHeap, MatchesAnOrderedSetUnderRandomOperations) {
    constexpr u32 N = 64;
    DeadlineHeap<N> heap;
    std::set<std::pair<u64, u32>> reference;
    u64 deadline_of[N]{};
    Prng prng(7);
    for (int step = 0; step < 20000; ++step) {
        u32 const index = static_cast<u32>(prng.below(N));
        if (heap.contains(index)) {
            heap.remove(index);
            reference.erase({deadline_of[index], index});
        } else {
            deadline_of[index] = prng.below(50); // many equal deadlines
            heap.insert(index, Ticks(deadline_of[index]));
            reference.insert({deadline_of[index], index});
        }
        ASSERT_EQ(heap.size(), reference.size());
        if (!reference.empty()) {
            EXPECT_EQ(heap.top().deadline.value, reference.begin()->first);
            EXPECT_EQ(heap.top().index, reference.begin()->second);
        }
    }
}

} // namespace
} // namespace grove

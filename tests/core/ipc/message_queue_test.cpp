#include <core/ipc/message_queue.hpp>
#include <tests/core/ipc/ipc_test_support.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace grove {
namespace {

using test::CapacityName;
using test::id_of;
using test::make_message;

// Slot links are the narrowest type that holds every slot index and the end mark.
static_assert(std::is_same_v<BasicMessageQueue<255>::Link, u8>);
static_assert(std::is_same_v<BasicMessageQueue<256>::Link, u16>);
static_assert(std::is_same_v<MessageQueue::Link, u8>);

// Every test runs at the kernel's capacity, at both sides of the change of link type, and at 1024.
template<typename Queue>
class MessageQueueTest : public ::testing::Test {};
using Queues = ::testing::Types<MessageQueue, BasicMessageQueue<255>, BasicMessageQueue<256>, BasicMessageQueue<1024>>;
TYPED_TEST_SUITE(MessageQueueTest, Queues, CapacityName);

TYPED_TEST(MessageQueueTest, IsEmptyThenFullAndChecksOut) {
    auto queue = std::make_unique<TypeParam>();
    EXPECT_TRUE(queue->is_empty());
    EXPECT_TRUE(queue->check());
    for (u64 i = 0; i < TypeParam::Capacity; ++i)
        queue->push(make_message(static_cast<u8>(i % TypeParam::Levels), i), 0, MessageOrigin{});
    EXPECT_TRUE(queue->is_full());
    EXPECT_EQ(queue->size(), TypeParam::Capacity);
    EXPECT_TRUE(queue->check());
    EXPECT_EQ(queue->top_priority(), 31);
}

// Filled to capacity with priorities in a scrambled order, the queue gives back every message, highest priority
// first and in order of arrival within a priority, and is empty and sound afterwards.
TYPED_TEST(MessageQueueTest, ServesAFullQueueByPriorityThenInOrderOfArrival) {
    auto queue = std::make_unique<TypeParam>();
    auto const priority_of = [](u64 id) { return static_cast<u8>((id * 7 + id / 5) % TypeParam::Levels); };
    for (u64 id = 0; id < TypeParam::Capacity; ++id)
        queue->push(make_message(priority_of(id), id), 0, MessageOrigin{static_cast<u8>(id % 64), {}});
    ASSERT_TRUE(queue->is_full());
    ASSERT_TRUE(queue->check());

    abi::Message out{};
    i32 last_priority = static_cast<i32>(TypeParam::Levels);
    u64 last_id = 0;
    for (u64 served = 0; served < TypeParam::Capacity; ++served) {
        ReplyToken reply{};
        u8 const expected_priority = queue->top_priority();
        u8 const grove = queue->pop(out, reply);
        u64 const id = id_of(out);
        ASSERT_EQ(out.header.priority, expected_priority);
        ASSERT_EQ(out.header.priority, priority_of(id));
        ASSERT_EQ(grove, id % 64);
        if (out.header.priority == last_priority) ASSERT_GT(id, last_id) << "FIFO within priority " << last_priority;
        else ASSERT_LT(out.header.priority, last_priority) << "a lower priority was served first";
        last_priority = out.header.priority;
        last_id = id;
    }
    EXPECT_TRUE(queue->is_empty());
    EXPECT_EQ(queue->size(), 0u);
    EXPECT_TRUE(queue->check());
}

TYPED_TEST(MessageQueueTest, KeepsOrderAcrossManyReusesOfSlots) {
    auto queue = std::make_unique<TypeParam>();
    u64 next = 0;
    abi::Message out{};
    for (int round = 0; round < 1000; ++round) {
        for (int i = 0; i < 3; ++i) queue->push(make_message(7, next++), 0, MessageOrigin{u8(i), {}});
        u64 first = next - 3;
        for (int i = 0; i < 3; ++i) {
            ReplyToken reply{};
            u8 const grove = queue->pop(out, reply);
            EXPECT_EQ(id_of(out), first + static_cast<u64>(i));
            EXPECT_EQ(grove, i);
            EXPECT_TRUE(reply.is_null());
        }
        ASSERT_TRUE(queue->check());
    }
}

TYPED_TEST(MessageQueueTest, StoresTheGivenFlags) {
    auto queue = std::make_unique<TypeParam>();
    abi::Message m = make_message(0, 1);
    m.header.flags = 0xff;
    queue->push(m, abi::MessageFlagCall, MessageOrigin{});
    abi::Message out{};
    ReplyToken reply{};
    (void)queue->pop(out, reply);
    EXPECT_EQ(out.header.flags, abi::MessageFlagCall);
}

} // namespace
} // namespace grove

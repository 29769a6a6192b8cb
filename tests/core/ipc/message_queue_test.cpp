#include <core/ipc/message_queue.hpp>
#include <tests/core/ipc/ipc_test_support.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace grove {
namespace {

using test::id_of;
using test::make_message;

TEST(MessageQueue, IsEmptyThenFullAndChecksOut) {
    auto queue = std::make_unique<MessageQueue>();
    EXPECT_TRUE(queue->is_empty());
    EXPECT_TRUE(queue->check());
    for (u64 i = 0; i < MessageQueue::Capacity; ++i)
        queue->push(make_message(static_cast<u8>(i % MessageQueue::Levels), i), 0, MessageOrigin{});
    EXPECT_TRUE(queue->is_full());
    EXPECT_TRUE(queue->check());
    EXPECT_EQ(queue->top_priority(), 31);
}

TEST(MessageQueue, KeepsOrderAcrossManyReusesOfSlots) {
    auto queue = std::make_unique<MessageQueue>();
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

TEST(MessageQueue, StoresTheGivenFlags) {
    auto queue = std::make_unique<MessageQueue>();
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

#include <core/ipc/endpoint_table.hpp>
#include <tests/core/ipc/ipc_test_support.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace grove {
namespace {

using test::drain;
using test::id_of;
using test::make_message;

struct EndpointTableTest : ::testing::Test {
    std::unique_ptr<EndpointTable> table = std::make_unique<EndpointTable>();
    WakeList woken;
    ~EndpointTableTest() override {
        EXPECT_TRUE(woken.is_empty());
        EXPECT_TRUE(table->check_invariant());
    }
    // `client` calls `server` with a request carrying `id`, and a server thread takes the request at once;
    // returns its reply token (null on failure).
    ReplyToken call_and_take(EndpointRef server, IpcWaiter& client, u64 id) {
        client.message = make_message(3, id);
        if (!table->call(server, client, Ticks(0), woken).has_value()) return {};
        abi::Message request{};
        ReplyToken token;
        if (!table->try_receive(server, request, token, woken).has_value() || id_of(request) != id) return {};
        return token;
    }
};

TEST_F(EndpointTableTest, CallAndReplyRoundTrip) {
    EndpointRef server = table->open(1).value();
    IpcWaiter server_thread, client;
    client.grove = 2;
    client.message = make_message(3, 500);
    server_thread.grove = 1;

    ASSERT_EQ(table->receive(server, server_thread, Ticks(0), woken).value(), ReceiveStatus::Blocked);
    ASSERT_EQ(table->call(server, client, Ticks(0), woken).value(), SendStatus::Delivered);
    EXPECT_EQ(client.kind, WaitKind::AwaitingReply);
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 1u);
    ASSERT_EQ(w[0], &server_thread);
    EXPECT_EQ(id_of(server_thread.message), 500u);
    EXPECT_NE(server_thread.message.header.flags & abi::MessageFlagCall, 0);
    ReplyToken token = server_thread.reply_token;
    ASSERT_FALSE(token.is_null());

    ASSERT_TRUE(table->reply(token, 1, make_message(0, 501), woken).has_value());
    w = drain(woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0], &client);
    EXPECT_EQ(client.outcome, WaitOutcome::Completed);
    EXPECT_EQ(id_of(client.message), 501u);
    // A second reply with the same token finds nobody waiting.
    EXPECT_EQ(table->reply(token, 1, make_message(0, 502), woken).error(), Error::PeerClosed);
    EXPECT_EQ(table->grove_counters(1).refused_for(Refusal::PeerClosed), 1u);
    EXPECT_EQ(table->reply(ReplyToken{}, 1, make_message(0, 503), woken).error(), Error::InvalidState);
}

TEST_F(EndpointTableTest, ReplyToACallerThatTimedOutIsRefused) {
    EndpointRef server = table->open(1).value();
    IpcWaiter client;
    client.grove = 2;
    client.deadline = Ticks(1000);
    client.message = make_message(3, 1);
    ASSERT_EQ(table->call(server, client, Ticks(0), woken).value(), SendStatus::Queued);
    abi::Message request{};
    ReplyToken token;
    ASSERT_TRUE(table->try_receive(server, request, token, woken).has_value());
    EXPECT_EQ(table->next_deadline(), Ticks(1000));
    table->expire(Ticks(1000), woken);
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(client.outcome, WaitOutcome::TimedOut);
    EXPECT_EQ(table->reply(token, 1, make_message(0, 2), woken).error(), Error::PeerClosed);
    EXPECT_TRUE(woken.is_empty());
}

TEST_F(EndpointTableTest, StaleTokenDoesNotReachALaterCallOfTheSameWaiter) {
    EndpointRef server = table->open(1).value();
    IpcWaiter client;
    ReplyToken first = call_and_take(server, client, 1);
    ASSERT_FALSE(first.is_null());
    ASSERT_TRUE(table->cancel(client, WaitOutcome::TimedOut));
    // The same waiter calls again: the old token must not answer the new call.
    ReplyToken second = call_and_take(server, client, 2);
    ASSERT_FALSE(second.is_null());
    EXPECT_EQ(table->reply(first, 1, make_message(0, 9), woken).error(), Error::PeerClosed);
    EXPECT_EQ(client.kind, WaitKind::AwaitingReply);
    ASSERT_TRUE(table->reply(second, 1, make_message(0, 10), woken).has_value());
    EXPECT_EQ(drain(woken).size(), 1u);
    EXPECT_EQ(id_of(client.message), 10u);
}

TEST_F(EndpointTableTest, AbandonedCallWakesTheCallerWithPeerClosed) {
    EndpointRef server = table->open(1).value();
    IpcWaiter client;
    ReplyToken token = call_and_take(server, client, 1);
    ASSERT_FALSE(token.is_null());
    table->abandon_reply(token, woken);
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(client.outcome, WaitOutcome::PeerClosed);
    table->abandon_reply(token, woken); // stale: nothing happens
    EXPECT_TRUE(woken.is_empty());
}

TEST_F(EndpointTableTest, ServerDeathWakesCallersSendersAndReceiversWithPeerClosed) {
    EndpointRef server = table->open(1).value();
    // One call already received (awaiting reply), then a full queue with one more call queued, then a blocked
    // sender and a blocked caller.
    IpcWaiter received_caller, queued_caller, blocked_sender, blocked_caller;
    received_caller.message = make_message(0, 1);
    ASSERT_TRUE(table->call(server, received_caller, Ticks(0), woken).has_value());
    abi::Message request{};
    ReplyToken token;
    ASSERT_TRUE(table->try_receive(server, request, token, woken).has_value());
    queued_caller.message = make_message(0, 2);
    ASSERT_EQ(table->call(server, queued_caller, Ticks(0), woken).value(), SendStatus::Queued);
    for (u64 i = 1; i < Endpoint::Capacity; ++i)
        ASSERT_TRUE(table->try_send(server, 3, make_message(1, 100 + i), woken).has_value());
    ASSERT_EQ(table->send(server, blocked_sender, Ticks(0), woken).value(), SendStatus::Blocked);
    ASSERT_EQ(table->call(server, blocked_caller, Ticks(0), woken).value(), SendStatus::Blocked);
    EXPECT_TRUE(table->check_invariant());

    IpcCounters final_counters = table->close(server, woken).value();
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 4u);
    EXPECT_EQ(w[0], &blocked_sender); // senders first, in arrival order...
    EXPECT_EQ(w[1], &blocked_caller);
    EXPECT_EQ(w[2], &received_caller); // ...then callers, in the order their requests went through
    EXPECT_EQ(w[3], &queued_caller);
    for (IpcWaiter* waiter : w) EXPECT_EQ(waiter->outcome, WaitOutcome::PeerClosed);
    EXPECT_EQ(final_counters.queued, 0u);
    EXPECT_EQ(final_counters.refused_for(Refusal::PeerClosed), Endpoint::Capacity + 2);
    EXPECT_EQ(final_counters.delivered, 1u);
    EXPECT_TRUE(final_counters.is_balanced());

    // The old reference reaches nothing, even after the slot is reused.
    EndpointRef again = table->open(1).value();
    EXPECT_EQ(again.slot.index, server.slot.index);
    EXPECT_NE(again, server);
    EXPECT_FALSE(table->is_live(server));
    EXPECT_EQ(table->try_send(server, 3, make_message(0, 1), woken).error(), Error::PeerClosed);
    abi::Message out{};
    EXPECT_EQ(table->try_receive(server, out, token, woken).error(), Error::PeerClosed);
    EXPECT_EQ(table->close(server, woken).error(), Error::PeerClosed);
    EXPECT_EQ(table->reply(token, 1, make_message(0, 1), woken).error(), Error::PeerClosed);
    EXPECT_EQ(table->find(again)->queued(), 0u);
}

TEST_F(EndpointTableTest, KernelRefusalsAreCountedAgainstGroveAndEndpoint) {
    EndpointRef server = table->open(1).value();
    table->refuse(4, server, Refusal::RateLimited, abi::MessageHeader{});
    table->refuse(4, EndpointRef{}, Refusal::BadHandle, abi::MessageHeader{});
    table->refuse(4, server, Refusal::AccessDenied, abi::MessageHeader{});
    IpcCounters const& grove = table->grove_counters(4);
    EXPECT_EQ(grove.sent, 3u);
    EXPECT_EQ(grove.refused_for(Refusal::RateLimited), 1u);
    EXPECT_EQ(grove.refused_for(Refusal::BadHandle), 1u);
    EXPECT_EQ(grove.refused_for(Refusal::AccessDenied), 1u);
    EXPECT_EQ(table->find(server)->counters().sent, 2u);
    EXPECT_EQ(error_of(Refusal::RateLimited), Error::LimitExceeded);
}

TEST_F(EndpointTableTest, OpensAtMostCapacityEndpointsAndRejectsBadOwners) {
    EXPECT_EQ(table->open(64).error(), Error::InvalidArgument);
    for (usize i = 0; i < EndpointTable::Capacity; ++i) ASSERT_TRUE(table->open(static_cast<u8>(i)).has_value());
    EXPECT_EQ(table->open(0).error(), Error::NoCapacity);
    EXPECT_EQ(table->size(), EndpointTable::Capacity);
}

TEST_F(EndpointTableTest, ExpireVisitsEndpointsInSlotOrder) {
    EndpointRef a = table->open(1).value();
    EndpointRef b = table->open(2).value();
    IpcWaiter on_b, on_a;
    on_b.deadline = Ticks(10);
    on_a.deadline = Ticks(20);
    ASSERT_TRUE(table->receive(b, on_b, Ticks(0), woken).has_value());
    ASSERT_TRUE(table->receive(a, on_a, Ticks(0), woken).has_value());
    EXPECT_EQ(table->next_deadline(), Ticks(10));
    table->expire(Ticks(30), woken);
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0], &on_a);
    EXPECT_EQ(w[1], &on_b);
}

} // namespace
} // namespace grove

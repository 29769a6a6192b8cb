#include <core/ipc/endpoint.hpp>
#include <tests/core/ipc/ipc_test_support.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace grove {
namespace {

using test::drain;
using test::id_of;
using test::make_message;

struct EndpointFixture : ::testing::Test {
    std::unique_ptr<IpcLedger> ledger = std::make_unique<IpcLedger>();
    std::unique_ptr<Endpoint> endpoint = std::make_unique<Endpoint>(u8{1}, *ledger);
    WakeList woken;

    u64 receive_id() {
        abi::Message out{};
        ReplyToken reply;
        auto r = endpoint->try_receive(out, reply, woken);
        EXPECT_TRUE(r.has_value());
        return r.has_value() ? id_of(out) : ~u64{0};
    }
    void fill(u64 first_id = 0) {
        for (u64 i = 0; i < Endpoint::Capacity; ++i)
            ASSERT_TRUE(endpoint->try_send(2, make_message(5, first_id + i), woken).has_value());
    }
    ~EndpointFixture() override { EXPECT_TRUE(woken.is_empty()); }
};

using EndpointTest = EndpointFixture;

TEST_F(EndpointTest, ServesHighestPriorityFirstAndFifoWithinAPriority) {
    u8 const priorities[] = {3, 31, 0, 3, 17, 31, 0, 17, 3};
    for (u64 i = 0; i < sizeof priorities; ++i)
        ASSERT_EQ(endpoint->try_send(2, make_message(priorities[i], i), woken).value(), SendStatus::Queued);
    u64 const expected[] = {1, 5, 4, 7, 0, 3, 8, 2, 6};
    for (u64 id : expected) EXPECT_EQ(receive_id(), id);
    EXPECT_TRUE(endpoint->check_invariant());
    EXPECT_EQ(endpoint->counters().delivered, 9u);
}

TEST_F(EndpointTest, RefusesNonBlockingSendWhenFullAndKeepsEveryMessage) {
    fill();
    EXPECT_EQ(endpoint->queued(), Endpoint::Capacity);
    auto r = endpoint->try_send(2, make_message(31, 999), woken);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::WouldBlock);
    EXPECT_EQ(endpoint->counters().refused_for(Refusal::QueueFull), 1u);
    EXPECT_TRUE(endpoint->check_invariant());
    for (u64 i = 0; i < Endpoint::Capacity; ++i) EXPECT_EQ(receive_id(), i);
    abi::Message out{};
    ReplyToken reply;
    EXPECT_EQ(endpoint->try_receive(out, reply, woken).error(), Error::WouldBlock);
    IpcCounters const& c = endpoint->counters();
    EXPECT_EQ(c.sent, Endpoint::Capacity + 1);
    EXPECT_EQ(c.delivered, Endpoint::Capacity);
    EXPECT_EQ(c.queued, 0u);
    EXPECT_TRUE(c.is_balanced());
}

TEST_F(EndpointTest, RefusesInvalidHeaders) {
    abi::Message m = make_message(32, 1);
    EXPECT_EQ(endpoint->try_send(2, m, woken).error(), Error::InvalidArgument);
    m = make_message(1, 1);
    m.header.length = abi::MessagePayloadSize + 1;
    EXPECT_EQ(endpoint->try_send(2, m, woken).error(), Error::InvalidArgument);
    m = make_message(1, 1);
    m.header.reserved = 1;
    EXPECT_EQ(endpoint->try_send(2, m, woken).error(), Error::InvalidArgument);
    EXPECT_EQ(endpoint->counters().refused_for(Refusal::Invalid), 3u);
    EXPECT_EQ(ledger->grove(2).refused_for(Refusal::Invalid), 3u);
    EXPECT_EQ(endpoint->queued(), 0u);
    EXPECT_TRUE(endpoint->check_invariant());
}

TEST_F(EndpointTest, BlockedSendersAreAdmittedInOrderOfArrivalAsSpaceFrees) {
    fill();
    IpcWaiter senders[3];
    u8 const priorities[] = {1, 30, 15};
    for (int i = 0; i < 3; ++i) {
        senders[i].grove = 3;
        senders[i].message = make_message(priorities[i], 100 + static_cast<u64>(i));
        ASSERT_EQ(endpoint->send(senders[i], Ticks(0), woken).value(), SendStatus::Blocked);
        EXPECT_EQ(senders[i].kind, WaitKind::Sending);
    }
    EXPECT_EQ(endpoint->blocked_senders(), 3u);
    EXPECT_TRUE(endpoint->check_invariant());
    // Blocked messages are not yet counted as sent.
    EXPECT_EQ(ledger->grove(3).sent, 0u);

    // Each receive frees one slot, which the longest-waiting sender takes: arrival order, not priority. The
    // admitted messages are then served by priority (101 at 30 overtakes the 5s).
    u64 const received[] = {0, 1, 101};
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(receive_id(), received[i]);
        auto w = drain(woken);
        ASSERT_EQ(w.size(), 1u);
        EXPECT_EQ(w[0], &senders[i]);
        EXPECT_EQ(senders[i].outcome, WaitOutcome::Completed);
        EXPECT_TRUE(endpoint->check_invariant());
    }
    EXPECT_EQ(ledger->grove(3).sent, 3u);
    EXPECT_EQ(ledger->grove(3).queued, 2u);
    EXPECT_EQ(ledger->grove(3).delivered, 1u);
    EXPECT_EQ(receive_id(), 102u); // priority 15
    EXPECT_EQ(receive_id(), 2u);   // then the 5s in order
}

TEST_F(EndpointTest, WaitingReceiverGetsTheMessageHandedDirectly) {
    IpcWaiter receiver;
    ASSERT_EQ(endpoint->receive(receiver, Ticks(0), woken).value(), ReceiveStatus::Blocked);
    EXPECT_EQ(receiver.kind, WaitKind::Receiving);
    ASSERT_EQ(endpoint->try_send(2, make_message(7, 42), woken).value(), SendStatus::Delivered);
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0], &receiver);
    EXPECT_EQ(receiver.outcome, WaitOutcome::Completed);
    EXPECT_EQ(id_of(receiver.message), 42u);
    EXPECT_TRUE(receiver.reply_token.is_null());
    EXPECT_EQ(endpoint->queued(), 0u);
    EXPECT_EQ(endpoint->counters().delivered, 1u);
    EXPECT_TRUE(endpoint->check_invariant());
}

TEST_F(EndpointTest, ReceiversAreServedInOrderOfArrival) {
    IpcWaiter receivers[3];
    for (auto& r : receivers) ASSERT_EQ(endpoint->receive(r, Ticks(0), woken).value(), ReceiveStatus::Blocked);
    for (u64 i = 0; i < 3; ++i) ASSERT_TRUE(endpoint->try_send(2, make_message(0, i), woken).has_value());
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 3u);
    for (u64 i = 0; i < 3; ++i) {
        EXPECT_EQ(w[i], &receivers[i]);
        EXPECT_EQ(id_of(receivers[i].message), i);
    }
}

TEST_F(EndpointTest, ReceiveTimesOutAtItsDeadline) {
    IpcWaiter receiver;
    receiver.deadline = Ticks(100);
    ASSERT_EQ(endpoint->receive(receiver, Ticks(10), woken).value(), ReceiveStatus::Blocked);
    EXPECT_EQ(endpoint->next_deadline(), Ticks(100));
    endpoint->expire(Ticks(99), woken);
    EXPECT_TRUE(woken.is_empty());
    endpoint->expire(Ticks(100), woken);
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(receiver.outcome, WaitOutcome::TimedOut);
    EXPECT_EQ(result_of(receiver.outcome).error(), Error::TimedOut);
    EXPECT_FALSE(receiver.is_waiting());
    EXPECT_EQ(endpoint->next_deadline(), Ticks::max());
    // A message sent afterwards is queued, not handed to the departed receiver.
    ASSERT_EQ(endpoint->try_send(2, make_message(0, 1), woken).value(), SendStatus::Queued);
}

TEST_F(EndpointTest, ReceiveWithPastDeadlineOnEmptyQueueTimesOutAtOnce) {
    IpcWaiter receiver;
    receiver.deadline = Ticks(5);
    EXPECT_EQ(endpoint->receive(receiver, Ticks(5), woken).error(), Error::TimedOut);
    EXPECT_FALSE(receiver.is_waiting());
}

TEST_F(EndpointTest, BlockedSenderTimesOutAndIsCountedAsRefused) {
    fill();
    IpcWaiter sender;
    sender.grove = 4;
    sender.deadline = Ticks(50);
    sender.message = make_message(9, 77);
    ASSERT_EQ(endpoint->send(sender, Ticks(0), woken).value(), SendStatus::Blocked);
    endpoint->expire(Ticks(60), woken);
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(sender.outcome, WaitOutcome::TimedOut);
    EXPECT_EQ(ledger->grove(4).refused_for(Refusal::TimedOut), 1u);
    EXPECT_TRUE(ledger->grove(4).is_balanced());
    EXPECT_TRUE(endpoint->check_invariant());
}

TEST_F(EndpointTest, CancelEndsAWaitWithoutWakeList) {
    fill();
    IpcWaiter sender;
    sender.message = make_message(9, 77);
    ASSERT_EQ(endpoint->send(sender, Ticks(0), woken).value(), SendStatus::Blocked);
    EXPECT_TRUE(endpoint->cancel(sender, WaitOutcome::PeerClosed));
    EXPECT_FALSE(endpoint->cancel(sender, WaitOutcome::PeerClosed));
    EXPECT_EQ(sender.outcome, WaitOutcome::PeerClosed);
    EXPECT_EQ(endpoint->blocked_senders(), 0u);
    EXPECT_EQ(endpoint->counters().refused_for(Refusal::PeerClosed), 1u);
    EXPECT_TRUE(endpoint->check_invariant());
}

TEST_F(EndpointTest, CloseWakesEveryoneWithPeerClosedAndReclaimsMessages) {
    IpcWaiter receiver;
    ASSERT_EQ(endpoint->receive(receiver, Ticks(0), woken).value(), ReceiveStatus::Blocked);
    endpoint->close(woken);
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(receiver.outcome, WaitOutcome::PeerClosed);

    // A second endpoint with a full queue, blocked senders and callers.
    Endpoint full(1, *ledger);
    for (u64 i = 0; i < Endpoint::Capacity; ++i)
        ASSERT_TRUE(full.try_send(static_cast<u8>(i % 3), make_message(static_cast<u8>(i % 32), i), woken));
    IpcWaiter sender, caller;
    sender.grove = 5;
    caller.grove = 6;
    ASSERT_EQ(full.send(sender, Ticks(0), woken).value(), SendStatus::Blocked);
    ASSERT_EQ(full.call(caller, Ticks(0), woken).value(), SendStatus::Blocked);
    full.close(woken);
    w = drain(woken);
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0], &sender);
    EXPECT_EQ(w[1], &caller);
    EXPECT_EQ(sender.outcome, WaitOutcome::PeerClosed);
    EXPECT_EQ(caller.outcome, WaitOutcome::PeerClosed);
    IpcCounters const& c = full.counters();
    EXPECT_EQ(c.queued, 0u);
    EXPECT_EQ(c.refused_for(Refusal::PeerClosed), Endpoint::Capacity + 2);
    EXPECT_TRUE(full.check_invariant());
    EXPECT_TRUE(ledger->is_balanced());
    EXPECT_EQ(ledger->queued_total(), 0u);

    // Afterwards everything is refused with PeerClosed.
    EXPECT_EQ(full.try_send(0, make_message(0, 1), woken).error(), Error::PeerClosed);
    abi::Message out{};
    ReplyToken reply;
    EXPECT_EQ(full.try_receive(out, reply, woken).error(), Error::PeerClosed);
    IpcWaiter late;
    EXPECT_EQ(full.receive(late, Ticks(0), woken).error(), Error::PeerClosed);
    EXPECT_TRUE(full.check_invariant());
}

TEST_F(EndpointTest, CallRequestCarriesAReplyTokenThatNamesTheCaller) {
    IpcWaiter caller;
    caller.grove = 3;
    caller.message = make_message(4, 11);
    ASSERT_EQ(endpoint->call(caller, Ticks(0), woken).value(), SendStatus::Queued);
    EXPECT_EQ(caller.kind, WaitKind::AwaitingReply);
    abi::Message request{};
    ReplyToken token;
    ASSERT_TRUE(endpoint->try_receive(request, token, woken).has_value());
    EXPECT_NE(request.header.flags & abi::MessageFlagCall, 0);
    EXPECT_EQ(Endpoint::resolve(token), &caller);
    ASSERT_TRUE(endpoint->reply(caller, 1, make_message(0, 12), woken).has_value());
    auto w = drain(woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(caller.outcome, WaitOutcome::Completed);
    EXPECT_EQ(id_of(caller.message), 12u);
    EXPECT_EQ(caller.message.header.flags & abi::MessageFlagCall, 0);
    EXPECT_EQ(Endpoint::resolve(token), nullptr); // used once
    EXPECT_TRUE(endpoint->check_invariant());
}

TEST_F(EndpointTest, SendClearsTheCallFlagAndKeepsTheKernelFlag) {
    abi::Message m = make_message(1, 1);
    m.header.flags = abi::MessageFlagCall | abi::MessageFlagKernel;
    ASSERT_TRUE(endpoint->try_send(0, m, woken).has_value());
    abi::Message out{};
    ReplyToken reply;
    ASSERT_TRUE(endpoint->try_receive(out, reply, woken).has_value());
    EXPECT_EQ(out.header.flags, abi::MessageFlagKernel);
    EXPECT_TRUE(reply.is_null());
}

} // namespace
} // namespace grove

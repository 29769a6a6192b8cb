#include <core/ipc/endpoint.hpp>
#include <tests/core/ipc/ipc_test_support.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace grove {
namespace {

using test::CapacityName;
using test::drain;
using test::id_of;
using test::make_message;

// Every test runs at the kernel's capacity (Endpoint, 64 messages) and at 1024: one implementation, the same
// behaviour whatever the capacity.
template<typename EndpointType>
struct EndpointTest : ::testing::Test {
    std::unique_ptr<IpcLedger> ledger = std::make_unique<IpcLedger>();
    std::unique_ptr<EndpointType> endpoint = std::make_unique<EndpointType>(u8{1}, *ledger);
    WakeList woken;

    u64 receive_id() {
        abi::Message out{};
        ReplyToken reply;
        auto r = endpoint->try_receive(out, reply, woken);
        EXPECT_TRUE(r.has_value());
        return r.has_value() ? id_of(out) : ~u64{0};
    }
    void fill(u64 first_id = 0) {
        for (u64 i = 0; i < EndpointType::Capacity; ++i)
            ASSERT_TRUE(endpoint->try_send(2, make_message(5, first_id + i), woken).has_value());
    }
    ~EndpointTest() override { EXPECT_TRUE(woken.is_empty()); }
};
using Endpoints = ::testing::Types<Endpoint, BasicEndpoint<1024>>;
TYPED_TEST_SUITE(EndpointTest, Endpoints, CapacityName);

TYPED_TEST(EndpointTest, ServesHighestPriorityFirstAndFifoWithinAPriority) {
    u8 const priorities[] = {3, 31, 0, 3, 17, 31, 0, 17, 3};
    for (u64 i = 0; i < sizeof priorities; ++i)
        ASSERT_EQ(this->endpoint->try_send(2, make_message(priorities[i], i), this->woken).value(), SendStatus::Queued);
    u64 const expected[] = {1, 5, 4, 7, 0, 3, 8, 2, 6};
    for (u64 id : expected) EXPECT_EQ(this->receive_id(), id);
    EXPECT_TRUE(this->endpoint->check_invariant());
    EXPECT_EQ(this->endpoint->counters().delivered, 9u);
}

TYPED_TEST(EndpointTest, RefusesNonBlockingSendWhenFullAndKeepsEveryMessage) {
    this->fill();
    EXPECT_EQ(this->endpoint->queued(), TypeParam::Capacity);
    auto r = this->endpoint->try_send(2, make_message(31, 999), this->woken);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::WouldBlock);
    EXPECT_EQ(this->endpoint->counters().refused_for(Refusal::QueueFull), 1u);
    EXPECT_TRUE(this->endpoint->check_invariant());
    for (u64 i = 0; i < TypeParam::Capacity; ++i) EXPECT_EQ(this->receive_id(), i);
    abi::Message out{};
    ReplyToken reply;
    EXPECT_EQ(this->endpoint->try_receive(out, reply, this->woken).error(), Error::WouldBlock);
    IpcCounters const& c = this->endpoint->counters();
    EXPECT_EQ(c.sent, TypeParam::Capacity + 1);
    EXPECT_EQ(c.delivered, TypeParam::Capacity);
    EXPECT_EQ(c.queued, 0u);
    EXPECT_TRUE(c.is_balanced());
}

TYPED_TEST(EndpointTest, RefusesInvalidHeaders) {
    abi::Message m = make_message(32, 1);
    EXPECT_EQ(this->endpoint->try_send(2, m, this->woken).error(), Error::InvalidArgument);
    m = make_message(1, 1);
    m.header.length = abi::MessagePayloadSize + 1;
    EXPECT_EQ(this->endpoint->try_send(2, m, this->woken).error(), Error::InvalidArgument);
    m = make_message(1, 1);
    m.header.reserved = 1;
    EXPECT_EQ(this->endpoint->try_send(2, m, this->woken).error(), Error::InvalidArgument);
    EXPECT_EQ(this->endpoint->counters().refused_for(Refusal::Invalid), 3u);
    EXPECT_EQ(this->ledger->grove(2).refused_for(Refusal::Invalid), 3u);
    EXPECT_EQ(this->endpoint->queued(), 0u);
    EXPECT_TRUE(this->endpoint->check_invariant());
}

TYPED_TEST(EndpointTest, BlockedSendersAreAdmittedInOrderOfArrivalAsSpaceFrees) {
    this->fill();
    IpcWaiter senders[3];
    u8 const priorities[] = {1, 30, 15};
    for (int i = 0; i < 3; ++i) {
        senders[i].grove = 3;
        senders[i].message = make_message(priorities[i], 100 + static_cast<u64>(i));
        ASSERT_EQ(this->endpoint->send(senders[i], Ticks(0), this->woken).value(), SendStatus::Blocked);
        EXPECT_EQ(senders[i].kind, WaitKind::Sending);
    }
    EXPECT_EQ(this->endpoint->blocked_senders(), 3u);
    EXPECT_TRUE(this->endpoint->check_invariant());
    // Blocked messages are not yet counted as sent.
    EXPECT_EQ(this->ledger->grove(3).sent, 0u);

    // Each receive frees one slot, which the longest-waiting sender takes: arrival order, not priority. The
    // admitted messages are then served by priority (101 at 30 overtakes the 5s).
    u64 const received[] = {0, 1, 101};
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(this->receive_id(), received[i]);
        auto w = drain(this->woken);
        ASSERT_EQ(w.size(), 1u);
        EXPECT_EQ(w[0], &senders[i]);
        EXPECT_EQ(senders[i].outcome, WaitOutcome::Completed);
        EXPECT_TRUE(this->endpoint->check_invariant());
    }
    EXPECT_EQ(this->ledger->grove(3).sent, 3u);
    EXPECT_EQ(this->ledger->grove(3).queued, 2u);
    EXPECT_EQ(this->ledger->grove(3).delivered, 1u);
    EXPECT_EQ(this->receive_id(), 102u); // priority 15
    EXPECT_EQ(this->receive_id(), 2u);   // then the 5s in order
}

TYPED_TEST(EndpointTest, WaitingReceiverGetsTheMessageHandedDirectly) {
    IpcWaiter receiver;
    ASSERT_EQ(this->endpoint->receive(receiver, Ticks(0), this->woken).value(), ReceiveStatus::Blocked);
    EXPECT_EQ(receiver.kind, WaitKind::Receiving);
    ASSERT_EQ(this->endpoint->try_send(2, make_message(7, 42), this->woken).value(), SendStatus::Delivered);
    auto w = drain(this->woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0], &receiver);
    EXPECT_EQ(receiver.outcome, WaitOutcome::Completed);
    EXPECT_EQ(id_of(receiver.message), 42u);
    EXPECT_TRUE(receiver.reply_token.is_null());
    EXPECT_EQ(this->endpoint->queued(), 0u);
    EXPECT_EQ(this->endpoint->counters().delivered, 1u);
    EXPECT_TRUE(this->endpoint->check_invariant());
}

TYPED_TEST(EndpointTest, ReceiversAreServedInOrderOfArrival) {
    IpcWaiter receivers[3];
    for (auto& r : receivers)
        ASSERT_EQ(this->endpoint->receive(r, Ticks(0), this->woken).value(), ReceiveStatus::Blocked);
    for (u64 i = 0; i < 3; ++i) ASSERT_TRUE(this->endpoint->try_send(2, make_message(0, i), this->woken).has_value());
    auto w = drain(this->woken);
    ASSERT_EQ(w.size(), 3u);
    for (u64 i = 0; i < 3; ++i) {
        EXPECT_EQ(w[i], &receivers[i]);
        EXPECT_EQ(id_of(receivers[i].message), i);
    }
}

TYPED_TEST(EndpointTest, ReceiveTimesOutAtItsDeadline) {
    IpcWaiter receiver;
    receiver.deadline = Ticks(100);
    ASSERT_EQ(this->endpoint->receive(receiver, Ticks(10), this->woken).value(), ReceiveStatus::Blocked);
    EXPECT_EQ(this->endpoint->next_deadline(), Ticks(100));
    this->endpoint->expire(Ticks(99), this->woken);
    EXPECT_TRUE(this->woken.is_empty());
    this->endpoint->expire(Ticks(100), this->woken);
    auto w = drain(this->woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(receiver.outcome, WaitOutcome::TimedOut);
    EXPECT_EQ(result_of(receiver.outcome).error(), Error::TimedOut);
    EXPECT_FALSE(receiver.is_waiting());
    EXPECT_EQ(this->endpoint->next_deadline(), Ticks::max());
    // A message sent afterwards is queued, not handed to the departed receiver.
    ASSERT_EQ(this->endpoint->try_send(2, make_message(0, 1), this->woken).value(), SendStatus::Queued);
}

TYPED_TEST(EndpointTest, ReceiveWithPastDeadlineOnEmptyQueueTimesOutAtOnce) {
    IpcWaiter receiver;
    receiver.deadline = Ticks(5);
    EXPECT_EQ(this->endpoint->receive(receiver, Ticks(5), this->woken).error(), Error::TimedOut);
    EXPECT_FALSE(receiver.is_waiting());
}

TYPED_TEST(EndpointTest, BlockedSenderTimesOutAndIsCountedAsRefused) {
    this->fill();
    IpcWaiter sender;
    sender.grove = 4;
    sender.deadline = Ticks(50);
    sender.message = make_message(9, 77);
    ASSERT_EQ(this->endpoint->send(sender, Ticks(0), this->woken).value(), SendStatus::Blocked);
    this->endpoint->expire(Ticks(60), this->woken);
    auto w = drain(this->woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(sender.outcome, WaitOutcome::TimedOut);
    EXPECT_EQ(this->ledger->grove(4).refused_for(Refusal::TimedOut), 1u);
    EXPECT_TRUE(this->ledger->grove(4).is_balanced());
    EXPECT_TRUE(this->endpoint->check_invariant());
}

TYPED_TEST(EndpointTest, CancelEndsAWaitWithoutWakeList) {
    this->fill();
    IpcWaiter sender;
    sender.message = make_message(9, 77);
    ASSERT_EQ(this->endpoint->send(sender, Ticks(0), this->woken).value(), SendStatus::Blocked);
    EXPECT_TRUE(this->endpoint->cancel(sender, WaitOutcome::PeerClosed));
    EXPECT_FALSE(this->endpoint->cancel(sender, WaitOutcome::PeerClosed));
    EXPECT_EQ(sender.outcome, WaitOutcome::PeerClosed);
    EXPECT_EQ(this->endpoint->blocked_senders(), 0u);
    EXPECT_EQ(this->endpoint->counters().refused_for(Refusal::PeerClosed), 1u);
    EXPECT_TRUE(this->endpoint->check_invariant());
}

TYPED_TEST(EndpointTest, CloseWakesEveryoneWithPeerClosedAndReclaimsMessages) {
    IpcWaiter receiver;
    ASSERT_EQ(this->endpoint->receive(receiver, Ticks(0), this->woken).value(), ReceiveStatus::Blocked);
    this->endpoint->close(this->woken);
    auto w = drain(this->woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(receiver.outcome, WaitOutcome::PeerClosed);

    // A second endpoint with a full queue, blocked senders and callers.
    TypeParam full(1, *this->ledger);
    for (u64 i = 0; i < TypeParam::Capacity; ++i)
        ASSERT_TRUE(full.try_send(static_cast<u8>(i % 3), make_message(static_cast<u8>(i % 32), i), this->woken));
    IpcWaiter sender, caller;
    sender.grove = 5;
    caller.grove = 6;
    ASSERT_EQ(full.send(sender, Ticks(0), this->woken).value(), SendStatus::Blocked);
    ASSERT_EQ(full.call(caller, Ticks(0), this->woken).value(), SendStatus::Blocked);
    full.close(this->woken);
    w = drain(this->woken);
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0], &sender);
    EXPECT_EQ(w[1], &caller);
    EXPECT_EQ(sender.outcome, WaitOutcome::PeerClosed);
    EXPECT_EQ(caller.outcome, WaitOutcome::PeerClosed);
    IpcCounters const& c = full.counters();
    EXPECT_EQ(c.queued, 0u);
    EXPECT_EQ(c.refused_for(Refusal::PeerClosed), TypeParam::Capacity + 2);
    EXPECT_TRUE(full.check_invariant());
    EXPECT_TRUE(this->ledger->is_balanced());
    EXPECT_EQ(this->ledger->queued_total(), 0u);

    // Afterwards everything is refused with PeerClosed.
    EXPECT_EQ(full.try_send(0, make_message(0, 1), this->woken).error(), Error::PeerClosed);
    abi::Message out{};
    ReplyToken reply;
    EXPECT_EQ(full.try_receive(out, reply, this->woken).error(), Error::PeerClosed);
    IpcWaiter late;
    EXPECT_EQ(full.receive(late, Ticks(0), this->woken).error(), Error::PeerClosed);
    EXPECT_TRUE(full.check_invariant());
}

TYPED_TEST(EndpointTest, CallRequestCarriesAReplyTokenThatNamesTheCaller) {
    IpcWaiter caller;
    caller.grove = 3;
    caller.message = make_message(4, 11);
    ASSERT_EQ(this->endpoint->call(caller, Ticks(0), this->woken).value(), SendStatus::Queued);
    EXPECT_EQ(caller.kind, WaitKind::AwaitingReply);
    abi::Message request{};
    ReplyToken token;
    ASSERT_TRUE(this->endpoint->try_receive(request, token, this->woken).has_value());
    EXPECT_NE(request.header.flags & abi::MessageFlagCall, 0);
    EXPECT_EQ(TypeParam::resolve(token), &caller);
    ASSERT_TRUE(this->endpoint->reply(caller, 1, make_message(0, 12), this->woken).has_value());
    auto w = drain(this->woken);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(caller.outcome, WaitOutcome::Completed);
    EXPECT_EQ(id_of(caller.message), 12u);
    EXPECT_EQ(caller.message.header.flags & abi::MessageFlagCall, 0);
    EXPECT_EQ(TypeParam::resolve(token), nullptr); // used once
    EXPECT_TRUE(this->endpoint->check_invariant());
}

TYPED_TEST(EndpointTest, SendClearsTheCallFlagAndKeepsTheKernelFlag) {
    abi::Message m = make_message(1, 1);
    m.header.flags = abi::MessageFlagCall | abi::MessageFlagKernel;
    ASSERT_TRUE(this->endpoint->try_send(0, m, this->woken).has_value());
    abi::Message out{};
    ReplyToken reply;
    ASSERT_TRUE(this->endpoint->try_receive(out, reply, this->woken).has_value());
    EXPECT_EQ(out.header.flags, abi::MessageFlagKernel);
    EXPECT_TRUE(reply.is_null());
}

} // namespace
} // namespace grove

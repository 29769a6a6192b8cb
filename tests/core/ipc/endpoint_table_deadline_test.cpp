#include <core/ipc/endpoint_table.hpp>
#include <tests/core/ipc/ipc_test_support.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace grove {
namespace {

using test::drain;

// next_deadline() is kept between calls: it must follow every waiter that starts or stops waiting.
struct EndpointTableDeadlineTest : ::testing::Test {
    std::unique_ptr<EndpointTable> table = std::make_unique<EndpointTable>();
    WakeList woken;
    EndpointRef first = table->open(1).value();
    EndpointRef second = table->open(1).value();

    void wait(EndpointRef ref, IpcWaiter& waiter, Ticks deadline) {
        waiter.grove = 2;
        waiter.deadline = deadline;
        ASSERT_EQ(table->receive(ref, waiter, Ticks(0), woken).value(), ReceiveStatus::Blocked);
        ASSERT_TRUE(table->check_invariant());
    }
};

TEST_F(EndpointTableDeadlineTest, NoTimedWaiterMeansNoDeadline) {
    IpcWaiter forever;
    wait(first, forever, Ticks::max());
    EXPECT_EQ(table->next_deadline(), Ticks::max());
    table->expire(Ticks(1'000'000), woken);
    EXPECT_TRUE(woken.is_empty());
    EXPECT_TRUE(table->cancel(forever, WaitOutcome::PeerClosed));
}

TEST_F(EndpointTableDeadlineTest, FollowsTheEarliestWaiterAcrossCancelExpireAndClose) {
    IpcWaiter a, b, c;
    wait(first, a, Ticks(300));
    EXPECT_EQ(table->next_deadline(), Ticks(300));
    wait(second, b, Ticks(100));
    EXPECT_EQ(table->next_deadline(), Ticks(100));
    wait(first, c, Ticks(200));
    EXPECT_EQ(table->next_deadline(), Ticks(100));

    // Nothing is due before the earliest deadline.
    table->expire(Ticks(99), woken);
    EXPECT_TRUE(woken.is_empty());

    EXPECT_TRUE(table->cancel(b, WaitOutcome::TimedOut));
    EXPECT_EQ(table->next_deadline(), Ticks(200));
    EXPECT_TRUE(table->check_invariant());

    table->expire(Ticks(200), woken);
    EXPECT_EQ(drain(woken).size(), 1u);
    EXPECT_EQ(c.outcome, WaitOutcome::TimedOut);
    EXPECT_EQ(table->next_deadline(), Ticks(300));
    EXPECT_TRUE(table->check_invariant());

    ASSERT_TRUE(table->close(first, woken).has_value());
    EXPECT_EQ(drain(woken).size(), 1u);
    EXPECT_EQ(a.outcome, WaitOutcome::PeerClosed);
    EXPECT_EQ(table->next_deadline(), Ticks::max());
    EXPECT_TRUE(table->check_invariant());

    // A new waiter after the earliest one left is seen at once.
    IpcWaiter d;
    wait(second, d, Ticks(500));
    EXPECT_EQ(table->next_deadline(), Ticks(500));
    EXPECT_TRUE(table->cancel(d, WaitOutcome::PeerClosed));
}

} // namespace
} // namespace grove

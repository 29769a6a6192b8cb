#include <core/cap/handle_table.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace grove {
namespace {

EndpointRef endpoint(u32 index, u32 generation = 1) { return EndpointRef{SlotRef{index, generation}}; }

struct HandleTableTest : ::testing::Test {
    std::unique_ptr<HandleTable> table = std::make_unique<HandleTable>();
    void SetUp() override { table->reset(endpoint(7)); }
};

TEST_F(HandleTableTest, SlotZeroIsTheOwnEndpointWithReceiveOnly) {
    EXPECT_EQ(table->lookup(abi::OwnEndpointHandle, Rights::Receive).value(), endpoint(7));
    EXPECT_EQ(table->lookup(abi::OwnEndpointHandle, Rights::Send).error(), Error::AccessDenied);
    EXPECT_EQ(table->lookup(abi::make_handle(0, 1), Rights::Receive).value(), endpoint(7));
    EXPECT_EQ(table->close(abi::OwnEndpointHandle).error(), Error::AccessDenied);
    EXPECT_EQ(table->used(), Count(1));
}

TEST_F(HandleTableTest, LookupChecksRightsInTheSameCall) {
    u64 send = table->insert(endpoint(3), Rights::Send).value();
    u64 both = table->insert(endpoint(4), Rights::SendReceive).value();
    EXPECT_EQ(table->lookup(send, Rights::Send).value(), endpoint(3));
    EXPECT_EQ(table->lookup(send, Rights::Receive).error(), Error::AccessDenied);
    EXPECT_EQ(table->lookup(send, Rights::SendReceive).error(), Error::AccessDenied);
    EXPECT_EQ(table->lookup(both, Rights::SendReceive).value(), endpoint(4));
    EXPECT_EQ(table->used(), Count(3));
}

TEST_F(HandleTableTest, ForgedHandlesAreBadHandles) {
    u64 send = table->insert(endpoint(3), Rights::Send).value();
    u32 index = static_cast<u32>(send);
    u32 generation = static_cast<u32>(send >> 32);
    // Wrong generation, out-of-range index, free slot, zero generation.
    EXPECT_EQ(table->lookup(abi::make_handle(index, generation + 1), Rights::Send).error(), Error::BadHandle);
    EXPECT_EQ(table->lookup(abi::make_handle(HandleTable::Capacity, 1), Rights::Send).error(), Error::BadHandle);
    EXPECT_EQ(table->lookup(abi::make_handle(0xffffffffu, generation), Rights::Send).error(), Error::BadHandle);
    EXPECT_EQ(table->lookup(abi::make_handle(index + 1, generation), Rights::Send).error(), Error::BadHandle);
    EXPECT_EQ(table->lookup(abi::make_handle(index, 0), Rights::Send).error(), Error::BadHandle);
    EXPECT_EQ(table->close(abi::make_handle(index, generation + 1)).error(), Error::BadHandle);
}

TEST_F(HandleTableTest, ClosedHandleIsBadEvenAfterItsSlotIsReused) {
    u64 send = table->insert(endpoint(3), Rights::Send).value();
    ASSERT_TRUE(table->close(send).has_value());
    EXPECT_EQ(table->lookup(send, Rights::Send).error(), Error::BadHandle);
    EXPECT_EQ(table->close(send).error(), Error::BadHandle);
    u64 reused = table->insert(endpoint(5), Rights::SendReceive).value();
    EXPECT_EQ(static_cast<u32>(reused), static_cast<u32>(send)); // same slot...
    EXPECT_NE(reused, send);                                     // ...new generation
    EXPECT_EQ(table->lookup(send, Rights::Send).error(), Error::BadHandle);
    EXPECT_EQ(table->lookup(reused, Rights::Send).value(), endpoint(5));
}

TEST_F(HandleTableTest, DuplicateOnlyNarrowsRights) {
    u64 both = table->insert(endpoint(3), Rights::SendReceive).value();
    u64 send_only = table->duplicate(both, Rights::Send).value();
    EXPECT_EQ(table->lookup(send_only, Rights::Send).value(), endpoint(3));
    EXPECT_EQ(table->lookup(send_only, Rights::Receive).error(), Error::AccessDenied);
    EXPECT_EQ(table->duplicate(send_only, Rights::SendReceive).error(), Error::AccessDenied);
    EXPECT_EQ(table->duplicate(send_only, Rights::Receive).error(), Error::AccessDenied);
    EXPECT_EQ(table->duplicate(send_only, Rights::None).error(), Error::InvalidArgument);
    EXPECT_EQ(table->duplicate(send_only, static_cast<Rights>(4)).error(), Error::InvalidArgument);
    EXPECT_EQ(table->duplicate(abi::make_handle(9, 9), Rights::Send).error(), Error::BadHandle);
    // The own endpoint's Receive right cannot grow into Send.
    EXPECT_EQ(table->duplicate(abi::OwnEndpointHandle, Rights::SendReceive).error(), Error::AccessDenied);
}

TEST_F(HandleTableTest, DuplicateIntoAnotherGrovesTable) {
    auto other = std::make_unique<HandleTable>();
    other->reset(endpoint(8));
    u64 own_send = table->duplicate(abi::OwnEndpointHandle, Rights::Receive, *other).value();
    EXPECT_EQ(other->lookup(own_send, Rights::Receive).value(), endpoint(7));
    EXPECT_EQ(other->used(), Count(2));
    EXPECT_EQ(table->used(), Count(1));
}

TEST_F(HandleTableTest, FillsToCapacityThenRefuses) {
    for (usize i = 1; i < HandleTable::Capacity; ++i) ASSERT_TRUE(table->insert(endpoint(1), Rights::Send).has_value());
    EXPECT_TRUE(table->is_full());
    EXPECT_EQ(table->used(), Count(HandleTable::Capacity));
    EXPECT_EQ(table->insert(endpoint(1), Rights::Send).error(), Error::NoCapacity);
    EXPECT_EQ(table->insert(EndpointRef{}, Rights::Send).error(), Error::InvalidArgument);
}

TEST_F(HandleTableTest, ResetMakesEveryEarlierHandleStale) {
    u64 send = table->insert(endpoint(3), Rights::Send).value();
    table->reset(endpoint(9));
    EXPECT_EQ(table->lookup(send, Rights::Send).error(), Error::BadHandle);
    EXPECT_EQ(table->lookup(abi::make_handle(0, 1), Rights::Receive).error(), Error::BadHandle);
    EXPECT_EQ(table->lookup(abi::OwnEndpointHandle, Rights::Receive).value(), endpoint(9));
    EXPECT_EQ(table->used(), Count(1));
    table->clear();
    EXPECT_EQ(table->lookup(abi::OwnEndpointHandle, Rights::Receive).error(), Error::BadHandle);
    EXPECT_EQ(table->insert(endpoint(3), Rights::Send).error(), Error::InvalidState);
    EXPECT_EQ(table->used(), Count(0));
}

} // namespace
} // namespace grove

#include <core/grove/limits.hpp>
#include <core/grove/token_bucket.hpp>

#include <gtest/gtest.h>

namespace grove {
namespace {

TEST(ResourceLimits, DefaultsAreOneGrovesShareAndTheOriginsRates) {
    ResourceLimits l;
    EXPECT_EQ(l.memory, kibibytes(1536)); // AdmissionMemory / MaxGroves
    EXPECT_EQ(l.threads, Count(4));       // MaxThreads / MaxGroves
    EXPECT_EQ(l.cpu_percent, 50u);
    EXPECT_EQ(l.file_handles, Count(256));
    EXPECT_EQ(l.ipc_messages_per_second, 10'000u);
    EXPECT_EQ(l.policy, ViolationPolicy::Deny);
    EXPECT_TRUE(l.validate().has_value());
}

TEST(ResourceLimits, RejectsZeroAndOutOfRange) {
    auto invalid = [](auto change) {
        ResourceLimits l;
        change(l);
        return l.validate().is_error() && l.validate().error() == Error::InvalidArgument;
    };
    EXPECT_TRUE(invalid([](ResourceLimits& l) { l.memory = Bytes(0); }));
    EXPECT_TRUE(invalid([](ResourceLimits& l) { l.threads = Count(0); }));
    EXPECT_TRUE(invalid([](ResourceLimits& l) { l.cpu_percent = 0; }));
    EXPECT_TRUE(invalid([](ResourceLimits& l) { l.cpu_percent = 101; }));
    // More file handles than a grove's handle table holds could never be reached (issue 11, hole 8).
    EXPECT_TRUE(invalid([](ResourceLimits& l) { l.file_handles = Count(MaxFileHandles + 1); }));
    EXPECT_TRUE(invalid([](ResourceLimits& l) { l.cpu_period = Ticks(0); }));
    EXPECT_TRUE(invalid([](ResourceLimits& l) { l.ipc_messages_per_second = 0; }));
    EXPECT_TRUE(invalid([](ResourceLimits& l) { l.ipc_burst = 0; }));
}

TEST(TokenBucket, AllowsTheBurstThenOneTokenPerPeriodOfTheRate) {
    TokenBucket b(1000, 3, Ticks(0)); // one token per millisecond
    EXPECT_TRUE(b.try_take(Ticks(0)));
    EXPECT_TRUE(b.try_take(Ticks(0)));
    EXPECT_TRUE(b.try_take(Ticks(0)));
    EXPECT_FALSE(b.try_take(Ticks(0)));
    EXPECT_EQ(b.next_token_at(Ticks(0)), milliseconds(1));
    EXPECT_FALSE(b.try_take(milliseconds(1) - Ticks(1)));
    EXPECT_EQ(b.next_token_at(microseconds(500)), milliseconds(1));
    EXPECT_TRUE(b.try_take(milliseconds(1)));
    EXPECT_FALSE(b.try_take(milliseconds(1)));
}

TEST(TokenBucket, RefillStopsAtTheBurstAndNeverOverflows) {
    TokenBucket b(10'000, 5, Ticks(0));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(b.try_take(Ticks(0)));
    EXPECT_EQ(b.tokens(seconds(3600)), 5u);
    EXPECT_EQ(b.tokens(Ticks(~u64{0} / 2)), 5u);
    EXPECT_EQ(b.next_token_at(seconds(1)), seconds(1));
}

TEST(TokenBucket, SustainedRateIsExact) {
    TokenBucket b(10'000, 1, Ticks(0));
    int sent = 0;
    for (u64 t = 0; t < seconds(1).value; t += 10'000) // try every 10 us for one second
        if (b.try_take(Ticks(t))) ++sent;
    EXPECT_EQ(sent, 10'000);
}

} // namespace
} // namespace grove

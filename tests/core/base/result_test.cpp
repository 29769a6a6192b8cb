#include <core/base/result.hpp>
#include <core/base/static_vector.hpp>

#include <gtest/gtest.h>

namespace grove {
namespace {

Result<int> parse_digit(char c) {
    if (c < '0' || c > '9') return Error::InvalidArgument;
    return c - '0';
}

Result<int> sum_of_digits(char a, char b) {
    int x = TRY(parse_digit(a));
    int y = TRY(parse_digit(b));
    return x + y;
}

Result<void> require_positive(int v) {
    if (v <= 0) return Error::InvalidState;
    return {};
}

Result<int> doubled_if_positive(int v) {
    TRY(require_positive(v));
    return 2 * v;
}

TEST(Result, HoldsValueOrError) {
    Result<int> good = 7;
    Result<int> bad = Error::NotFound;
    EXPECT_TRUE(good.has_value());
    EXPECT_EQ(good.value(), 7);
    EXPECT_TRUE(bad.is_error());
    EXPECT_EQ(bad.error(), Error::NotFound);
    EXPECT_EQ(bad.value_or(3), 3);
}

TEST(Result, TryPropagatesTheFirstError) {
    EXPECT_EQ(sum_of_digits('3', '4').value(), 7);
    EXPECT_EQ(sum_of_digits('x', '4').error(), Error::InvalidArgument);
    EXPECT_EQ(sum_of_digits('3', 'y').error(), Error::InvalidArgument);
}

TEST(Result, TryWorksOnVoidResults) {
    EXPECT_EQ(doubled_if_positive(4).value(), 8);
    EXPECT_EQ(doubled_if_positive(0).error(), Error::InvalidState);
}

TEST(ResultDeathTest, ReadingTheValueOfAnErrorPanics) {
    Result<int> bad = Error::NotFound;
    EXPECT_DEATH((void)bad.value(), "assertion failed");
}

TEST(Result, MustYieldsTheValueOfACallThatSucceeds) {
    EXPECT_EQ(MUST(parse_digit('7')), 7);
    MUST(require_positive(1));
    StaticVector<int, 1> one;
    MUST(one.push_back(3));
    EXPECT_EQ(one[0], 3);
}

TEST(ResultDeathTest, MustPanicsNamingTheCallThatFailed) {
    EXPECT_DEATH((void)MUST(parse_digit('x')), "MUST failed: parse_digit\\('x'\\)");
    EXPECT_DEATH(MUST(require_positive(0)), "MUST failed: require_positive\\(0\\)");
    StaticVector<int, 1> full;
    MUST(full.push_back(1));
    EXPECT_DEATH(MUST(full.push_back(2)), "MUST failed: full.push_back\\(2\\)");
}

TEST(Error, NamesMatchTheAbiStatusCodes) {
    EXPECT_STREQ(error_name(Error::WouldBlock), "WouldBlock");
    EXPECT_EQ(static_cast<long>(Error::InvalidArgument), abi::StatusInvalidArgument);
    EXPECT_EQ(static_cast<long>(Error::TimedOut), abi::StatusTimedOut);
    EXPECT_EQ(static_cast<long>(Error::OverCommitted), abi::StatusOverCommitted);
}

} // namespace
} // namespace grove

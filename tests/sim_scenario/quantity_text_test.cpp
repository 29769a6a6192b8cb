#include <sim/scenario/quantity_text.hpp>

#include <gtest/gtest.h>

namespace grove::scenario {
namespace {

TEST(QuantityText, ParsesDurationsInEveryUnit) {
    EXPECT_EQ(parse_duration_text("1500ns"), Ticks(1500));
    EXPECT_EQ(parse_duration_text("1500us"), Ticks(1'500'000));
    EXPECT_EQ(parse_duration_text("250ms"), Ticks(250'000'000));
    EXPECT_EQ(parse_duration_text("2s"), Ticks(2'000'000'000));
    EXPECT_EQ(parse_duration_text("0s"), Ticks(0));
}

TEST(QuantityText, RejectsMalformedDurations) {
    for (char const* text : {"", "ms", "250", "2.5s", "-1s", " 2s", "2s ", "2 s", "2m", "2S", "2sec", "1h", "2ss"})
        EXPECT_FALSE(parse_duration_text(text).has_value()) << text;
}

TEST(QuantityText, RejectsDurationsThatOverflow) {
    EXPECT_EQ(parse_duration_text("18446744073709551615ns"), Ticks(~u64{0}));
    EXPECT_FALSE(parse_duration_text("18446744073709551616ns").has_value());
    EXPECT_FALSE(parse_duration_text("18446744074s").has_value());
    EXPECT_EQ(parse_duration_text("18446744073s"), Ticks(18'446'744'073'000'000'000ULL));
}

TEST(QuantityText, ParsesSizesInEveryUnit) {
    EXPECT_EQ(parse_size_text("4096B"), Bytes(4096));
    EXPECT_EQ(parse_size_text("4KiB"), kibibytes(4));
    EXPECT_EQ(parse_size_text("64MiB"), mebibytes(64));
    EXPECT_EQ(parse_size_text("2GiB"), Bytes(u64{2} << 30));
}

TEST(QuantityText, RejectsMalformedSizes) {
    for (char const* text : {"", "64", "64MB", "64mib", "64 MiB", "1.5GiB", "MiB", "64M", "64KB", "-4KiB"})
        EXPECT_FALSE(parse_size_text(text).has_value()) << text;
    EXPECT_FALSE(parse_size_text("17179869184GiB").has_value());
}

TEST(QuantityText, FormatsInTheLargestExactUnit) {
    EXPECT_EQ(format_duration(Ticks(2'000'000'000)), "2s");
    EXPECT_EQ(format_duration(Ticks(1'500'000)), "1500us");
    EXPECT_EQ(format_duration(Ticks(250'000'000)), "250ms");
    EXPECT_EQ(format_duration(Ticks(1'234'567)), "1234567ns");
    EXPECT_EQ(format_duration(Ticks(0)), "0ns");
    EXPECT_EQ(format_size(mebibytes(64)), "64MiB");
    EXPECT_EQ(format_size(Bytes(2048)), "2KiB");
    EXPECT_EQ(format_size(Bytes(1536)), "1536B");
    EXPECT_EQ(format_size(Bytes(0)), "0B");
}

TEST(QuantityText, FormatAndParseRoundTrip) {
    for (u64 value : {u64{0}, u64{1}, u64{999}, u64{1000}, u64{1'000'001}, u64{3'000'000'000}, ~u64{0}}) {
        EXPECT_EQ(parse_duration_text(format_duration(Ticks(value))), Ticks(value)) << value;
        EXPECT_EQ(parse_size_text(format_size(Bytes(value))), Bytes(value)) << value;
    }
}

} // namespace
} // namespace grove::scenario

#include <cstdarg>
#include <gtest/gtest.h>
#include <string>

#include <core/abi/status.hpp>
#include <groves/runtime/arguments.hpp>
#include <groves/runtime/format.hpp>
#include <groves/runtime/status.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

std::string formatted_list(char const* format, std::va_list arguments) {
    char buffer[256];
    usize length = vformat_string(buffer, sizeof buffer, format, arguments);
    EXPECT_LT(length, sizeof buffer);
    return std::string(buffer);
}

// What the grove formatter makes of `format` and its arguments.
[[gnu::format(printf, 1, 2)]] std::string formatted(char const* format, ...) {
    std::va_list arguments;
    va_start(arguments, format);
    std::string text = formatted_list(format, arguments);
    va_end(arguments);
    return text;
}

// The same without the compiler's format check, for formats it would reject.
std::string formatted_unchecked(char const* format, ...) {
    std::va_list arguments;
    va_start(arguments, format);
    std::string text = formatted_list(format, arguments);
    va_end(arguments);
    return text;
}

// Collects what a flushing buffer hands over.
std::string g_flushed;
void collect(char const* bytes, usize length) { g_flushed.append(bytes, length); }

usize format_into(OutputBuffer& out, char const* format, ...) {
    std::va_list arguments;
    va_start(arguments, format);
    usize produced = format_to(out, format, arguments);
    va_end(arguments);
    return produced;
}

} // namespace

TEST(Format, Integers) {
    EXPECT_EQ(formatted("%d %i %u", -42, 7, 4000000000u), "-42 7 4000000000");
    EXPECT_EQ(formatted("%ld %lu %llu", -9000000000L, 18446744073709551615UL, 12345678901234ULL),
              "-9000000000 18446744073709551615 12345678901234");
    EXPECT_EQ(formatted("%ld", static_cast<long>(-9223372036854775807L - 1)), "-9223372036854775808");
    EXPECT_EQ(formatted("%x %X %lx", 0xbeefu, 0xbeefu, 0xffff800000000000UL), "beef BEEF ffff800000000000");
    EXPECT_EQ(formatted("%zu %hu", usize{99}, static_cast<unsigned short>(65535)), "99 65535");
    EXPECT_EQ(formatted("%d %u %x", 0, 0u, 0u), "0 0 0");
}

TEST(Format, WidthAndPadding) {
    EXPECT_EQ(formatted("[%5d]", 42), "[   42]");
    EXPECT_EQ(formatted("[%05d]", 42), "[00042]");
    EXPECT_EQ(formatted("[%05d]", -42), "[-0042]");
    EXPECT_EQ(formatted("[%-5d]", 42), "[42   ]");
    EXPECT_EQ(formatted("[%016lx]", 0x401000UL), "[0000000000401000]");
    EXPECT_EQ(formatted("[%2d]", 12345), "[12345]");
    EXPECT_EQ(formatted("[%6s|%-6s]", "ab", "cd"), "[    ab|cd    ]");
    EXPECT_EQ(formatted("[%3c]", 'z'), "[  z]");
}

TEST(Format, StringsCharactersPointersPercent) {
    EXPECT_EQ(formatted("%s=%c%%", "tag", 'x'), "tag=x%");
    EXPECT_EQ(formatted_unchecked("%s", static_cast<char const*>(nullptr)), "(null)");
    EXPECT_EQ(formatted("%p", reinterpret_cast<void*>(0x400000)), "0x400000");
}

TEST(Format, UnknownConversionIsCopied) {
    EXPECT_EQ(formatted_unchecked("a%qb%"), "a%qb%");
    EXPECT_EQ(formatted_unchecked("%l"), "%l");
}

TEST(Format, TruncatesAndReportsTheFullLength) {
    char buffer[8];
    EXPECT_EQ(format_string(buffer, sizeof buffer, "%s", "0123456789"), 10u);
    EXPECT_STREQ(buffer, "0123456");
    EXPECT_EQ(format_string(buffer, 1, "%d", 12345), 5u);
    EXPECT_STREQ(buffer, "");
    EXPECT_EQ(format_string(nullptr, 0, "%d", 12345), 5u);
}

TEST(OutputBuffer, FlushesWhenFullAndKeepsEverything) {
    g_flushed.clear();
    char storage[4];
    OutputBuffer out(storage, sizeof storage, collect);
    EXPECT_EQ(format_into(out, "%s-%d", "abcdef", 123456), 13u);
    out.flush();
    EXPECT_EQ(g_flushed, "abcdef-123456");
    EXPECT_EQ(out.used(), 0u);
}

TEST(Arguments, ParsesDecimalAndHexadecimal) {
    u64 value = 0;
    EXPECT_TRUE(parse_unsigned("0", value));
    EXPECT_EQ(value, 0u);
    EXPECT_TRUE(parse_unsigned("18446744073709551615", value));
    EXPECT_EQ(value, ~u64{0});
    EXPECT_TRUE(parse_unsigned("0x3F8", value));
    EXPECT_EQ(value, 0x3f8u);
    EXPECT_TRUE(parse_unsigned("0XffFF", value));
    EXPECT_EQ(value, 0xffffu);
}

TEST(Arguments, RejectsGarbageAndOverflowWithoutTouchingTheValue) {
    u64 value = 77;
    for (char const* bad : {"", "-1", "12a", "0x", "0xg", " 1", "18446744073709551616", "0x10000000000000000"}) {
        EXPECT_FALSE(parse_unsigned(bad, value)) << bad;
        EXPECT_EQ(value, 77u) << bad;
    }
    EXPECT_FALSE(parse_unsigned(nullptr, value));
}

TEST(Arguments, CountsAndModes) {
    u64 value = 0;
    EXPECT_TRUE(parse_count("forever", value));
    EXPECT_EQ(value, Forever);
    EXPECT_TRUE(parse_count("12", value));
    EXPECT_EQ(value, 12u);
    EXPECT_FALSE(parse_count("Forever", value));
    EXPECT_TRUE(is_mode("pingpong", "pingpong"));
    EXPECT_FALSE(is_mode("ping", "pingpong"));
    EXPECT_FALSE(is_mode("pingpongs", "pingpong"));
    EXPECT_FALSE(is_mode(nullptr, "pingpong"));
    char first[] = "name";
    char second[] = "arg";
    char* argv[] = {first, second};
    EXPECT_STREQ(argument(2, argv, 1, "fallback"), "arg");
    EXPECT_STREQ(argument(2, argv, 2, "fallback"), "fallback");
}

TEST(Status, NamesEveryStatusAndAcceptsResults) {
    EXPECT_STREQ(status_name(grove::abi::StatusLimitExceeded), "LimitExceeded");
    EXPECT_STREQ(status_name(-grove::abi::StatusWouldBlock), "WouldBlock");
    EXPECT_STREQ(status_name(-grove::abi::StatusTimedOut), "TimedOut");
    EXPECT_STREQ(status_name(0), "Ok");
    EXPECT_STREQ(status_name(99), "Unknown");
    for (long status = grove::abi::StatusOk; status <= grove::abi::StatusOverCommitted; ++status)
        EXPECT_STRNE(status_name(status), "Unknown") << status;
}

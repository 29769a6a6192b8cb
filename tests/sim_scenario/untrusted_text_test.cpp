#include <sim/scenario/untrusted_text.hpp>

#include <gtest/gtest.h>

#include <string>

namespace grove::scenario {
namespace {

std::string const Replacement = "\xef\xbf\xbd";

TEST(ValidUtf8, KeepsWellFormedTextOfEveryLength) {
    std::string const text = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x8c\xb3 \x7f";
    EXPECT_EQ(valid_utf8(text), text);
    EXPECT_EQ(valid_utf8(""), "");
}

TEST(ValidUtf8, ReplacesEachByteThatStartsNoSequenceAndGoesOnAtTheNext) {
    EXPECT_EQ(valid_utf8("bad\xff.toml"), "bad" + Replacement + ".toml");
    EXPECT_EQ(valid_utf8("in \xc3("), "in " + Replacement + "(");
    EXPECT_EQ(valid_utf8("\x80\x80"), Replacement + Replacement);
    EXPECT_EQ(valid_utf8("end\xe2\x82"), "end" + Replacement + Replacement); // cut short
}

TEST(ValidUtf8, RefusesOverlongFormsSurrogatesAndCodePointsPastTheLast) {
    EXPECT_EQ(valid_utf8("\xc0\xaf"), Replacement + Replacement);                                     // overlong '/'
    EXPECT_EQ(valid_utf8("\xe0\x80\xaf"), Replacement + Replacement + Replacement);                   // overlong
    EXPECT_EQ(valid_utf8("\xed\xa0\x80"), Replacement + Replacement + Replacement);                   // U+D800
    EXPECT_EQ(valid_utf8("\xf4\x90\x80\x80"), Replacement + Replacement + Replacement + Replacement); // past U+10FFFF
    EXPECT_EQ(valid_utf8("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");                                    // U+10FFFF itself
}

TEST(ValidUtf8, MakesEveryByteStringValid) {
    // Every single byte and every pair: the result is valid, so a second pass leaves it unchanged.
    for (int a = 0; a < 256; ++a) {
        for (int b = 0; b < 256; b += 17) {
            std::string const text{static_cast<char>(a), static_cast<char>(b), 'z'};
            std::string const once = valid_utf8(text);
            ASSERT_EQ(valid_utf8(once), once) << a << " " << b;
        }
    }
}

} // namespace
} // namespace grove::scenario

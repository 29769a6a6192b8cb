#include <core/base/enum_count.hpp>

#include <gtest/gtest.h>

namespace grove {
namespace {

enum class Colour : u8 { Red, Green, Blue };

constexpr char const* colour_name(Colour c) {
    switch (c) {
    case Colour::Red: return "red";
    case Colour::Green: return "green";
    case Colour::Blue: return "blue";
    }
    return "unknown";
}

TEST(EnumCount, MatchesOnlyTheNumberOfNamedEnumerators) {
    static_assert(count_matches_names<Colour>(3, colour_name));
    EXPECT_TRUE(count_matches_names<Colour>(3, colour_name));
    EXPECT_FALSE(count_matches_names<Colour>(2, colour_name)); // an enumerator added without raising the count
    EXPECT_FALSE(count_matches_names<Colour>(4, colour_name));
    EXPECT_FALSE(count_matches_names<Colour>(3, colour_name, "unnamed")); // the wrong fallback name
}

} // namespace
} // namespace grove

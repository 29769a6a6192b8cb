#pragma once
// Helpers of the parser's error tests: a scenario that must not parse, and the valid head each case continues.
#include <sim/scenario/scenario_parser.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace grove::scenario {

// The diagnostic text for a scenario that must not parse.
inline std::string error_of(std::string_view text) {
    auto const parsed = parse_scenario_string(text, "bad.toml", ParseOptions{});
    EXPECT_FALSE(parsed.has_value());
    return parsed.has_value() ? std::string("(parsed)") : parsed.error().text();
}

// A valid head (lines 1-5) that each case continues.
inline std::string with_head(std::string_view rest) {
    return std::string("name = \"t\"\nduration = \"1s\"\n[[groves]]\nname = \"a\"\nimage = \"echo\"\n") +
           std::string(rest);
}

} // namespace grove::scenario

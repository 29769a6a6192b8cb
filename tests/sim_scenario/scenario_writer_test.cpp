#include <sim/scenario/fault_realization.hpp>
#include <sim/scenario/scenario_parser.hpp>
#include <sim/scenario/scenario_writer.hpp>

#include <gtest/gtest.h>

#include <filesystem>

namespace grove::scenario {
namespace {

// The disks of a scenario read from a file carry where they were read (line, column) and resolve against its
// directory; the written form names the resolved image. Everything else must read back equal.
Scenario without_disk_origins(Scenario s) {
    for (Disk& disk : s.disks) disk = Disk{std::filesystem::absolute(disk.image).string(), {}, 0, 0};
    return s;
}

std::vector<std::filesystem::path> shipped_scenarios() {
    std::vector<std::filesystem::path> files;
    for (char const* directory : {"scenarios", "scenarios/sweeps", "scenarios/adversarial", "scenarios/examples"})
        for (auto const& entry :
             std::filesystem::directory_iterator(std::filesystem::path(GROVE_SOURCE_DIR) / directory))
            if (entry.path().extension() == ".toml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

TEST(ScenarioWriter, WritesEveryShippedScenarioSoThatItReadsBackEqual) {
    std::vector<std::filesystem::path> const files = shipped_scenarios();
    ASSERT_GT(files.size(), 20u);
    for (std::filesystem::path const& file : files) {
        auto parsed = parse_scenario_file(file, ParseOptions{});
        ASSERT_TRUE(parsed.has_value()) << file;
        std::string const text = format_scenario(parsed.value());
        auto reread = parse_scenario_string(text, file.filename().string(), ParseOptions{});
        ASSERT_TRUE(reread.has_value()) << file << ": " << reread.error().text() << "\n" << text;
        EXPECT_EQ(without_disk_origins(reread.value()), without_disk_origins(parsed.value())) << file << "\n" << text;
    }
}

TEST(ScenarioWriter, WritesARealizedRunWithEveryChoiceFixed) {
    auto parsed = parse_scenario_file(std::filesystem::path(GROVE_SOURCE_DIR) / "scenarios/sweeps/random_crashes.toml",
                                      ParseOptions{});
    ASSERT_TRUE(parsed.has_value());
    RealizedScenario const realized = realize_faults(parsed.value(), 7);
    ASSERT_TRUE(realized.error.empty());
    std::string const text = format_scenario(realized.scenario);
    EXPECT_EQ(text.find("random_faults"), std::string::npos) << text;
    EXPECT_EQ(text.find("between"), std::string::npos) << text;
    auto reread = parse_scenario_string(text, "realized.toml", ParseOptions{});
    ASSERT_TRUE(reread.has_value()) << reread.error().text();
    EXPECT_FALSE(reread.value().draws_from_seed());
    EXPECT_EQ(reread.value(), realized.scenario);
}

TEST(ScenarioWriter, WritesASeedAboveTheSignedRangeAsText) {
    auto parsed =
        parse_scenario_file(std::filesystem::path(GROVE_SOURCE_DIR) / "scenarios/crash_never.toml", ParseOptions{});
    ASSERT_TRUE(parsed.has_value());
    Scenario s = parsed.value();
    s.seed = ~u64{0};
    s.description = "a \"quoted\" word and a back\\slash";
    auto reread = parse_scenario_string(format_scenario(s), "seed.toml", ParseOptions{});
    ASSERT_TRUE(reread.has_value()) << reread.error().text();
    EXPECT_EQ(reread.value().seed, ~u64{0});
    EXPECT_EQ(reread.value().description, s.description);
}

} // namespace
} // namespace grove::scenario

#include <sim/scenario/scenario_parser.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace grove::scenario {
namespace {

std::string read_example(char const* name) {
    std::ifstream file(std::string(GROVE_SOURCE_DIR) + "/scenarios/examples/" + name, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// Parsing must end in a scenario or a diagnostic that names the file; anything else (a crash, an exception, a
// hang) fails the test program itself.
void expect_clean_outcome(std::string const& text, std::string const& what) {
    auto const parsed = parse_scenario_string(text, "mutant.toml", ParseOptions{});
    if (parsed.has_value()) return;
    EXPECT_EQ(parsed.error().file, "mutant.toml") << what;
    EXPECT_FALSE(parsed.error().message.empty()) << what;
    EXPECT_EQ(parsed.error().text().rfind("mutant.toml:", 0), 0u) << what;
}

TEST(ScenarioParserMutation, TruncationsAndByteChangesNeverCrash) {
    // Characters that matter to TOML, so that many mutants stay close to valid and reach the scenario checks.
    constexpr std::string_view Significant = "[]{}=\",.#\n 0123456789-_abcdefxsmuiB\\'";
    std::mt19937_64 random(0x5ca1ab1e);
    usize parsed_count = 0;
    usize mutant_count = 0;
    for (char const* example : {"crash_respawn.toml", "ipc_flood.toml", "resource_limits.toml", "lifecycle.toml"}) {
        std::string const original = read_example(example);
        ASSERT_FALSE(original.empty()) << example;
        for (int i = 0; i < 100; ++i) {
            std::string mutant = original;
            u64 const kind = random() % 4;
            if (kind == 0) {
                mutant.resize(random() % original.size());
            } else {
                u64 const changes = 1 + random() % 4;
                for (u64 c = 0; c < changes; ++c) {
                    usize const at = random() % mutant.size();
                    if (kind == 1) mutant[at] = static_cast<char>(random() % 256);
                    else if (kind == 2) mutant[at] = Significant[random() % Significant.size()];
                    else mutant.erase(at, 1 + random() % 8);
                    if (mutant.empty()) break;
                }
            }
            expect_clean_outcome(mutant, std::string(example) + " mutant " + std::to_string(i));
            if (parse_scenario_string(mutant, "mutant.toml", ParseOptions{}).has_value()) ++parsed_count;
            ++mutant_count;
        }
    }
    EXPECT_EQ(mutant_count, 400u);
    // Some mutants (a changed comment, a changed description) are still valid scenarios.
    EXPECT_GT(parsed_count, 0u);
    EXPECT_LT(parsed_count, mutant_count);
}

TEST(ScenarioParserMutation, DegenerateInputsGiveDiagnostics) {
    for (std::string const& text :
         {std::string(), std::string("\0\0\0", 3), std::string("\xff\xfe\x00", 3), std::string(10000, '['),
          std::string("a = ") + std::string(5000, '['), std::string("[[groves]]\n"), std::string("groves = 5\n")}) {
        auto const parsed = parse_scenario_string(text, "mutant.toml", ParseOptions{});
        EXPECT_FALSE(parsed.has_value());
    }
}

} // namespace
} // namespace grove::scenario

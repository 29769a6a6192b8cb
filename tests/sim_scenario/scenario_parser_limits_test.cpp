// The scenario parser refuses, with the line, the column and the limit, everything the kernel cannot hold and every
// input that would make the parser itself recurse, take quadratic time or print raw text (scenarios/README.md,
// "Limits").
#include <sim/scenario/scenario_parser.hpp>
#include <tests/sim_scenario/parser_error_cases.hpp>
#include <sim/scenario/text_guard.hpp>
#include <sim/scenario/untrusted_text.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace grove::scenario {
namespace {

bool parses(std::string_view text) { return parse_scenario_string(text, "ok.toml", ParseOptions{}).has_value(); }

std::string repeated(std::string_view part, usize count, std::string_view separator) {
    std::string text;
    for (usize i = 0; i < count; ++i) {
        if (i > 0) text += separator;
        text += part;
    }
    return text;
}

TEST(ScenarioParserLimits, MoreThanEightArgumentsAreRefusedAtTheNinth) {
    EXPECT_EQ(error_of(with_head("args = [" + repeated("\"x\"", 9, ", ") + "]\n")),
              "bad.toml:6:49: grove 'a' has 9 arguments, more than the kernel passes (8); pass at most 8");
    EXPECT_TRUE(parses(with_head("args = [" + repeated("\"x\"", 8, ", ") + "]\n")));
}

TEST(ScenarioParserLimits, AnArgumentLongerThan63BytesIsRefused) {
    EXPECT_EQ(error_of(with_head("args = [\"" + std::string(64, 'x') + "\"]\n")),
              "bad.toml:6:9: an argument of grove 'a' has 64 bytes, more than the kernel passes (63); shorten it");
    EXPECT_TRUE(parses(with_head("args = [\"" + std::string(63, 'x') + "\"]\n")));
}

TEST(ScenarioParserLimits, MaxCrashesInWindowAboveWhatTheCoreKeepsIsRefused) {
    EXPECT_EQ(error_of(with_head("respawn = { max_crashes_in_window = 32 }\n")),
              "bad.toml:6:37: 'max_crashes_in_window' in the respawn policy of grove 'a' is 32, out of range; use a "
              "whole number from 0 to 31");
    EXPECT_TRUE(parses(with_head("respawn = { max_crashes_in_window = 31 }\n")));
}

// Issue 11, hole 8: file_handles = 1000 parsed, and the grove got 255 handles (the table's capacity) and then
// NoCapacity without an event: a limit that could never be reached.
TEST(ScenarioParserLimits, FileHandlesAboveTheHandleTableAreRefused) {
    EXPECT_EQ(error_of(with_head("[groves.limits]\nfile_handles = 1000\n")),
              "bad.toml:7:16: 'file_handles' in the limits of grove 'a' is 1000, out of range; use a whole number "
              "from 0 to 256");
    EXPECT_TRUE(parses(with_head("[groves.limits]\nfile_handles = 256\n")));
}

TEST(ScenarioParserLimits, MoreThanSixteenRangesOrPeersAreRefused) {
    EXPECT_EQ(error_of(with_head("capabilities = { io_ports = [" + repeated("[1, 2]", 17, ", ") + "] }\n")),
              "bad.toml:6:158: 'io_ports' in the capabilities of grove 'a' has 17 entries, more than the kernel "
              "holds (16); give at most 16");
    EXPECT_NE(error_of(with_head("capabilities = { physical = [" + repeated("[0, 1]", 17, ", ") + "] }\n"))
                  .find("'physical' in the capabilities of grove 'a' has 17 entries, more than the kernel holds (16)"),
              std::string::npos);
    EXPECT_NE(error_of(with_head("capabilities = { ipc_send = [" + repeated("\"a\"", 17, ", ") + "] }\n"))
                  .find("'ipc_send' in the capabilities of grove 'a' has 17 entries"),
              std::string::npos);
    EXPECT_NE(error_of(with_head("capabilities = { ipc_receive = [" + repeated("\"*\"", 17, ", ") + "] }\n"))
                  .find("'ipc_receive' in the capabilities of grove 'a' has 17 entries"),
              std::string::npos);
    EXPECT_TRUE(parses(with_head("capabilities = { io_ports = [" + repeated("[1, 2]", 16, ", ") + "] }\n")));
}

TEST(ScenarioParserLimits, MoreGrovesThanTheRegistryHoldsAreRefusedAtThe65th) {
    std::string text = "name = \"t\"\nduration = \"1s\"\n";
    for (int i = 0; i < 65; ++i) text += "[[groves]]\nname = \"g" + std::to_string(i) + "\"\nimage = \"echo\"\n";
    EXPECT_EQ(error_of(text), "bad.toml:195:1: more than 64 groves; the kernel's registry holds 64");
    EXPECT_TRUE(parses(text.substr(0, text.rfind("[[groves]]"))));
}

TEST(ScenarioParserLimits, MoreFaultsThanTheBootPlanHoldsAreRefused) {
    std::string text = with_head("");
    for (int i = 0; i < 257; ++i) text += "[[faults]]\nat = 1\naction = \"kill\"\ngrove = \"a\"\n";
    EXPECT_EQ(error_of(text), "bad.toml:1030:1: more than 256 faults; the boot plan holds 256");
}

TEST(ScenarioParserLimits, FloodStartNeedsAFlooderImage) {
    EXPECT_EQ(error_of(with_head("[[faults]]\nat = 1\naction = \"flood-start\"\ngrove = \"a\"\ntarget = \"a\"\n")),
              "bad.toml:9:9: fault 1 names grove 'a', whose image is 'echo'; a flood needs a grove with image = "
              "\"flooder\"");
}

TEST(ScenarioParserLimits, ADeeplyDottedKeyIsACleanError) {
    std::string const key = repeated("a", 50'000, ".");
    EXPECT_EQ(error_of(key + " = 1\n"),
              "bad.toml:1:16: a key or table name of more than 8 dotted parts; use at most 8");
    EXPECT_EQ(error_of("[" + key + "]\n"),
              "bad.toml:1:17: a key or table name of more than 8 dotted parts; use at most 8");
    EXPECT_EQ(error_of(with_head("limits = { " + key + " = 1 }\n")),
              "bad.toml:6:27: a key or table name of more than 8 dotted parts; use at most 8");
    // Dots in values are not keys.
    EXPECT_TRUE(parses(with_head("args = [\"1.2.3.4.5.6.7.8.9.10\"]\n")));
}

TEST(ScenarioParserLimits, DeepNestingIsACleanError) {
    EXPECT_EQ(error_of("x = " + std::string(100'000, '[') + "\n"),
              "bad.toml:1:13: arrays and inline tables nested more than 8 deep; use at most 8 levels");
    EXPECT_EQ(error_of("x = " + repeated("{ y = ", 20, "") + "1\n"),
              "bad.toml:1:53: arrays and inline tables nested more than 8 deep; use at most 8 levels");
}

TEST(ScenarioParserLimits, TooManyKeysAreRefusedBeforeTheLibraryParses) {
    std::string text;
    for (int i = 0; i < 10'001; ++i) text += "k" + std::to_string(i) + " = 1\n";
    EXPECT_EQ(error_of(text), "bad.toml:10001:1: more than 10000 keys and table headers; a scenario may have at most "
                              "10000");
}

TEST(ScenarioParserLimits, ALargeFileOfManyGrovesIsRefusedByItsSize) {
    std::string text = "name = \"t\"\nduration = \"1s\"\n";
    for (int i = 0; text.size() < 10'000'000; ++i)
        text += "[[groves]]\nname = \"g" + std::to_string(i) + "\"\nimage = \"echo\"\n";
    EXPECT_EQ(error_of(text), "bad.toml: the file has " + std::to_string(text.size()) +
                                  " bytes, more than the 1048576 a scenario may have; split it");
    // Just under the file size limit: the key limit (or the grove limit) refuses it, still without a quadratic check.
    std::string const under = text.substr(0, text.rfind("[[groves]]", MaxScenarioFileBytes));
    EXPECT_NE(error_of(under).find("more than 10000 keys"), std::string::npos);
}

TEST(ScenarioParserLimits, ALargeFileIsRefusedWithoutReadingItAll) {
    std::filesystem::path const path = std::filesystem::temp_directory_path() / "grove_large_scenario.toml";
    {
        std::ofstream out(path, std::ios::binary);
        std::string const chunk(1'000'000, 'x');
        out << "name = \"t\"\ndescription = \"";
        for (int i = 0; i < 10; ++i) out << chunk;
        out << "\"\n";
    }
    auto const parsed = parse_scenario_file(path, ParseOptions{});
    std::filesystem::remove(path);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().message, "the file is larger than the 1048576 bytes a scenario may have; split it");
}

TEST(ScenarioParserLimits, ALongDescriptionIsRefusedWithoutBeingEchoed) {
    std::string const message =
        error_of("name = \"t\"\ndescription = \"" + std::string(600'000, 'x') + "\"\nduration = \"1s\"\n");
    EXPECT_EQ(message, "bad.toml:2:15: 'description' has 600000 bytes, more than 512; keep it to one line about what "
                       "the scenario shows");
    EXPECT_NE(error_of("name = \"t\"\ndescription = \"a\\u001b[2Jb\"\n").find("holds a control character"),
              std::string::npos);
}

TEST(ScenarioParserLimits, AScenarioNameIsPrintableAsciiWithoutSpaces) {
    EXPECT_EQ(error_of("name = \"two words\"\n"),
              "bad.toml:1:8: the scenario name 'two words' is not 1 to 64 printable ASCII characters without spaces; "
              "shorten it or replace the others");
}

TEST(ScenarioParserLimits, NonAsciiWhitespaceNeverReachesTheTomlLibrary) {
    // U+00A1 and U+00A0 outside a string: the library's whitespace table has undefined behaviour on the first.
    EXPECT_EQ(error_of("name = \"t\"\xc2\xa1\n"), "bad.toml:1:11: a non-ASCII character outside a string or comment; "
                                                  "TOML allows them only in quotes and comments");
    EXPECT_EQ(error_of("name =\xc2\xa0\"t\"\n"), "bad.toml:1:7: a non-ASCII character outside a string or comment; "
                                                 "TOML allows them only in quotes and comments");
    // In a multi-line string the library looks at whitespace after a line-ending backslash.
    EXPECT_EQ(error_of("description = \"\"\"a\\\n\xc2\xa1\"\"\"\n"),
              "bad.toml:2:1: a non-ASCII character in a multi-line string; use a one-line string (\"...\") for it, or "
              "an escape like \\u00e9");
    // In comments and one-line strings they are text.
    EXPECT_TRUE(parses(with_head("# caf\xc3\xa9 \xc2\xa0\n")));
    std::string const description = "name = \"t\"\ndescription = \"caf\xc3\xa9\xc2\xa0\"\nduration = \"1s\"\n"
                                    "[[groves]]\nname = \"a\"\nimage = \"echo\"\n";
    EXPECT_TRUE(parses(description));
}

TEST(ScenarioParserLimits, UntrustedTextIsQuotedEscapedAndCut) {
    std::string const name = "\\u001b[2J\\u001b[31m" + std::string(5000, 'n'); // TOML escapes for ESC
    std::string const message =
        error_of("name = \"t\"\nduration = \"1s\"\n[[groves]]\nname = \"" + name + "\"\nimage = \"echo\"\n");
    EXPECT_EQ(message.find('\x1b'), std::string::npos) << message;
    EXPECT_LT(message.size(), 400u) << message;
    EXPECT_NE(message.find("'\\x1b[2J\\x1b[31mnnn"), std::string::npos) << message;
    EXPECT_NE(message.find("... (5009 bytes)"), std::string::npos) << message;
    EXPECT_NE(error_of(with_head("\"\\u001b[2J\" = 1\n")).find("unknown key '\\x1b[2J'"), std::string::npos);
}

TEST(UntrustedText, EscapesEveryByteOutsidePrintableAscii) {
    EXPECT_EQ(printable("a\tb\x7f\xc3\xa9"), "a\\x09b\\x7f\\xc3\\xa9");
    EXPECT_EQ(quoted_text("abcdef", 3), "'abc'... (6 bytes)");
    EXPECT_EQ(quoted_text("echo"), "'echo'");
}

} // namespace
} // namespace grove::scenario

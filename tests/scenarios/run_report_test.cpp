#include <sim/runner/run_report.hpp>

#include <gtest/gtest.h>

namespace grove::runner {
namespace {

// A scenario file's path is any bytes; the reports hold it as UTF-8 with U+FFFD for the bytes that are not.
Report report_of_a_path_that_is_not_utf8() {
    return Report{"run",
                  "grovesim run",
                  {ReportCase{"crash-never", "bad\xff.toml", 1, SeedOutcome::Failed, 0x1234, {"in \xc3("}, 0.5}}};
}

TEST(RunReport, WritesBytesThatAreNotUtf8AsReplacementCharactersInJson) {
    std::string json;
    ASSERT_NO_THROW(json = report_json(report_of_a_path_that_is_not_utf8()));
    EXPECT_NE(json.find("\"bad\xef\xbf\xbd.toml\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"in \xef\xbf\xbd(\""), std::string::npos) << json;
}

TEST(RunReport, WritesBytesThatAreNotUtf8AsReplacementCharactersInJunit) {
    std::string const xml = report_junit(report_of_a_path_that_is_not_utf8());
    EXPECT_EQ(xml.find('\xff'), std::string::npos);
    EXPECT_NE(xml.find("grovesim run bad\xef\xbf\xbd.toml --seed 1"), std::string::npos) << xml;
}

TEST(RunReport, HandsOnACaseWhosePathIsNotUtf8) {
    ReportCase const c = report_of_a_path_that_is_not_utf8().cases.front();
    std::string line;
    ASSERT_NO_THROW(line = report_case_line(c));
    std::optional<ReportCase> const read = read_report_case(line);
    ASSERT_TRUE(read.has_value()) << line;
    EXPECT_EQ(read->scenario, "bad\xef\xbf\xbd.toml");
    EXPECT_EQ(read->digest, c.digest);
    EXPECT_EQ(read->outcome, SeedOutcome::Failed);
}

TEST(SweepResults, WritesAPathThatIsNotUtf8AsReplacementCharacters) {
    SweepResults results;
    results.scenario = "bad\xff.toml";
    results.name = "crash-never";
    results.shards = {0};
    std::string json;
    ASSERT_NO_THROW(json = sweep_json(results));
    EXPECT_NE(json.find("\"bad\xef\xbf\xbd.toml\""), std::string::npos) << json;
}

} // namespace
} // namespace grove::runner

#pragma once
// Reports a machine reads (grovesim run / sweep --report json|junit FILE): one case per scenario run or per seed
// of a sweep, as JSON (every 64-bit value, seeds and digests, as a string, so that jq keeps it exact) or as JUnit
// XML (a <testsuites> with one <testsuite> of <testcase>s, a <failure> per failed case and an <error> per case that
// did not finish or could not start), which CI systems show.
#include <sim/runner/sweep_results.hpp>

#include <optional>
#include <string>
#include <vector>

namespace grove::runner {

enum class ReportFormat { Json, Junit };

// "json" or "junit"; nothing otherwise.
std::optional<ReportFormat> report_format_from_name(std::string const& name);

struct ReportCase {
    std::string name;     // "crash-never" (run) or "seed 42" (sweep)
    std::string scenario; // the scenario file as given
    u64 seed = 0;
    SeedOutcome outcome = SeedOutcome::Passed;
    std::optional<u64> digest;
    std::vector<std::string> failures; // the failed rows, or why the run did not finish or start
    std::optional<double> seconds;     // wall-clock time, when measured
};

struct Report {
    std::string command; // "run" or "sweep"
    std::string suite;   // the testsuite's name: "grovesim run" or the swept scenario's name
    std::vector<ReportCase> cases;
};

// The cases of a sweep's results, one per seed.
Report sweep_report(SweepResults const& results);

std::string report_json(Report const& report);
std::string report_junit(Report const& report);
// Writes the report in `format` to `path`; an error text when it cannot.
std::optional<std::string> write_report(Report const& report, ReportFormat format, std::string const& path);

// One case as one line of JSON (report_json's form) and back: how a run's child process hands its case to the
// parent. read_report_case returns nothing on a line that is not one.
std::string report_case_line(ReportCase const& c);
std::optional<ReportCase> read_report_case(std::string const& line);

} // namespace grove::runner

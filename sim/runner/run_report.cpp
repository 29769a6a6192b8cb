#include <sim/runner/run_report.hpp>
#include <sim/scenario/json_text.hpp>
#include <sim/scenario/trace.hpp>
#include <sim/scenario/untrusted_text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace grove::runner {

using Json = nlohmann::ordered_json;

namespace {

Json case_json(ReportCase const& c) {
    Json entry{{"name", c.name},
               {"scenario", c.scenario},
               {"seed", std::to_string(c.seed)},
               {"outcome", outcome_name(c.outcome)}};
    entry["digest"] = c.digest ? Json(scenario::format_digest(*c.digest)) : Json(nullptr);
    entry["failures"] = c.failures;
    if (c.seconds) entry["seconds"] = *c.seconds;
    return entry;
}

// Text as XML character data or an attribute value: the five special characters escaped, and the characters XML
// 1.0 cannot hold at all (control characters other than tab, line feed and carriage return) and bytes that are not
// UTF-8 as U+FFFD.
std::string xml_text(std::string const& text) {
    std::string out;
    for (char c : scenario::valid_utf8(text)) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += "\xef\xbf\xbd";
            else out += c;
        }
    }
    return out;
}

usize count(Report const& report, SeedOutcome outcome) {
    usize n = 0;
    for (ReportCase const& c : report.cases) n += c.outcome == outcome ? 1 : 0;
    return n;
}

} // namespace

std::optional<ReportFormat> report_format_from_name(std::string const& name) {
    if (name == "json") return ReportFormat::Json;
    if (name == "junit") return ReportFormat::Junit;
    return std::nullopt;
}

Report sweep_report(SweepResults const& results) {
    Report report{"sweep", results.name, {}};
    for (SeedRun const& run : results.runs)
        report.cases.push_back(ReportCase{fmt::format("seed {}", run.seed), results.scenario, run.seed, run.outcome,
                                          run.digest, run.failures, std::nullopt});
    return report;
}

std::string report_json(Report const& report) {
    Json cases = Json::array();
    for (ReportCase const& c : report.cases) cases.push_back(case_json(c));
    Json const out{{"command", report.command},
                   {"suite", report.suite},
                   {"cases", report.cases.size()},
                   {"passed", count(report, SeedOutcome::Passed)},
                   {"failed", count(report, SeedOutcome::Failed)},
                   {"unfinished", count(report, SeedOutcome::Unfinished)},
                   {"bad-input", count(report, SeedOutcome::BadInput)},
                   {"results", cases}};
    return scenario::json_text(out, 2) + "\n";
}

std::string report_junit(Report const& report) {
    usize const failures = count(report, SeedOutcome::Failed);
    usize const errors = report.cases.size() - failures - count(report, SeedOutcome::Passed);
    double total = 0;
    for (ReportCase const& c : report.cases) total += c.seconds.value_or(0);
    std::string const suite = xml_text(report.suite);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format("<testsuites name=\"grovesim {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n",
                       report.command, report.cases.size(), failures, errors, total);
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" "
                       "time=\"{:.3f}\">\n",
                       suite, report.cases.size(), failures, errors, total);
    for (ReportCase const& c : report.cases) {
        out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", suite, xml_text(c.name),
                           c.seconds.value_or(0));
        std::string detail;
        for (std::string const& failure : c.failures) detail += failure + "\n";
        std::string const reproduce = fmt::format("grovesim run {} --seed {}", c.scenario, c.seed);
        if (c.outcome == SeedOutcome::Passed) {
            out += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n",
                               xml_text(fmt::format("digest {}; {}",
                                                    c.digest ? scenario::format_digest(*c.digest) : "-", reproduce)));
            continue;
        }
        char const* element = c.outcome == SeedOutcome::Failed ? "failure" : "error";
        std::string const message = c.failures.empty() ? std::string(outcome_name(c.outcome)) : c.failures.front();
        out += fmt::format(">\n      <{} message=\"{}\" type=\"{}\">{}reproduce: {}</{}>\n    </testcase>\n", element,
                           xml_text(message), outcome_name(c.outcome), xml_text(detail), xml_text(reproduce), element);
    }
    out += "  </testsuite>\n</testsuites>\n";
    return out;
}

std::optional<std::string> write_report(Report const& report, ReportFormat format, std::string const& path) {
    std::ofstream out(path, std::ios::trunc);
    out << (format == ReportFormat::Json ? report_json(report) : report_junit(report));
    if (out) return std::nullopt;
    return fmt::format("{}: cannot write the report", path);
}

std::string report_case_line(ReportCase const& c) { return scenario::json_text(case_json(c)); }

std::optional<ReportCase> read_report_case(std::string const& line) {
    Json const entry = Json::parse(line, nullptr, false);
    if (!entry.is_object()) return std::nullopt;
    try {
        ReportCase c;
        c.name = entry.at("name").get<std::string>();
        c.scenario = entry.at("scenario").get<std::string>();
        c.seed = std::stoull(entry.at("seed").get<std::string>());
        auto const outcome = outcome_named(entry.at("outcome").get<std::string>());
        if (!outcome) return std::nullopt;
        c.outcome = *outcome;
        if (!entry.at("digest").is_null())
            c.digest = scenario::parse_digest_text(entry.at("digest").get<std::string>());
        c.failures = entry.at("failures").get<std::vector<std::string>>();
        if (entry.contains("seconds")) c.seconds = entry.at("seconds").get<double>();
        return c;
    } catch (std::exception const&) { return std::nullopt; }
}

} // namespace grove::runner

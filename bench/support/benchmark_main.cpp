#include <bench/support/benchmark_main.hpp>

#include <benchmark/benchmark.h>
#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include <cstdio>
#include <string>
#include <vector>
#include <unistd.h>

#ifndef GROVE_BUILD_TYPE
#define GROVE_BUILD_TYPE "unknown"
#endif

namespace grove::bench {

namespace {

std::string dotted(unsigned major, unsigned minor) { return std::to_string(major) + "." + std::to_string(minor); }

// The first line of `qemu-system-x86_64 --version`, or "unavailable".
std::string qemu_version() {
    FILE* pipe = popen("qemu-system-x86_64 --version 2>/dev/null", "r");
    if (pipe == nullptr) return "unavailable";
    char line[256] = {};
    bool const has_line = std::fgets(line, sizeof line, pipe) != nullptr;
    int const status = pclose(pipe);
    if (!has_line || status != 0) return "unavailable";
    std::string text = line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

} // namespace

void add_tool_context() {
    unsigned uc_major = 0;
    unsigned uc_minor = 0;
    unsigned const uc_packed = uc_version(&uc_major, &uc_minor);
    // uc_version packs major.minor.patch.extra as bytes; the patch level is the second-lowest byte.
    unsigned const uc_patch = (uc_packed >> 8) & 0xff;
    benchmark::AddCustomContext("unicorn_version", dotted(uc_major, uc_minor) + "." + std::to_string(uc_patch));

    int cs_major = 0;
    int cs_minor = 0;
    (void)cs_version(&cs_major, &cs_minor);
    benchmark::AddCustomContext("capstone_version",
                                dotted(static_cast<unsigned>(cs_major), static_cast<unsigned>(cs_minor)));

    benchmark::AddCustomContext("qemu_version", qemu_version());
    benchmark::AddCustomContext("compiler", "g++ " __VERSION__);
    benchmark::AddCustomContext("grove_build_type", GROVE_BUILD_TYPE);
}

namespace {

// The console table, remembering whether any run ended with an error (SkipWithError), so that the program's exit
// status says so and a start-up test fails on it.
// Colour only on a terminal, as Google Benchmark's own default display does.
class ErrorCountingReporter : public benchmark::ConsoleReporter {
public:
    ErrorCountingReporter() : ConsoleReporter(isatty(STDOUT_FILENO) != 0 ? OO_Color : OO_None) {}
    void ReportRuns(std::vector<Run> const& runs) override {
        for (Run const& run : runs) m_errors += run.error_occurred ? 1 : 0;
        ConsoleReporter::ReportRuns(runs);
    }
    int errors() const { return m_errors; }

private:
    int m_errors = 0;
};

} // namespace

int run_benchmarks(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    add_tool_context();
    ErrorCountingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    if (reporter.errors() == 0) return 0;
    std::fprintf(stderr, "%d benchmark run(s) ended with an error (above)\n", reporter.errors());
    return 1;
}

} // namespace grove::bench

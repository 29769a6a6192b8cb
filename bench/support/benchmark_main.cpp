#include <bench/support/benchmark_main.hpp>

#include <sim/backend/tool_versions.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>
#include <unistd.h>

#ifndef GROVE_BUILD_TYPE
#define GROVE_BUILD_TYPE "unknown"
#endif

namespace grove::bench {

void add_tool_context() {
    benchmark::AddCustomContext("unicorn_version", sim::unicorn_version());
    benchmark::AddCustomContext("capstone_version", sim::capstone_version());
    benchmark::AddCustomContext("qemu_version", sim::qemu_version());
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
    // Figures from an unoptimised tree mean nothing beside their references: refused unless asked for.
    bool allow_unoptimised = false;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == AllowUnoptimisedFlag) allow_unoptimised = true;
        else argv[kept++] = argv[i];
    }
    argc = kept;
    if (std::string_view(GROVE_BUILD_TYPE) != "Release" && !allow_unoptimised) {
        std::fprintf(stderr,
                     "%s: this is a %s build; its figures are not comparable with their references. Run the Release "
                     "build (make bench, build-release/), or give %s to run it anyway (a quick check that it "
                     "starts, as ctest -L bench does)\n",
                     argv[0], GROVE_BUILD_TYPE, AllowUnoptimisedFlag);
        return 2;
    }
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

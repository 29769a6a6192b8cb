#pragma once

namespace grove::bench {

// The main of every benchmark program: parses Google Benchmark's flags, adds the context block (tool versions,
// build type) to the JSON output, runs the registered benchmarks. Rows (declare_row) and benchmarks registered at
// run time must be declared before the call. Returns the process exit status: 0, or 1 for unknown flags or when
// any run ended with an error (SkipWithError), so that the start-up tests (ctest -L bench) fail on it.
// Outside a Release build (CMAKE_BUILD_TYPE) it refuses to run, with a message, and returns 2, unless
// AllowUnoptimisedFlag is among the arguments (the start-up tests of a debug tree give it).
inline constexpr char const* AllowUnoptimisedFlag = "--allow-unoptimised";
int run_benchmarks(int argc, char** argv);

// Records the versions of the tools the figures depend on, read at run time: Unicorn (uc_version), Capstone
// (cs_version), QEMU (`qemu-system-x86_64 --version`, "unavailable" when it does not run), the compiler
// (__VERSION__) and the CMake build type. run_benchmarks calls it.
void add_tool_context();

} // namespace grove::bench

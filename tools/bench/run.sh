#!/usr/bin/env bash
# The body of `make bench`: builds the benchmark programs in Release (build-release/, preset host-release), then
# runs each one and summarises them with tools/bench/run_programs.sh: Google Benchmark JSON in build/bench/, the
# table on the console and build/bench/summary.json (tools/bench/bench_summary.cpp).
#
# Environment: GROVE_BENCH_REPETITIONS (default 9), GROVE_BENCH_MIN_TIME (seconds per repetition, default 0.5),
# GROVE_BENCH_FILTER (a --benchmark_filter regex, default all), JOBS (build parallelism).
set -euo pipefail
cd "$(dirname "$0")/../.."

jobs=${JOBS:-$(nproc)}

tools/bootstrap.sh
test -f build-release/CMakeCache.txt || cmake --preset host-release
cmake --build --preset host-release --target grove_benchmarks -j "$jobs"

exec tools/bench/run_programs.sh build-release/bench/programs.txt build/bench build-release/bin/grove-bench-summary

#!/usr/bin/env bash
# The body of `make bench`: builds the benchmark programs in Release (build-release/, preset host-release), runs
# each one with repetitions (the repetitions of all its benchmarks interleaved in random order, so that a change
# of machine load during the run falls on ours and the reference alike), writes its Google Benchmark JSON to
# build/bench/<program>.json, then prints the table and writes build/bench/summary.json
# (tools/bench/bench_summary.cpp).
#
# Environment: GROVE_BENCH_REPETITIONS (default 9), GROVE_BENCH_MIN_TIME (seconds per repetition, default 0.5),
# GROVE_BENCH_FILTER (a --benchmark_filter regex, default all), JOBS (build parallelism).
set -euo pipefail
cd "$(dirname "$0")/../.."

repetitions=${GROVE_BENCH_REPETITIONS:-9}
min_time=${GROVE_BENCH_MIN_TIME:-0.5}
filter=${GROVE_BENCH_FILTER:-.}
jobs=${JOBS:-$(nproc)}
out=build/bench

tools/bootstrap.sh
test -f build-release/CMakeCache.txt || cmake --preset host-release
cmake --build --preset host-release --target grove_benchmarks -j "$jobs"

programs=build-release/bench/programs.txt
if [ ! -s "$programs" ]; then
  echo "bench: $programs is missing or empty: no benchmark program is registered" >&2
  exit 1
fi

mkdir -p "$out"
rm -f "$out"/*.json
results=()
while IFS= read -r program; do
  [ -n "$program" ] || continue
  name=$(basename "$program")
  echo "bench: $name"
  "$program" \
    --benchmark_repetitions="$repetitions" \
    --benchmark_report_aggregates_only=true \
    --benchmark_enable_random_interleaving=true \
    --benchmark_min_time="$min_time" \
    --benchmark_filter="$filter" \
    --benchmark_out="$out/$name.json" \
    --benchmark_out_format=json
  results+=("$out/$name.json")
done < "$programs"

echo
build-release/bin/grove-bench-summary "$out/summary.json" "${results[@]}"

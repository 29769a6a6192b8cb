#!/usr/bin/env bash
# Runs every benchmark program of a list with repetitions (the repetitions of all its benchmarks interleaved in
# random order, so that a change of machine load during the run falls on ours and the reference alike), writes
# each one's Google Benchmark JSON to OUT/<program>.json, then prints the table and writes OUT/summary.json with
# SUMMARY (grove-bench-summary, tools/bench/bench_summary.cpp). A program that exits non-zero (a run ended with
# an error, grove::bench::run_benchmarks) does not stop the others: its rows say `error:` in the table, and the
# script exits 1 once the table is written. Usage: tools/bench/run_programs.sh PROGRAMS OUT SUMMARY
# (PROGRAMS: one path a line). Environment: GROVE_BENCH_REPETITIONS (default 9), GROVE_BENCH_MIN_TIME (seconds per
# repetition, default 0.5), GROVE_BENCH_FILTER (a --benchmark_filter regex, default all).
set -euo pipefail
programs=$1
out=$2
summary=$3
repetitions=${GROVE_BENCH_REPETITIONS:-9}
min_time=${GROVE_BENCH_MIN_TIME:-0.5}
filter=${GROVE_BENCH_FILTER:-.}

if [ ! -s "$programs" ]; then
  echo "bench: $programs is missing or empty: no benchmark program is registered" >&2
  exit 1
fi

mkdir -p "$out"
rm -f "$out"/*.json
results=()
failed=()
while IFS= read -r program; do
  [ -n "$program" ] || continue
  name=$(basename "$program")
  echo "bench: $name"
  if ! "$program" \
    --benchmark_repetitions="$repetitions" \
    --benchmark_report_aggregates_only=true \
    --benchmark_enable_random_interleaving=true \
    --benchmark_min_time="$min_time" \
    --benchmark_filter="$filter" \
    --benchmark_out="$out/$name.json" \
    --benchmark_out_format=json; then
    failed+=("$name")
  fi
  # A program that died before writing its JSON has no rows to show.
  if [ -s "$out/$name.json" ]; then results+=("$out/$name.json"); fi
done < "$programs"

echo
status=0
if [ ${#results[@]} -gt 0 ]; then
  "$summary" "$out/summary.json" "${results[@]}" || status=$?
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench: ${failed[*]} exited with an error (see the rows marked error: and the output above)" >&2
  exit 1
fi
exit "$status"

#!/usr/bin/env bash
# The test of tools/bench/run_programs.sh with two stand-in benchmark programs: the first ends a run with an error
# and exits 1 (as grove::bench::run_benchmarks does), the second succeeds. The second must still run, the table
# must show the first one's row as an error and the second one's figure, and the script must exit 1.
# Usage: run_programs_test.sh RUN_PROGRAMS SUMMARY WORKDIR
set -uo pipefail
run_programs=$1
summary=$2
work=$3
rm -rf "$work"
mkdir -p "$work/bin"

# A stand-in program: writes Google Benchmark JSON with one row and one run to --benchmark_out, exits $2.
stand_in() { # name status error_occurred
  cat >"$work/bin/$1" <<STUB
#!/bin/sh
for argument in "\$@"; do case "\$argument" in --benchmark_out=*) out=\${argument#--benchmark_out=};; esac; done
cat >"\$out" <<JSON
{"context": {"executable": "$1", "grove_build_type": "Release",
             "grove.row.$1_row": "ours=|reference=$1/run|metric=real_time|unit=ns|target="},
 "benchmarks": [{"name": "$1/run", "run_name": "$1/run", "run_type": "iteration", "error_occurred": $3,
                 "error_message": "$1 could not measure", "real_time": 42, "time_unit": "ns"}]}
JSON
exit $2
STUB
  chmod +x "$work/bin/$1"
  echo "$work/bin/$1" >>"$work/programs.txt"
}
stand_in failing 1 true
stand_in passing 0 false

output=$(GROVE_BENCH_REPETITIONS=1 "$run_programs" "$work/programs.txt" "$work/out" "$summary" 2>&1)
status=$?
echo "$output"
fail() { echo "FAIL: $1" >&2; exit 1; }
[ "$status" -eq 1 ] || fail "run_programs.sh exited $status, not 1"
grep -q "bench: passing" <<<"$output" || fail "the program after the failing one did not run"
grep -q "failing_row .*error: failing could not measure" <<<"$output" || fail "no error row for the failing program"
grep -Eq "passing_row +- +42" <<<"$output" || fail "no figure for the passing program"
grep -q '"name": "passing_row"' "$work/out/summary.json" || fail "summary.json lacks the passing program's row"
echo "ok"

#!/usr/bin/env bash
# gdb --batch against `grovesim run --gdb 0` on a shipped scenario (echo alone, crashed and respawned from outside):
# break at the grove's main, read a variable, step, step back (reverse-stepi lands on the pc of the step before),
# continue back to the breakpoint (reverse-continue), stop at a virtual time (monitor stop-at), then detach. The run
# then goes on alone and must still match its recorded digest: debugging changed nothing of it.
#   gdb_session.sh <grovesim> <echo.elf> <scenario.toml> <digests.txt> <work dir>
set -uo pipefail
grovesim=$1 elf=$2 scenario=$3 digests=$4 work=$5
mkdir -p "$work"
out=$work/grovesim.out gdb_out=$work/gdb.out
source "$(dirname "$0")/../../support/background_run.sh"
background_run "$out" 's/^gdb: waiting on 127.0.0.1:\([0-9]*\) .*/\1/p' \
  "$grovesim" run --no-trace --gdb 0 --digests "$digests" "$scenario" || exit 1
sim=$background_pid port=$background_match
timeout 300 gdb --batch -nx \
  -ex 'set pagination off' -ex 'set confirm off' \
  -ex "file $elf" -ex "target remote 127.0.0.1:$port" \
  -ex 'info threads' \
  -ex 'break main' -ex 'continue' \
  -ex 'print argc' \
  -ex 'stepi' -ex 'printf "first step at %#lx\n", $pc' \
  -ex 'stepi' -ex 'printf "second step at %#lx\n", $pc' \
  -ex 'reverse-stepi' -ex 'printf "stepped back to %#lx\n", $pc' \
  -ex 'reverse-continue' -ex 'printf "continued back to %#lx\n", $pc' \
  -ex 'monitor stop-at 30000000' -ex 'delete' -ex 'continue' -ex 'monitor time' \
  -ex 'detach' >"$gdb_out" 2>&1
gdb_status=$?
wait "$sim"
sim_status=$?
cat "$gdb_out"
echo "--- grovesim (exit $sim_status):"
cat "$out"
fail() { echo "FAIL: $*"; exit 1; }
[ $gdb_status -eq 0 ] || fail "gdb exited with $gdb_status"
grep -q '^Breakpoint 1, main (argc=1' "$gdb_out" || fail "no stop at main"
grep -q '^\$1 = 1$' "$gdb_out" || fail "argc is not 1"
first=$(sed -n 's/^first step at \(0x[0-9a-f]*\)$/\1/p' "$gdb_out")
second=$(sed -n 's/^second step at \(0x[0-9a-f]*\)$/\1/p' "$gdb_out")
back=$(sed -n 's/^stepped back to \(0x[0-9a-f]*\)$/\1/p' "$gdb_out")
[ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ] || fail "the steps did not move"
[ "$back" = "$first" ] || fail "reverse-stepi went to $back, not $first"
main=$(sed -n 's/^Breakpoint 1 at \(0x[0-9a-f]*\): .*/\1/p' "$gdb_out")
continued=$(sed -n 's/^continued back to \(0x[0-9a-f]*\)$/\1/p' "$gdb_out")
[ -n "$main" ] && [ "$continued" = "$main" ] || fail "reverse-continue went to $continued, not main at $main"
time=$(sed -n 's/^virtual time \([0-9]*\) ns, .*/\1/p' "$gdb_out")
[ -n "$time" ] && [ "$time" -ge 30000000 ] && [ "$time" -lt 40000000 ] || fail "monitor stop-at stopped at '$time' ns"
[ $sim_status -eq 0 ] || fail "the run under gdb did not pass (exit $sim_status)"
grep -q 'digest recorded in' "$out" || fail "no digest row"
echo "PASS"

#!/usr/bin/env bash
# `grovesim run --target metal --gdb PORT`: QEMU starts halted with its gdb stub; gdb runs the script grovesim wrote
# (the kernel's and the groves' symbols), stops at the kernel's entry, then breaks at a grove's main and sees it hit
# in ring 1 with the grove's argc and source line, and detaches; the boot then finishes with the scenario's verdict.
#   gdb_breakpoint.sh <grovesim> <scenario.toml> <work dir>
set -uo pipefail
grovesim=$1 scenario=$2 work=$3
mkdir -p "$work"
out=$work/grovesim.out gdb_out=$work/gdb.out
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
source "$(dirname "$0")/../support/background_run.sh"
background_run "$out" 's/^gdb: QEMU waits on 127.0.0.1:[0-9]*: gdb -x \(.*\)$/\1/p' \
  "$grovesim" run --no-trace --target metal --boot kernel --gdb "$port" "$scenario" || exit 1
sim=$background_pid script=$background_match
# QEMU listens once it has started: gdb's script connects, so give it a moment to be there.
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
timeout 120 gdb --batch -nx -x "$script" \
  -ex 'break kernel_main' -ex 'continue' -ex 'delete' \
  -ex 'break main' -ex 'continue' \
  -ex 'print argc' -ex 'printf "cs=%#x\n", $cs' -ex 'info symbol $pc' -ex 'info line *$pc' \
  -ex 'delete' -ex 'detach' >"$gdb_out" 2>&1
gdb_status=$?
wait "$sim"
sim_status=$?
cat "$script"
echo "--- gdb (exit $gdb_status):"
cat "$gdb_out"
echo "--- grovesim (exit $sim_status):"
cat "$out"
fail() { echo "FAIL: $*"; exit 1; }
[ $gdb_status -eq 0 ] || fail "gdb exited with $gdb_status"
grep -q '^Breakpoint 1, kernel_main (' "$gdb_out" || fail "the kernel's symbols are not loaded"
grep -q '^Breakpoint 2, main (argc=1' "$gdb_out" || fail "the breakpoint at the grove's main was not hit"
grep -q '^\$1 = 1$' "$gdb_out" || fail "argc is not 1"
grep -q '^cs=0x1[9b]$' "$gdb_out" || fail "the stop is not in ring 1"
grep -q '^main in section .text of .*echo.elf$' "$gdb_out" || fail "the pc is not in the grove's image"
grep -q '^Line [0-9]* of ".*echo.cpp"' "$gdb_out" || fail "no source line for the grove's main"
[ $sim_status -eq 0 ] || fail "the boot under gdb did not pass (exit $sim_status)"
echo "PASS"

#!/usr/bin/env bash
# Runs libFuzzer harnesses of the fuzz tree for a given time each, one after the other.
#
#   fuzz/run.sh [--binaries DIR] [--seconds N] [--fresh] [NAME...]    NAME: scenario elf plan kernel forge event (default: all)
#
# Each harness reads its seed corpus from fuzz/corpus/<name>/ (kept in the tree; for the scenario parser also the
# shipped scenarios, for the ELF loader also the grove images of build/groves/ when they were built) and keeps
# what it learns in build-fuzz/corpus/<name>/. A finding (crash, leak, timeout, broken property) is written to
# build-fuzz/findings/<name>/ and the script exits 1. Prints each harness's executions and run length.
# --fresh (the ctests): start from the seeds alone, keep nothing learnt, and write logs and findings under
# build-fuzz/fresh/<name>/, so a short run takes the same time every time and never mixes with a long one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binaries=$root/build-fuzz/bin
seconds=60
fresh=false
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binaries) binaries=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --fresh) fresh=true; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) names+=("$1"); shift ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=(scenario elf plan kernel forge event)

status=0
for name in "${names[@]}"; do
  binary=$binaries/${name}_fuzzer
  [ -x "$binary" ] || { echo "fuzz: no harness $binary (build the fuzz preset)" >&2; exit 2; }
  work=$root/build-fuzz/corpus/$name
  findings=$root/build-fuzz/findings/$name
  log=$root/build-fuzz/findings/$name.log
  if $fresh; then
    work=$root/build-fuzz/fresh/$name/corpus
    findings=$root/build-fuzz/fresh/$name/findings
    log=$root/build-fuzz/fresh/$name/log
    rm -rf "$work"
  fi
  mkdir -p "$work" "$findings"
  corpora=("$work")
  [ -d "$root/fuzz/corpus/$name" ] && corpora+=("$root/fuzz/corpus/$name")
  options=()
  case "$name" in
    scenario)
      corpora+=("$root/scenarios" "$root/scenarios/examples" "$root/scenarios/adversarial")
      options+=(-dict="$root/fuzz/scenario.dict") ;;
    elf) [ -d "$root/build/groves" ] && corpora+=("$root/build/groves") ;;
    forge)
      corpora+=("$root/tests/forge/corpus")
      options+=(-dict="$root/fuzz/forge.dict") ;;
  esac
  started=$(date +%s)
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$findings/" "${options[@]}" "${corpora[@]}" >"$log" 2>&1; then
    verdict=ok
  else
    verdict="FINDING (see $log and $findings/)"
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz: $name: ${runs:-?} executions in $(( $(date +%s) - started )) s, corpus $(ls "$work" | wc -l) inputs: $verdict"
  [ "$verdict" = ok ] || tail -40 "$log"
done
exit $status

#!/usr/bin/env bash
# The main job of `make demo`: replay every shipped scenario in the simulator with grovesim and print, for each,
# its trace (the first events), its verdict table and its digest, checked against scenarios/digests.txt. Exits
# with grovesim's status: 0 when every expectation of every scenario holds.
set -euo pipefail
cd "$(dirname "$0")/.."
grovesim=build/bin/grovesim
if [ ! -x "$grovesim" ]; then
  echo "demo: $grovesim is not built yet; run make build" >&2
  exit 1
fi
mapfile -t scenarios < <("$grovesim" list)
echo "Replaying ${#scenarios[@]} scenarios in the simulator (grove programs run in Unicorn, virtual time):"
echo
status=0
"$grovesim" run --digests scenarios/digests.txt "${scenarios[@]}" || status=$?
if [ "$status" -eq 0 ]; then
  echo "demo: all ${#scenarios[@]} scenarios hold, each with its recorded digest"
else
  echo "demo: grovesim run exited $status (1: an expectation failed, 2: bad input)" >&2
fi
exit "$status"

#!/usr/bin/env bash
# The main job of `make demo`. Until the simulator replays scenarios, it runs the scripted lifecycle demo of the
# core against the test backend.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x build/bin/grove-demo ]; then
  exec build/bin/grove-demo
fi
echo "demo: the core's lifecycle demo is not built yet (build/bin/grove-demo missing)" >&2
exit 1

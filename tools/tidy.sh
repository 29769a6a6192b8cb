#!/usr/bin/env bash
# clang-tidy (.clang-tidy: bugprone-*, performance-*) over every C++ source of the repository that the build
# compiles, with the flags the build uses (BUILD/compile_commands.json; BUILD defaults to build/). Sources compiled
# twice (core/, hosted and freestanding) are checked once, in their hosted form; generated files are skipped.
# Exits 1 on any finding. Usage: tools/tidy.sh [BUILD]   (`make tidy` configures build/ first)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
jobs=${JOBS:-$(nproc)}

if ! command -v run-clang-tidy >/dev/null || ! command -v clang-tidy >/dev/null; then
  echo "tidy: clang-tidy is missing; run as root:  apt-get install -y clang-tidy" >&2
  exit 1
fi
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tidy: no $build/compile_commands.json; configure first (cmake --preset host-debug)" >&2
  exit 1
fi

mkdir -p "$build/tidy"
python3 - "$PWD" "$build/compile_commands.json" "$build/tidy/compile_commands.json" <<'PY'
import json, os, sys
source, database, output = sys.argv[1:]
build = os.path.realpath(os.path.dirname(database))
chosen = {}
for entry in json.load(open(database)):
    path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
    if not path.startswith(source + os.sep) or path.startswith(build + os.sep):
        continue
    if not path.endswith((".cpp", ".cc")):
        continue
    # Code generation options of GCC that clang does not take (with -mgeneral-regs-only it would also refuse
    # `long double` in <limits> while parsing); they change nothing that is checked.
    for option in ("-mgeneral-regs-only", "-fno-tree-loop-distribute-patterns"):
        entry["command"] = entry["command"].replace(" " + option, "")
    hosted = "-ffreestanding" not in entry["command"]
    if path not in chosen or (hosted and "-ffreestanding" in chosen[path]["command"]):
        chosen[path] = entry
json.dump(sorted(chosen.values(), key=lambda e: e["file"]), open(output, "w"), indent=1)
print(f"tidy: {len(chosen)} files")
PY

# GCC's warning options that clang does not know are not findings.
run-clang-tidy -p "$build/tidy" -j "$jobs" -quiet -extra-arg=-Wno-unknown-warning-option

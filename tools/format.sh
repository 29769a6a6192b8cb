#!/usr/bin/env bash
# clang-format (.clang-format) over every C and C++ file git tracks or would add (untracked, not ignored). With --check it writes nothing, prints the
# files it would change and how many lines, and exits 1 when there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  echo "format: clang-format is missing; run as root:  apt-get install -y clang-format" >&2
  exit 1
fi

files=$(git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' '*.h' '*.c')
if [ "${1:-}" != "--check" ]; then
  printf '%s\n' $files | xargs clang-format -i --style=file
  exit 0
fi

changed_files=0
changed_lines=0
for f in $files; do
  lines=$(clang-format --style=file "$f" | diff "$f" - | grep -c '^<' || true)
  if [ "$lines" -gt 0 ]; then
    echo "$f: $lines lines"
    changed_files=$((changed_files + 1))
    changed_lines=$((changed_lines + lines))
  fi
done
echo "format: $changed_files files, $changed_lines lines would change"
[ "$changed_files" -eq 0 ]

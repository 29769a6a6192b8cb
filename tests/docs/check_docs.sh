#!/usr/bin/env bash
# Keeps docs/ current with the code where that can be checked mechanically:
#   - every key the scenario parser accepts, and every name it accepts for an action, policy or state, is in
#     docs/scenarios.md (as `key`);
#   - every syscall and status of the ABI headers is a row of docs/abi.md with its number;
#   - docs/plan.md describes the plan version and the record sizes of core/plan/plan_format.hpp;
#   - every page of docs/ is linked from docs/index.md, and every relative link in docs/, README.md and DESIGN.md
#     names a file or folder inside the repository.
#   check_docs.sh <repository root>
set -euo pipefail
root=$(cd "$1" && pwd)
failures=0
fail() {
  echo "check_docs: $*" >&2
  failures=$((failures + 1))
}
# has FILE TEXT: the page holds TEXT literally.
has() { grep -qF -- "$2" "$root/$1"; }

# --- scenario keys ------------------------------------------------------------------------------------------------
parser=$root/sim/scenario/scenario_parser.cpp
# The key lists of every StrictTable (its third argument, a braced list of strings) and the keys read with get().
keys=$(
  {
    tr '\n' ' ' <"$parser" | grep -oE 'StrictTable const [a-z_]+\([^;]*;' | grep -oE '\{ *"[a-z_]+"[^{}]*\}' |
      grep -oE '"[a-z_]+"'
    grep -oE '\.get\("[a-z_]+"\)' "$parser" | grep -oE '"[a-z_]+"'
  } | tr -d '"' | sort -u
)
key_count=$(wc -w <<<"$keys")
[ "$key_count" -ge 60 ] || fail "found only $key_count keys in $parser; has the parser's form changed?"
for key in $keys; do
  has docs/scenarios.md "\`$key\`" || fail "the scenario key '$key' ($parser) is not in docs/scenarios.md"
done

# The names of fault actions, violation and respawn policies and grove states, as the parser accepts them.
names=$(
  {
    sed -n '/fault_action_name(FaultAction/,/^}/p' "$root/core/machine/fault_action.hpp" | grep -oE 'return "[a-z-]+"'
    grep -oE '\{[A-Za-z]+::[A-Za-z]+, "[a-z-]+"\}' "$root/sim/scenario/scenario.cpp"
  } | grep -oE '"[a-z-]+"' | tr -d '"' | sort -u
)
[ "$(wc -w <<<"$names")" -ge 20 ] || fail "found only $(wc -w <<<"$names") value names; has their form changed?"
for name in $names; do
  has docs/scenarios.md "\`$name\`" || fail "the scenario value '$name' is not in docs/scenarios.md"
done

# --- the ABI ------------------------------------------------------------------------------------------------------
abi=$root/core/abi/syscall.hpp
syscalls=$(sed -n '/^enum class Syscall /,/^};/p' "$abi" | grep -oE '^ *[A-Z][A-Za-z]+ = [0-9]+' | tr -d ' ')
[ "$(wc -w <<<"$syscalls")" -ge 30 ] || fail "found only $(wc -w <<<"$syscalls") syscalls in $abi"
for entry in $syscalls; do
  name=${entry%=*}
  number=${entry#*=}
  if [ "$name" = Count ]; then
    has docs/abi.md "\`Syscall::Count\` ($number)" || fail "docs/abi.md does not give Syscall::Count as $number"
  else
    has docs/abi.md "| $number | \`$name\` |" || fail "the syscall $name = $number ($abi) is not a row of docs/abi.md"
  fi
done
statuses=$(grep -oE 'Status[A-Za-z]+ = [0-9]+' "$root/core/abi/status.hpp" | sed 's/^Status//' | tr -d ' ')
[ "$(wc -w <<<"$statuses")" -ge 10 ] || fail "found only $(wc -w <<<"$statuses") status codes"
for entry in $statuses; do
  has docs/abi.md "| ${entry#*=} | \`${entry%=*}\` |" ||
    fail "the status ${entry%=*} = ${entry#*=} is not a row of docs/abi.md"
done

# --- the boot plan ------------------------------------------------------------------------------------------------
format=$root/core/plan/plan_format.hpp
# constant NAME: the value of `NAME = <number>;` (exactly one).
constant() {
  local values
  values=$(grep -oE "\b$1 = [0-9]+;" "$format" | sed -E 's/.* = ([0-9]+);/\1/')
  [ "$(wc -w <<<"$values")" -eq 1 ] || {
    echo "check_docs: $format does not define $1 once" >&2
    exit 1
  }
  echo "$values"
}
# Assignments, so that a constant not found ends the check (set -e).
version=$(constant Version)
header_size=$(constant HeaderSize)
grove_size=$(constant GroveFixedSize)
fault_size=$(constant FaultSize)
has docs/plan.md "## Layout (version $version)" || fail "docs/plan.md does not describe plan version $version"
has docs/plan.md "| 4 | u16 | version ($version) |" || fail "docs/plan.md's header does not give version $version"
has docs/plan.md "**Header**, $header_size bytes" || fail "docs/plan.md's header is not $header_size bytes"
has docs/plan.md "each $grove_size bytes of fixed fields" ||
  fail "docs/plan.md's grove record is not $grove_size bytes of fixed fields"
has docs/plan.md "$fault_size bytes each" || fail "docs/plan.md's fault record is not $fault_size bytes"

# --- pages and links ----------------------------------------------------------------------------------------------
for page in "$root"/docs/*.md; do
  [ "$(basename "$page")" = index.md ] && continue
  has docs/index.md "]($(basename "$page"))" || fail "docs/index.md does not link $(basename "$page")"
done
for file in "$root"/docs/*.md "$root/README.md" "$root/DESIGN.md"; do
  dir=$(dirname "$file")
  while IFS= read -r target; do
    case $target in http://* | https://* | mailto:* | '#'*) continue ;; esac
    path=${target%%#*}
    resolved=$(realpath -m "$dir/$path")
    case $resolved in
      "$root" | "$root"/*) ;;
      *) fail "${file#"$root"/} links $target, outside the repository" && continue ;;
    esac
    [ -e "$resolved" ] || fail "${file#"$root"/} links $target, which does not exist"
  done < <(grep -oE '\]\([^) ]+\)' "$file" | sed -E 's/^\]\((.*)\)$/\1/')
done

[ "$failures" -eq 0 ] || exit 1
echo "check_docs: $key_count scenario keys, $(wc -w <<<"$names") value names," \
  "$(($(wc -w <<<"$syscalls") - 1)) syscalls, $(wc -w <<<"$statuses") statuses," \
  "plan version $version, every link checked"

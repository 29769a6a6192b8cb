#!/usr/bin/env bash
# grovesim completion bash: the generated script completes every command `grovesim --help` lists, a command's
# options (from its own --help), file names for its arguments and for an option's value.
#   check_completion.sh <grovesim> <a file to complete>
set -euo pipefail
grovesim=$1
file=$2
script=$("$grovesim" completion bash)
eval "$script"
complete_words() { # the words typed so far; the last one is being completed
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _grovesim
  printf '%s\n' "${COMPREPLY[@]}"
}
fail() { echo "check_completion: $*" >&2; exit 1; }

commands=$("$grovesim" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$commands" ] || fail "no commands in grovesim --help"
offered=$(complete_words grovesim '')
for command in $commands; do
  grep -qx -- "$command" <<<"$offered" || fail "command $command is not offered: $offered"
  options=$("$grovesim" "$command" --help | grep -oE -- '^  (-[a-z],)?--[a-z][a-z-]*' | sed 's/.*--/--/' | sort -u)
  offered_options=$(complete_words grovesim "$command" --)
  for option in $options; do
    grep -qx -- "$option" <<<"$offered_options" || fail "option $option of $command is not offered"
  done
done
[ "$(complete_words grovesim ru)" = run ] || fail "'ru' does not complete to run"
[ "$(complete_words grovesim run --ima)" = --images ] || fail "'run --ima' does not complete to --images"
[ "$(complete_words grovesim run --images "${file%?}")" = "$file" ] || fail "the value of --images is not a file name"
[ "$(complete_words grovesim inspect "${file%?}")" = "$file" ] || fail "inspect's argument is not a file name"
echo "completion: $(wc -w <<<"$commands") commands and their options offered"

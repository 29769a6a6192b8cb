# Sourced by test scripts that drive a program running in the background (a debugger session against it).
#   background_run OUT PATTERN COMMAND...
# starts COMMAND with its standard output and error in OUT, then waits up to 30 s for a line of OUT that the sed
# expression PATTERN prints something for (s/.../.../p). Sets background_pid and background_match (empty when no
# such line came: then OUT is printed and the program stopped).
background_run() {
  local out=$1 pattern=$2
  shift 2
  "$@" >"$out" 2>&1 &
  background_pid=$!
  background_match=
  for _ in $(seq 1 300); do
    background_match=$(sed -n "$pattern" "$out")
    [ -n "$background_match" ] && return 0
    sleep 0.1
  done
  echo "no line matching '$pattern' came from: $*"
  cat "$out"
  kill "$background_pid" 2>/dev/null
  return 1
}

#pragma once
#include <functional>
#include <string>

namespace grove::bench {

// Runs `child` in a forked child process and `parent` in this one, for a host reference that needs two processes.
// The child dies with its parent (PR_SET_PDEATHSIG), never returns into the benchmark library, and exits with what
// `child` returns (0 for success). SIGPIPE is ignored in this process while `parent` runs, so a dead child shows up
// as EPIPE on a write instead of killing the benchmark. `parent` returns an empty string or what went wrong; when
// something went wrong the child is killed. Returns an empty string, or the failure: the parent's, fork's, or a
// child that did not exit 0.
std::string run_beside_child(std::function<int()> const& child, std::function<std::string()> const& parent);

} // namespace grove::bench

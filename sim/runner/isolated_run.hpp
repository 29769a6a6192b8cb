#pragma once
#include <sim/runner/run_progress.hpp>

#include <functional>
#include <string>

namespace grove::runner {

// How a piece of work run in a child process ended.
struct IsolatedOutcome {
    int exit_status = 0;  // the child's exit status, when it finished
    bool died = false;    // it did not finish: a signal, an exit() from inside a library, the time limit
    std::string failure;  // when died (or could not be started): why the run did not finish, and where it was
};

// Runs `work` in a forked child process and waits for it, at most `timeout_seconds` of wall-clock time (0: no
// limit). The child gets a RunProgress in memory shared with this process and returns its exit status; whatever it
// prints goes to the same stdout and stderr (both are flushed before the fork).
//
// The child says how it ended through that shared memory, not through its exit status alone: it marks the run
// finished just before it exits with the work's status, and records a panic of the core (as a violation of the
// invariant that the kernel never panics, with the file, line and message), an uncaught exception (std::bad_alloc when the
// host's memory ran out) or an exit() called from inside the emulator or a library (Unicorn calls exit(1) when it
// cannot allocate its translation buffer). Whenever the child did not finish, `failure` names the reason and the
// grove, generation, pc and virtual time the progress record last held, so that one scenario that takes the
// emulator down, or runs too long, never takes the others with it. A child past the time limit is killed.
IsolatedOutcome run_isolated(std::function<int(RunProgress*)> const& work, unsigned timeout_seconds = 0);

} // namespace grove::runner

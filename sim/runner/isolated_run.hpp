#pragma once
#include <sim/runner/run_progress.hpp>

#include <functional>
#include <string>

namespace grove::runner {

// How a piece of work run in a child process ended.
struct IsolatedOutcome {
    int exit_status = 0;  // the child's exit status, when it exited
    bool died = false;    // it was killed by a signal (an emulator abort, a failed core assertion...)
    std::string failure;  // when died (or could not be started): what happened, and where the run was
};

// Runs `work` in a forked child process and waits for it. The child gets a RunProgress in memory shared with this
// process and returns its exit status; whatever it prints goes to the same stdout and stderr (both are flushed
// before the fork). When the child dies from a signal, `failure` names the signal and the grove, generation, pc
// and virtual time the progress record last held, so that one scenario that takes the emulator down never takes
// the others with it.
IsolatedOutcome run_isolated(std::function<int(RunProgress*)> const& work);

} // namespace grove::runner

#pragma once
#include <sim/runner/run_progress.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <sys/types.h>

namespace grove::runner {

// How a piece of work run in a child process ended.
struct IsolatedOutcome {
    int exit_status = 0; // the child's exit status, when it finished
    bool died = false;   // it did not finish: a signal, an exit() from inside a library, the time limit
    std::string failure; // when died (or could not be started): why the run did not finish, and where it was
    std::string output;  // what the child wrote to stdout, when it was captured (IsolatedOutput::Captured)
};

// Where the standard output of the child goes: the parent's own, or captured into IsolatedOutcome::output.
enum class IsolatedOutput { Shared, Captured };

struct SharedRecord;

// One piece of work running in a child process, watched without blocking, so that a caller can keep several
// running at once (grovesim sweep --jobs). run_isolated below is start() and poll() until it ends; everything it
// says about the child, the shared record and how an ending is reported holds here too.
class IsolatedChild {
public:
    IsolatedChild(std::function<int(RunProgress*)> const& work, unsigned timeout_seconds,
                  IsolatedOutput output = IsolatedOutput::Shared);
    ~IsolatedChild();
    IsolatedChild(IsolatedChild const&) = delete;
    IsolatedChild& operator=(IsolatedChild const&) = delete;

    // Reads what the child wrote, reaps it when it has ended and kills it past its time limit. Never blocks; true
    // once the child has ended (then outcome() is final).
    bool poll();
    IsolatedOutcome const& outcome() const { return m_outcome; }

private:
    void drain_output();
    void finish(int status, bool timed_out);

    SharedRecord* m_shared = nullptr;
    pid_t m_child = -1;
    int m_output = -1; // the read end of the captured stdout, or -1
    bool m_ended = false;
    unsigned m_timeout_seconds = 0;
    std::chrono::steady_clock::time_point m_deadline;
    IsolatedOutcome m_outcome;
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
IsolatedOutcome run_isolated(std::function<int(RunProgress*)> const& work, unsigned timeout_seconds = 0,
                             IsolatedOutput output = IsolatedOutput::Shared);

} // namespace grove::runner

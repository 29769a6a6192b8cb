#include <sim/runner/isolated_run.hpp>

#include <core/base/assert.hpp>
#include <core/explore/invariant_checker.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace grove::runner {

namespace {

// What the child tells the parent about how it ended; shared memory, written only by the child.
struct RunEnding {
    bool finished = false; // the work returned; its status is the exit status
    char reason[240]{};    // else, when known: why it ended, NUL-terminated
};

struct SharedRecord {
    RunProgress progress;
    RunEnding ending;
};

// The child's record, for the exit and terminate handlers (one per child process).
RunEnding* g_ending = nullptr;

void record_reason(char const* text) {
    if (g_ending == nullptr || g_ending->reason[0] != '\0') return;
    std::strncpy(g_ending->reason, text, sizeof g_ending->reason - 1);
}

// An exit() the work did not ask for: the child leaves through _exit() after marking the run finished.
void on_unexpected_exit() {
    if (g_ending != nullptr && !g_ending->finished)
        record_reason("the simulation process called exit() from inside the emulator or a library (Unicorn does "
                      "when it cannot allocate its translation buffer: the host is short of memory)");
}

// A panic of the core (a broken assertion in the kernel): the invariant it breaks, where, and why; then abort.
[[noreturn]] void record_panic(char const* file, int line, char const* message) {
    std::string const text =
        fmt::format("invariant '{}' violated: {}:{}: {}", invariant_name(Invariant::KernelNeverPanics), file, line,
                    message);
    record_reason(text.c_str());
    std::fflush(stdout);
    std::abort();
}

// Records the exception being handled (or std::terminate without one) and aborts.
[[noreturn]] void abort_with_current_exception() {
    try {
        if (std::exception_ptr const current = std::current_exception()) std::rethrow_exception(current);
        record_reason("std::terminate was called");
    } catch (std::bad_alloc const&) {
        record_reason("the host ran out of memory (std::bad_alloc)");
    } catch (std::exception const& error) {
        std::string const text = fmt::format("an uncaught exception: {}", error.what());
        record_reason(text.c_str());
    } catch (...) {
        record_reason("an uncaught exception");
    }
    std::abort();
}

[[noreturn]] void run_child(std::function<int(RunProgress*)> const& work, SharedRecord* shared) {
    g_ending = &shared->ending;
    std::atexit(on_unexpected_exit);
    std::set_terminate(abort_with_current_exception);
    set_panic_handler(record_panic);
    int status = 0;
    try {
        status = work(&shared->progress);
    } catch (...) {
        abort_with_current_exception();
    }
    std::fflush(stdout);
    std::fflush(stderr);
    shared->ending.finished = true;
    _exit(status);
}

std::string where_it_was(RunProgress const& progress) {
    if (progress.resumes == 0) return "before any grove ran";
    char grove[sizeof progress.grove];
    std::memcpy(grove, progress.grove, sizeof grove);
    grove[sizeof grove - 1] = '\0';
    return fmt::format("while grove '{}' (generation {}) ran from pc {:#x} at {}ns, resume {}", grove,
                       progress.generation, progress.pc, progress.time, progress.resumes);
}

// Waits for the child, killing it once `timeout_seconds` (0: none) have passed; true when it was killed so.
bool wait_for(pid_t child, int& status, unsigned timeout_seconds) {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    for (;;) {
        pid_t const done = waitpid(child, &status, timeout_seconds == 0 ? 0 : WNOHANG);
        if (done == child) return false;
        if (done < 0 && errno != EINTR) return false;
        if (timeout_seconds != 0 && std::chrono::steady_clock::now() >= deadline) {
            kill(child, SIGKILL);
            while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
            return true;
        }
        if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace

IsolatedOutcome run_isolated(std::function<int(RunProgress*)> const& work, unsigned timeout_seconds) {
    IsolatedOutcome outcome;
    void* memory = mmap(nullptr, sizeof(SharedRecord), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        outcome.died = true;
        outcome.failure = fmt::format("cannot share memory with the run: {}", std::strerror(errno));
        return outcome;
    }
    auto* shared = new (memory) SharedRecord{};
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t const child = fork();
    if (child < 0) {
        outcome.died = true;
        outcome.failure = fmt::format("cannot start the run: {}", std::strerror(errno));
        munmap(memory, sizeof(SharedRecord));
        return outcome;
    }
    if (child == 0) run_child(work, shared);

    int status = 0;
    bool const timed_out = wait_for(child, status, timeout_seconds);
    RunEnding const& ending = shared->ending;
    std::string const where = where_it_was(shared->progress);
    std::string const reason(ending.reason, strnlen(ending.reason, sizeof ending.reason));
    if (timed_out) {
        outcome.died = true;
        outcome.failure = fmt::format("it ran past the wall-clock limit of {} s (--timeout) and was stopped {}",
                                      timeout_seconds, where);
    } else if (WIFEXITED(status) && ending.finished) {
        outcome.exit_status = WEXITSTATUS(status);
    } else if (WIFEXITED(status)) {
        outcome.died = true;
        outcome.failure = fmt::format("{} (exit status {}) {}",
                                      reason.empty() ? "the simulation process exited before the run finished"
                                                     : reason,
                                      WEXITSTATUS(status), where);
    } else {
        outcome.died = true;
        int const signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        outcome.failure = fmt::format("{}the simulation died from signal {} ({}) {}",
                                      reason.empty() ? "" : reason + "; ", signal, strsignal(signal), where);
    }
    munmap(memory, sizeof(SharedRecord));
    return outcome;
}

} // namespace grove::runner

#include <sim/runner/isolated_run.hpp>

#include <core/base/assert.hpp>
#include <core/explore/invariant_checker.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <fcntl.h>
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

} // namespace

struct SharedRecord {
    RunProgress progress;
    RunEnding ending;
};

namespace {

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
    std::string const text = fmt::format("invariant '{}' violated: {}:{}: {}",
                                         invariant_name(Invariant::KernelNeverPanics), file, line, message);
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
    } catch (...) { record_reason("an uncaught exception"); }
    std::abort();
}

[[noreturn]] void run_child(std::function<int(RunProgress*)> const& work, SharedRecord* shared, int output) {
    if (output >= 0) {
        dup2(output, STDOUT_FILENO);
        close(output);
    }
    g_ending = &shared->ending;
    std::atexit(on_unexpected_exit);
    std::set_terminate(abort_with_current_exception);
    set_panic_handler(record_panic);
    int status = 0;
    try {
        status = work(&shared->progress);
    } catch (...) { abort_with_current_exception(); }
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

} // namespace

IsolatedChild::IsolatedChild(std::function<int(RunProgress*)> const& work, unsigned timeout_seconds,
                             IsolatedOutput output)
    : m_timeout_seconds(timeout_seconds),
      m_deadline(std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds)) {
    m_ended = true;
    m_outcome.died = true;
    void* memory = mmap(nullptr, sizeof(SharedRecord), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        m_outcome.failure = fmt::format("cannot share memory with the run: {}", std::strerror(errno));
        return;
    }
    m_shared = new (memory) SharedRecord{};
    int pipe_ends[2] = {-1, -1};
    if (output == IsolatedOutput::Captured && pipe(pipe_ends) != 0) {
        m_outcome.failure = fmt::format("cannot capture the run's output: {}", std::strerror(errno));
        return;
    }
    std::fflush(stdout);
    std::fflush(stderr);
    m_child = fork();
    if (m_child < 0) {
        m_outcome.failure = fmt::format("cannot start the run: {}", std::strerror(errno));
        if (pipe_ends[0] >= 0) close(pipe_ends[0]);
        if (pipe_ends[1] >= 0) close(pipe_ends[1]);
        return;
    }
    if (m_child == 0) {
        if (pipe_ends[0] >= 0) close(pipe_ends[0]);
        run_child(work, m_shared, pipe_ends[1]);
    }
    if (pipe_ends[1] >= 0) {
        close(pipe_ends[1]);
        m_output = pipe_ends[0];
        fcntl(m_output, F_SETFL, fcntl(m_output, F_GETFL) | O_NONBLOCK);
    }
    m_ended = false;
    m_outcome.died = false;
}

IsolatedChild::~IsolatedChild() {
    if (!m_ended && m_child > 0) {
        kill(m_child, SIGKILL);
        int status = 0;
        while (waitpid(m_child, &status, 0) < 0 && errno == EINTR) {}
    }
    if (m_output >= 0) close(m_output);
    if (m_shared != nullptr) munmap(m_shared, sizeof(SharedRecord));
}

void IsolatedChild::drain_output() {
    if (m_output < 0) return;
    char buffer[4096];
    for (;;) {
        ssize_t const got = read(m_output, buffer, sizeof buffer);
        if (got > 0) {
            m_outcome.output.append(buffer, static_cast<usize>(got));
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (got == 0) {
            close(m_output);
            m_output = -1;
        }
        return;
    }
}

bool IsolatedChild::poll() {
    if (m_ended) return true;
    drain_output();
    int status = 0;
    pid_t const done = waitpid(m_child, &status, WNOHANG);
    if (done == m_child || (done < 0 && errno != EINTR)) {
        finish(status, false);
        return true;
    }
    if (m_timeout_seconds != 0 && std::chrono::steady_clock::now() >= m_deadline) {
        kill(m_child, SIGKILL);
        while (waitpid(m_child, &status, 0) < 0 && errno == EINTR) {}
        finish(status, true);
        return true;
    }
    return false;
}

void IsolatedChild::finish(int status, bool timed_out) {
    m_ended = true;
    // The pipe's write end closed with the child: whatever it still holds can be read without waiting.
    if (m_output >= 0) fcntl(m_output, F_SETFL, fcntl(m_output, F_GETFL) & ~O_NONBLOCK);
    drain_output();
    RunEnding const& ending = m_shared->ending;
    std::string const where = where_it_was(m_shared->progress);
    std::string const reason(ending.reason, strnlen(ending.reason, sizeof ending.reason));
    if (timed_out) {
        m_outcome.died = true;
        m_outcome.failure = fmt::format("it ran past the wall-clock limit of {} s (--timeout) and was stopped {}",
                                        m_timeout_seconds, where);
    } else if (WIFEXITED(status) && ending.finished) {
        m_outcome.exit_status = WEXITSTATUS(status);
    } else if (WIFEXITED(status)) {
        m_outcome.died = true;
        m_outcome.failure =
            fmt::format("{} (exit status {}) {}",
                        reason.empty() ? "the simulation process exited before the run finished" : reason,
                        WEXITSTATUS(status), where);
    } else {
        m_outcome.died = true;
        int const signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        m_outcome.failure = fmt::format("{}the simulation died from signal {} ({}) {}",
                                        reason.empty() ? "" : reason + "; ", signal, strsignal(signal), where);
    }
}

IsolatedOutcome run_isolated(std::function<int(RunProgress*)> const& work, unsigned timeout_seconds,
                             IsolatedOutput output) {
    IsolatedChild child(work, timeout_seconds, output);
    while (!child.poll()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return child.outcome();
}

} // namespace grove::runner

#include <sim/runner/isolated_run.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace grove::runner {

IsolatedOutcome run_isolated(std::function<int(RunProgress*)> const& work) {
    IsolatedOutcome outcome;
    void* shared = mmap(nullptr, sizeof(RunProgress), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        outcome.died = true;
        outcome.failure = fmt::format("cannot share memory with the run: {}", std::strerror(errno));
        return outcome;
    }
    auto* progress = new (shared) RunProgress{};
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t const child = fork();
    if (child < 0) {
        outcome.died = true;
        outcome.failure = fmt::format("cannot start the run: {}", std::strerror(errno));
        munmap(shared, sizeof(RunProgress));
        return outcome;
    }
    if (child == 0) {
        int const status = work(progress);
        std::fflush(stdout);
        std::fflush(stderr);
        _exit(status);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status)) {
        outcome.exit_status = WEXITSTATUS(status);
    } else {
        outcome.died = true;
        int const signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        std::string where = "before any grove ran";
        if (progress->resumes > 0)
            where = fmt::format("while grove '{}' (generation {}) ran from pc {:#x} at {}ns, resume {}",
                                progress->grove, progress->generation, progress->pc, progress->time,
                                progress->resumes);
        outcome.failure = fmt::format("the simulation died from signal {} ({}) {}", signal, strsignal(signal), where);
    }
    munmap(shared, sizeof(RunProgress));
    return outcome;
}

} // namespace grove::runner

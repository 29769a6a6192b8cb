#include <bench/support/forked_child.hpp>

#include <bench/support/host_channel.hpp>

#include <csignal>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace grove::bench {

std::string run_beside_child(std::function<int()> const& child, std::function<std::string()> const& parent) {
    struct sigaction ignore {};
    struct sigaction previous {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &previous);

    pid_t const parent_pid = getpid();
    pid_t const child_pid = fork();
    if (child_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent_pid) _exit(1);
        _exit(child());
    }
    if (child_pid < 0) {
        std::string failure = describe_errno("fork");
        sigaction(SIGPIPE, &previous, nullptr);
        return failure;
    }
    std::string failure = parent();
    if (!failure.empty()) kill(child_pid, SIGKILL);
    int status = 0;
    pid_t const waited = waitpid(child_pid, &status, 0);
    sigaction(SIGPIPE, &previous, nullptr);
    if (!failure.empty()) return failure;
    if (waited != child_pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return "the child process failed (a receive or send in the child returned an error)";
    return {};
}

} // namespace grove::bench

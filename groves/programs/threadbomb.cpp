// threadbomb [max-threads] [hold-ticks|forever]
//
// Creates threads (ThreadCreate capability) until the kernel refuses one or `max-threads` (default 1000,
// at most StackCount) are running. Each thread sleeps forever. Prints how many it created and the refusal
// (LimitExceeded, AccessDenied...), then holds for `hold-ticks` ticks (default forever, with heartbeats) and
// exits 0 (which ends every thread); 64 on bad arguments.
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* Usage = "threadbomb [max-threads] [hold-ticks|forever]";
constexpr u64 SleepPause = 1'000'000'000; // ticks

// The threads' stacks: small, because a sleeping thread needs little, and many, so that the kernel's limit is
// met before this pool runs out.
constexpr usize StackCount = 128;
constexpr usize StackSize = 4096;
alignas(16) u8 g_stacks[StackCount][StackSize];

long sleep_forever(u64) {
    for (;;) sys_sleep(SleepPause);
}

} // namespace

int main(int argc, char** argv) {
    u64 max_threads = 1000;
    u64 hold_ticks = Forever;
    if (argc > 3 || (argc > 1 && !parse_unsigned(argv[1], max_threads)) ||
        (argc > 2 && !parse_count(argv[2], hold_ticks)))
        usage(Usage);

    u64 created = 0;
    long refusal = 0;
    while (created < max_threads && created < StackCount) {
        long thread = thread_create_on(sleep_forever, created, g_stacks[created], StackSize);
        if (thread < 0) {
            refusal = thread;
            break;
        }
        ++created;
    }
    if (refusal < 0) print("threadbomb: created %lu threads, then refused: %s\n", created, status_name(refusal));
    else
        print("threadbomb: created %lu threads, no refusal (stopped at %s)\n", created,
              created == StackCount ? "the stack pool's end" : "max-threads");

    if (hold_ticks == Forever) {
        for (;;) {
            sys_heartbeat();
            sys_sleep(SleepPause);
        }
    }
    sys_sleep(hold_ticks);
    return 0;
}

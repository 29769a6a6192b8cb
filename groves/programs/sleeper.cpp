// sleeper [ticks-per-sleep] [count|forever]
//
// Sleeps `count` times (default 10) for `ticks-per-sleep` ticks of virtual time (default 1000000, 1 ms), sends
// a Heartbeat after each sleep and prints the clock before and after. After each sleep it looks for a stop request
// of the kernel (a graceful stop) on its own endpoint, without waiting, and exits 0 when there is one. Exits 0;
// 64 on bad arguments.
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

int main(int argc, char** argv) {
    u64 ticks = 1'000'000;
    u64 count = 10;
    if (argc > 3 || (argc > 1 && !parse_unsigned(argv[1], ticks)) || (argc > 2 && !parse_count(argv[2], count)))
        usage("sleeper [ticks-per-sleep] [count|forever]");

    for (u64 round = 0; count == Forever || round < count; ++round) {
        long before = sys_clock();
        long slept = sys_sleep(ticks);
        long after = sys_clock();
        sys_heartbeat();
        if (slept < 0) print("sleeper: %lu sleep refused: %s\n", round, status_name(slept));
        else print("sleeper: %lu clock %ld -> %ld (%ld ticks)\n", round, before, after, after - before);
        if (stop_requested()) {
            print("sleeper: stop requested after %lu sleeps\n", round + 1);
            return 0;
        }
    }
    return 0;
}

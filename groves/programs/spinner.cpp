// spinner [iterations|forever] [heartbeat-every]
//
// A CPU hog: spins `iterations` times (default forever) without a syscall, except a Heartbeat every
// `heartbeat-every` iterations when that is given and not 0. With a finite count it prints the iterations and
// the virtual time they took and exits 0; 64 on bad arguments.
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

int main(int argc, char** argv) {
    u64 iterations = Forever;
    u64 heartbeat_every = 0;
    if (argc > 3 || (argc > 1 && !parse_count(argv[1], iterations)) ||
        (argc > 2 && !parse_unsigned(argv[2], heartbeat_every)))
        usage("spinner [iterations|forever] [heartbeat-every]");

    print("spinner: spinning\n");
    long start = sys_clock();
    u64 until_heartbeat = heartbeat_every;
    u64 done = 0;
    for (; iterations == Forever || done < iterations; ++done) {
        // Keeps the loop a real loop: the compiler may neither remove nor collapse it.
        asm volatile("" : "+r"(done));
        if (heartbeat_every != 0 && --until_heartbeat == 0) {
            sys_heartbeat();
            until_heartbeat = heartbeat_every;
        }
    }
    print("spinner: %lu iterations in %ld ticks\n", done, sys_clock() - start);
    return 0;
}

// chatter [bytes-per-write] [writes|forever]
//
// A console flood: writes `bytes-per-write` bytes (default 4096, at most 4096: one ConsoleWrite each) `writes`
// times (default forever), a line of its count and '.' filler each time, without pause. The kernel charges every
// byte virtual time and drops what goes over the console budget (core/kernel/syscall_decode.hpp). With a finite
// count it prints how many bytes the kernel took and exits 0; 64 on bad arguments.
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr u64 MostPerWrite = 4096;
char g_block[MostPerWrite];

} // namespace

int main(int argc, char** argv) {
    u64 per_write = MostPerWrite;
    u64 writes = Forever;
    if (argc > 3 || (argc > 1 && (!parse_unsigned(argv[1], per_write) || per_write == 0 || per_write > MostPerWrite)) ||
        (argc > 2 && !parse_count(argv[2], writes)))
        usage("chatter [bytes-per-write 1..4096] [writes|forever]");

    for (u64 i = 0; i < per_write; ++i) g_block[i] = i + 1 == per_write ? '\n' : '.';
    u64 taken = 0;
    for (u64 done = 0; writes == Forever || done < writes; ++done) {
        long const written = sys_console_write(g_block, per_write);
        if (written > 0) taken += static_cast<u64>(written);
    }
    print("chatter: %lu bytes taken\n", taken);
    return 0;
}

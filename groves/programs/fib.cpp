// fib N
//
// The Fibonacci number N by double recursion, printed on its own line, then exit 0: the C reference of the Runic
// Forge's benchmark row (bench/forge_bench.cpp), which runs the same function compiled by the forge. Built twice
// from this file: `fib` with the programs' flags (-O2) and `fib_o0` with -O0 (groves/CMakeLists.txt).
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr u64 MaxN = 90; // fib(92) is the last that fits in 63 bits

long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

} // namespace

int main(int argc, char** argv) {
    u64 n = 0;
    if (argc != 2 || !parse_unsigned(argv[1], n) || n > MaxN) usage("fib N (0..90)");
    print("%ld\n", fib(static_cast<long>(n)));
    return 0;
}

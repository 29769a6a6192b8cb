// compute [iterations|forever]
//
// A compute-bound grove doing ordinary work on memory, without a syscall: each iteration hashes a 16 KiB buffer
// (loads), sorts 64 words taken from it by insertion (loads, stores, data-dependent branches), multiplies two 8x8
// matrices of words (loads, multiplies, stores) and folds the results back into the buffer (a few stores), so
// that every iteration depends on the one before. Runs `iterations` times (default forever); with a finite count
// it prints the final hash and the virtual time the iterations took, and exits 0; 64 on bad arguments.
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr usize BufferWords = 4096; // 16 KiB
constexpr usize SortWords = 64;
constexpr usize MatrixSize = 8;

u32 g_buffer[BufferWords];
u32 g_sorted[SortWords];
u32 g_left[MatrixSize][MatrixSize];
u32 g_right[MatrixSize][MatrixSize];
u32 g_product[MatrixSize][MatrixSize];

void fill(u64 seed) {
    u64 state = seed | 1;
    for (u32& word : g_buffer) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        word = static_cast<u32>(state);
    }
}

u32 hash_buffer() {
    u32 hash = 2166136261u;
    for (u32 const word : g_buffer) hash = (hash ^ word) * 16777619u;
    return hash;
}

// Sorts SortWords words of the buffer from a position chosen by `hash`; returns the median.
u32 sort_window(u32 hash) {
    usize const start = hash % (BufferWords - SortWords);
    for (usize i = 0; i < SortWords; ++i) g_sorted[i] = g_buffer[start + i];
    for (usize i = 1; i < SortWords; ++i) {
        u32 const value = g_sorted[i];
        usize j = i;
        for (; j > 0 && g_sorted[j - 1] > value; --j) g_sorted[j] = g_sorted[j - 1];
        g_sorted[j] = value;
    }
    return g_sorted[SortWords / 2];
}

// Multiplies two matrices taken from the buffer at a position chosen by `hash`; returns the trace of the product.
u32 multiply(u32 hash) {
    usize const start = hash % (BufferWords - 2 * MatrixSize * MatrixSize);
    for (usize r = 0; r < MatrixSize; ++r)
        for (usize c = 0; c < MatrixSize; ++c) {
            g_left[r][c] = g_buffer[start + r * MatrixSize + c];
            g_right[r][c] = g_buffer[start + MatrixSize * MatrixSize + r * MatrixSize + c];
        }
    for (usize r = 0; r < MatrixSize; ++r)
        for (usize c = 0; c < MatrixSize; ++c) {
            u32 sum = 0;
            for (usize k = 0; k < MatrixSize; ++k) sum += g_left[r][k] * g_right[k][c];
            g_product[r][c] = sum;
        }
    u32 trace = 0;
    for (usize i = 0; i < MatrixSize; ++i) trace += g_product[i][i];
    return trace;
}

} // namespace

int main(int argc, char** argv) {
    u64 iterations = Forever;
    if (argc > 2 || (argc > 1 && !parse_count(argv[1], iterations))) usage("compute [iterations|forever]");

    fill(0x636f6d70757465); // "compute"
    print("compute: computing\n");
    long const start = sys_clock();
    u32 hash = 0;
    u64 done = 0;
    for (; iterations == Forever || done < iterations; ++done) {
        hash = hash_buffer();
        u32 const median = sort_window(hash);
        u32 const trace = multiply(hash ^ median);
        g_buffer[hash % BufferWords] ^= median;
        g_buffer[trace % BufferWords] += hash;
        g_buffer[done % BufferWords] ^= trace;
    }
    print("compute: %lu iterations, hash %x, in %ld ticks\n", done, hash, sys_clock() - start);
    return 0;
}

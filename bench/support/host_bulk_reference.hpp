#pragma once
#include <benchmark/benchmark.h>

#include <cstddef>

namespace grove::bench {

// The host references of the bulk rows: moving HostBulkSize bytes at a time within one process (memcpy) and
// between two (a pipe). Both set items_per_second to bytes/s; register them with real time (the pipe's child does
// half of the work).
inline constexpr std::size_t HostBulkSize = std::size_t{64} * 1024;

// One iteration: one memcpy of HostBulkSize bytes between two buffers of this process, the copy kept by a
// compiler barrier (benchmark::DoNotOptimize on the destination, ClobberMemory).
void measure_host_memcpy(benchmark::State& state);

// One iteration: the parent writes HostBulkSize bytes into a pipe to a forked child, which reads them whole and
// answers with one byte on a second pipe (as a server answers a Call once its copy is done). The child checks the
// first and last byte of every transfer; any failure ends the run with SkipWithError naming the call and errno.
void measure_host_pipe_bulk(benchmark::State& state);

// The names under which register_host_bulk_references() registers the two references.
inline constexpr char const* MemcpyBulkBenchmark = "host_bulk/memcpy_64k";
inline constexpr char const* PipeBulkBenchmark = "host_bulk/pipe_64k";

// Registers both references under the names above, with real time ("/real_time" follows in the JSON run names).
void register_host_bulk_references();

} // namespace grove::bench

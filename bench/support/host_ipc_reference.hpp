#pragma once
#include <benchmark/benchmark.h>

namespace grove::bench {

// The host IPC references that users know: two Linux processes (fork) exchanging 64-byte messages.
enum class HostTransport {
    PosixMq, // two POSIX message queues (one per direction), mq_timedsend/mq_timedreceive, random priorities 0..31
    Pipe,    // two pipes (one per direction), write/read of 64 bytes
};

enum class HostPattern {
    Stream,    // one-way: the parent sends, the child receives; the figure is messages/s
    RoundTrip, // ping-pong: the parent sends, the child answers with the same message; the figure is round trips/s
};

// Messages per iteration of a Stream benchmark: the child acknowledges each batch, so that an iteration ends only
// when every message of it has been received.
inline constexpr long HostStreamBatch = 256;

// The body of a Google Benchmark that measures one reference in the calling program's own run. Register it with
// real time (the child's work is not the parent's CPU time), for instance
//     BENCHMARK_CAPTURE(grove::bench::measure_host_ipc, mq, HostTransport::PosixMq, HostPattern::Stream)
//         ->UseRealTime();
// or simply call register_host_ipc_references(). Each call forks one child for its own duration. Stream
// iterations move HostStreamBatch messages, RoundTrip iterations one round trip; items_per_second is set to
// messages/s or round trips/s. Queues get mq_maxmsg = min(10, /proc/sys/fs/mqueue/msg_max) and are unlinked
// right after they are opened (the descriptors live on in both processes), so no queue outlives the run, even
// when it fails or is killed. Any failure ends the run with SkipWithError and a message naming the call and errno.
void measure_host_ipc(benchmark::State& state, HostTransport transport, HostPattern pattern);

// The names under which register_host_ipc_references() registers the four references.
inline constexpr char const* PosixMqStreamBenchmark = "host_ipc/posix_mq/stream";
inline constexpr char const* PosixMqRoundTripBenchmark = "host_ipc/posix_mq/round_trip";
inline constexpr char const* PipeStreamBenchmark = "host_ipc/pipe/stream";
inline constexpr char const* PipeRoundTripBenchmark = "host_ipc/pipe/round_trip";

// Registers the four references (POSIX mq and pipes, stream and round trip) under the names above, with real
// time. The JSON run names are those names followed by "/real_time".
void register_host_ipc_references();

} // namespace grove::bench

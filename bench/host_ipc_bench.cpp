// The host IPC references on their own: POSIX message queues and pipes between two processes. The simulator's
// IPC rows measure the same references again in their own programs (register_host_ipc_references), so that each
// of their ratios comes from one run; this program publishes the reference figures alone.
#include <bench/support/benchmark_main.hpp>
#include <bench/support/benchmark_row.hpp>
#include <bench/support/host_ipc_reference.hpp>

#include <string>

int main(int argc, char** argv) {
    using namespace grove::bench;
    register_host_ipc_references();
    auto const run = [](char const* name) { return std::string(name) + "/real_time"; };
    declare_row({"ref_posix_mq_stream", "", run(PosixMqStreamBenchmark), RowMetric::ItemsPerSecond, "messages/s", ""});
    declare_row({"ref_posix_mq_round_trip", "", run(PosixMqRoundTripBenchmark), RowMetric::ItemsPerSecond,
                 "round trips/s", ""});
    declare_row({"ref_pipe_stream", "", run(PipeStreamBenchmark), RowMetric::ItemsPerSecond, "messages/s", ""});
    declare_row(
        {"ref_pipe_round_trip", "", run(PipeRoundTripBenchmark), RowMetric::ItemsPerSecond, "round trips/s", ""});
    return run_benchmarks(argc, argv);
}

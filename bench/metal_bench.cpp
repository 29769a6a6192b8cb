// The bare-metal rows: guest instructions per one-way IPC and per null syscall, counted by the grove itself on
// the kernel's clock in QEMU under -icount shift=0 (one tick is one retired instruction), and the wall time of a
// one-grove boot. Each iteration is one real boot (run_on_metal, QEMU's Multiboot loader). bench/README.md
// describes each row.
#include <bench/support/benchmark_main.hpp>
#include <bench/support/benchmark_row.hpp>

#include <sim/metal/metal_runner.hpp>
#include <sim/scenario/scenario_parser.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

namespace {

constexpr long OneWayCount = 10000;

// echo receives what ipcbench sends; ipcbench prints the ticks per Clock and per Send, both measured in one boot.
constexpr char const* IpcPlan = R"(
name = "metal-ipc-bench"
description = "ipcbench measures Clock and Send to echo on the kernel's clock"
duration = "200ms"

[[groves]]
name = "echo"
image = "echo"
args = ["1000000000"]
priority = 8
[groves.capabilities]
ipc_receive = ["ipcbench"]
[groves.limits]
cpu_percent = 100

[[groves]]
name = "ipcbench"
image = "ipcbench"
args = ["measure", "echo", "10000"]
priority = 16
[groves.capabilities]
ipc_send = ["echo"]
[groves.limits]
cpu_percent = 100
ipc_rate = 1_000_000_000
ipc_burst = 1_000_000
)";

// One grove that exits at once, and a run of 1 ms of virtual time: the boot, the grove's start and the shutdown.
constexpr char const* BootPlan = R"(
name = "metal-boot-bench"
description = "one grove, started and stopped"
duration = "1ms"

[[groves]]
name = "crasher"
image = "crasher"
args = ["exit", "0"]
)";

grove::metal_host::MetalOptions boot_options(char const* name) {
    grove::metal_host::MetalOptions options = grove::metal_host::default_metal_options();
    options.boot = grove::metal_host::BootMethod::Kernel;
    options.name = name;
    return options;
}

// Boots `plan` once; the serial output, or an error set on `state`.
bool boot(benchmark::State& state, char const* plan, char const* name, std::string& serial) {
    auto scenario = grove::scenario::parse_scenario_string(plan, name, grove::scenario::ParseOptions{});
    if (!scenario.has_value()) {
        state.SkipWithError("the benchmark's plan does not parse");
        return false;
    }
    auto run = grove::metal_host::run_on_metal(scenario.value(), boot_options(name));
    if (!run.has_value()) {
        state.SkipWithError(("the boot failed: " + run.error().message).c_str());
        return false;
    }
    serial = run.value().serial;
    return true;
}

// Counters "oneway" and "null": instructions per one-way IPC (the sender's and the receiver's side) and per
// Clock, from ipcbench's console line in one boot.
void metal_ipc(benchmark::State& state) {
    long null_ticks = 0;
    long oneway_ticks = 0;
    for (auto _ : state) {
        std::string serial;
        if (!boot(state, IpcPlan, "metal_ipc_bench.toml", serial)) return;
        std::size_t const line = serial.find("ipcbench: null=");
        long count = 0;
        if (line == std::string::npos ||
            std::sscanf(serial.c_str() + line, "ipcbench: null=%ld oneway=%ld n=%ld", &null_ticks, &oneway_ticks,
                        &count) != 3 ||
            count != OneWayCount) {
            state.SkipWithError("no ipcbench line on the serial console");
            return;
        }
    }
    state.counters["oneway"] = static_cast<double>(oneway_ticks);
    state.counters["null"] = static_cast<double>(null_ticks);
}

// Wall time of QEMU from its start to its exit for one grove and 1 ms of virtual time.
void metal_boot(benchmark::State& state) {
    for (auto _ : state) {
        std::string serial;
        if (!boot(state, BootPlan, "metal_boot_bench.toml", serial)) return;
        if (serial.find("\"started\"") == std::string::npos) {
            state.SkipWithError("the grove did not start");
            return;
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    using grove::bench::BenchmarkRow;
    using grove::bench::declare_row;
    using grove::bench::RowMetric;

    benchmark::RegisterBenchmark("metal_ipc/instructions", metal_ipc)->Iterations(1)->UseRealTime();
    benchmark::RegisterBenchmark("metal_boot/one_grove", metal_boot)
        ->Iterations(1)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);

    std::string const ipc_run = "metal_ipc/instructions/iterations:1/real_time";
    declare_row(BenchmarkRow{"metal_ipc_oneway_instructions", ipc_run + "#oneway", ipc_run + "#null", RowMetric::Value,
                             "instructions", "<= 1000", grove::bench::RowRatio::Ours});
    declare_row(BenchmarkRow{"metal_boot_to_first_grove", "", "metal_boot/one_grove/iterations:1/real_time",
                             RowMetric::RealTime, "ns", ""});
    return grove::bench::run_benchmarks(argc, argv);
}

// The bare-metal rows: guest instructions per one-way IPC and per null syscall, and ticks per 64 KiB grant
// transfer, counted by the grove itself on the time-stamp counter in QEMU under -icount shift=0 (one tick is one
// retired instruction, or one nanosecond of QEMU's virtual clock while the CPU halts), the grant transfers beside a
// host memcpy and a pipe measured in the same run; and the wall time of a one-grove boot. Each iteration is one
// real boot (run_on_metal, QEMU's Multiboot loader). bench/README.md describes each row.
#include <bench/support/benchmark_main.hpp>
#include <bench/support/benchmark_row.hpp>
#include <bench/support/host_bulk_reference.hpp>

#include <sim/metal/metal_runner.hpp>
#include <sim/scenario/scenario_parser.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <string_view>

namespace {

constexpr long OneWayCount = 10000;
constexpr long GrantTransferCount = 500;

// A grove of a measuring plan: its name, image and arguments (a TOML array).
struct PlanGrove {
    char const* name;
    char const* image;
    char const* args;
};

// A plan of two groves at full CPU: `receiver` (priority 8) takes the IPC of `sender` (priority 16), which
// measures and prints its figures; the sender's IPC rate limit is one it cannot reach.
std::string measuring_plan(char const* name, char const* description, char const* duration, PlanGrove receiver,
                           PlanGrove sender) {
    std::string plan = std::string("name = \"") + name + "\"\ndescription = \"" + description + "\"\nduration = \"" +
                       duration + "\"\n";
    plan += std::string("\n[[groves]]\nname = \"") + receiver.name + "\"\nimage = \"" + receiver.image +
            "\"\nargs = " + receiver.args + "\npriority = 8\n[groves.capabilities]\nipc_receive = [\"" + sender.name +
            "\"]\n[groves.limits]\ncpu_percent = 100\n";
    plan += std::string("\n[[groves]]\nname = \"") + sender.name + "\"\nimage = \"" + sender.image +
            "\"\nargs = " + sender.args + "\npriority = 16\n[groves.capabilities]\nipc_send = [\"" + receiver.name +
            "\"]\n[groves.limits]\ncpu_percent = 100\nipc_rate = 1_000_000_000\nipc_burst = 1_000_000\n";
    return plan;
}

// echo receives what ipcbench sends; ipcbench prints the ticks per Clock and per Send, both measured in one boot.
std::string const IpcPlan =
    measuring_plan("metal-ipc-bench", "ipcbench measures Clock and Send to echo on the kernel's clock", "200ms",
                   {"echo", "echo", R"(["1000000000"])"}, {"ipcbench", "ipcbench", R"(["measure", "echo", "10000"])"});

// ipcbench grants its 64 KiB buffer to a grant-serve and has it fetch the whole buffer 500 times (one Call and
// one GrantCopyFrom each), on the time-stamp counter.
std::string const GrantPlan =
    measuring_plan("metal-grant-bench", "ipcbench measures 64 KiB grant transfers on the kernel's clock", "400ms",
                   {"server", "ipcbench", R"(["grant-serve"])"},
                   {"client", "ipcbench", R"(["grant-measure", "server", "500"])"});

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
bool boot(benchmark::State& state, std::string const& plan, char const* name, std::string& serial) {
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

// Boots `plan` once and reads ipcbench's console line: the three figures `format` (which starts with the line's
// first words, "ipcbench: <name>=") reads. False, with an error set on `state`, when the boot failed or the line is
// missing.
bool boot_for_figures(benchmark::State& state, std::string const& plan, char const* name, char const* format,
                      long (&figures)[3]) {
    std::string serial;
    if (!boot(state, plan, name, serial)) return false;
    std::string const prefix(format, std::string_view(format).find('=') + 1);
    std::size_t const line = serial.find(prefix);
    if (line == std::string::npos ||
        std::sscanf(serial.c_str() + line, format, &figures[0], &figures[1], &figures[2]) != 3) {
        state.SkipWithError(("no '" + prefix + "' line on the serial console").c_str());
        return false;
    }
    return true;
}

// Counters "oneway" and "null": instructions per one-way IPC (the sender's and the receiver's side) and per
// Clock, from ipcbench's console line in one boot.
void metal_ipc(benchmark::State& state) {
    long figures[3] = {}; // null, oneway, n
    for (auto _ : state) {
        if (!boot_for_figures(state, IpcPlan, "metal_ipc_bench.toml", "ipcbench: null=%ld oneway=%ld n=%ld", figures))
            return;
        if (figures[2] != OneWayCount) {
            state.SkipWithError("ipcbench measured another number of sends");
            return;
        }
    }
    state.counters["oneway"] = static_cast<double>(figures[1]);
    state.counters["null"] = static_cast<double>(figures[0]);
}

// Counters "ticks" (per 64 KiB transfer: the instructions of the Call, the kernel's copy and the reply, switches
// included, and the copy's charge of 65 536 ticks, GrantByteCost, which the server waits while the CPU halts) and
// "bytes_per_second": 64 KiB per transfer over its ticks read as nanoseconds of QEMU's virtual clock (-icount
// shift=0 runs one instruction per virtual nanosecond), so the rate of a guest CPU retiring 10^9 instructions per
// second; a real CPU retires several per nanosecond, QEMU's TCG far fewer per wall nanosecond.
void metal_grant(benchmark::State& state) {
    long figures[3] = {}; // ticks per transfer, bytes per transfer, n
    for (auto _ : state) {
        if (!boot_for_figures(state, GrantPlan, "metal_grant_bench.toml", "ipcbench: grant64k=%ld bytes=%ld n=%ld",
                              figures))
            return;
        if (figures[0] <= 0 || figures[1] != static_cast<long>(grove::bench::HostBulkSize) ||
            figures[2] != GrantTransferCount) {
            state.SkipWithError("ipcbench measured other transfers than 500 of 64 KiB");
            return;
        }
    }
    state.counters["ticks"] = static_cast<double>(figures[0]);
    state.counters["bytes_per_second"] =
        static_cast<double>(grove::bench::HostBulkSize) * 1e9 / static_cast<double>(figures[0]);
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

    grove::bench::register_host_bulk_references();
    benchmark::RegisterBenchmark("metal_ipc/instructions", metal_ipc)->Iterations(1)->UseRealTime();
    benchmark::RegisterBenchmark("metal_grant/fetch_64k", metal_grant)->Iterations(1)->UseRealTime();
    benchmark::RegisterBenchmark("metal_boot/one_grove", metal_boot)
        ->Iterations(1)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);

    std::string const ipc_run = "metal_ipc/instructions/iterations:1/real_time";
    declare_row(BenchmarkRow{"metal_ipc_oneway_instructions", ipc_run + "#oneway", ipc_run + "#null", RowMetric::Value,
                             "instructions", "<= 1000", grove::bench::RowRatio::Ours});
    declare_row(BenchmarkRow{"metal_ipc_oneway_vs_null", ipc_run + "#oneway", ipc_run + "#null", RowMetric::Value,
                             "instructions", ""});
    std::string const grant_run = "metal_grant/fetch_64k/iterations:1/real_time";
    declare_row(BenchmarkRow{"metal_grant_64k_instructions", "", grant_run + "#ticks", RowMetric::Value, "ticks", ""});
    declare_row(BenchmarkRow{"metal_grant_64k_vs_memcpy", grant_run + "#bytes_per_second",
                             std::string(grove::bench::MemcpyBulkBenchmark) + "/real_time", RowMetric::ItemsPerSecond,
                             "bytes/s", ""});
    declare_row(BenchmarkRow{"metal_grant_64k_vs_pipe", grant_run + "#bytes_per_second",
                             std::string(grove::bench::PipeBulkBenchmark) + "/real_time", RowMetric::ItemsPerSecond,
                             "bytes/s", ""});
    declare_row(BenchmarkRow{"metal_boot_to_first_grove", "", "metal_boot/one_grove/iterations:1/real_time",
                             RowMetric::RealTime, "ns", ""});
    return grove::bench::run_benchmarks(argc, argv);
}

// The simulator's rows: IPC between two groves against the host's POSIX queues, 64 KiB transfers through a copy
// grant against a host memcpy and a pipe, guest execution under the kernel's preemption against free-running
// Unicorn, the trap and context-switch floors, virtual time per wall second of shipped scenarios, and peak memory
// with 64 groves loaded. bench/README.md describes each row.
#include <bench/support/benchmark_main.hpp>
#include <bench/support/benchmark_row.hpp>
#include <bench/support/free_grove.hpp>
#include <bench/support/free_ipc_pair.hpp>
#include <bench/support/host_bulk_reference.hpp>
#include <bench/support/host_ipc_reference.hpp>
#include <bench/support/sim_machine.hpp>

#include <core/kernel/kernel.hpp>
#include <sim/backend/virtual_clock.hpp>
#include <sim/runner/isolated_run.hpp>
#include <sim/runner/scenario_runner.hpp>
#include <sim/scenario/scenario_parser.hpp>

#include <benchmark/benchmark.h>
#include <unicorn/unicorn.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using grove::GroveId;
using grove::Ticks;
using grove::u64;
using grove::bench::FreeIpcPair;
using grove::bench::SimMachine;

constexpr Ticks IpcSpan = grove::milliseconds(1); // virtual time per iteration of the IPC benchmarks
constexpr Ticks WarmUp = grove::milliseconds(2);  // lookups done, queues in their steady state
// Virtual time per iteration of the grant benchmark: each 64 KiB copy costs its caller 65 536 ticks
// (GrantByteCost), so about 30 transfers.
constexpr Ticks GrantSpan = grove::milliseconds(2);

// A program that computes without syscalls between its start (a print and a Clock) and its final print, with its
// arguments: the workload of an execution row (bench/support/free_grove.hpp).
struct ExecWorkload {
    char const* image;
    std::vector<std::string> arguments;
};

// The execution rows' workloads: ordinary compute on a 16 KiB buffer (hash, sort, matrix product: loads, stores,
// branches), and the tightest loop there is (five register instructions per block, no memory access). About
// 60 M and 250 M guest instructions.
ExecWorkload const ComputeWorkload{"compute", {"2000"}};
ExecWorkload const TightLoopWorkload{"spinner", {"50000000"}};

// Delivered messages of `grove` (its sends that reached the receiver's queue or the receiver).
u64 delivered(SimMachine const& machine, GroveId grove) { return machine.ipc_counters(grove).delivered; }

// Ends a benchmark whose groves did nothing in the warm-up (a refused capability, a grove that failed), with
// `what` and the groves' console, instead of reporting a rate of 0.
void refuse_empty(benchmark::State& state, SimMachine const& machine, char const* what) {
    state.SkipWithError((std::string(what) + "; the groves printed:\n" + machine.console()).c_str());
}

// A grove sending to `echo` (which receives and answers): blocking Sends, or Calls answered with the request.
struct IpcWorkload {
    FreeIpcPair::Grove sender;
    char const* empty_warm_up; // why the benchmark stops when nothing was delivered in the warm-up
};
IpcWorkload const StreamWorkload{{"ipcbench", "ipcbench", {"stream", "echo", "forever"}},
                                 "no message delivered in the warm-up"};
IpcWorkload const RoundTripWorkload{{"client", "client", {"request", "1000000000000"}},
                                    "no call answered in the warm-up"};
FreeIpcPair::Grove const EchoServer{"echo", "echo", {"1000000000"}};

// `workload`'s sender (priority 16) and echo (priority 8) in `machine`, run through the warm-up.
GroveId spawn_ipc_pair(SimMachine& machine, IpcWorkload const& workload) {
    machine.spawn(EchoServer.name, EchoServer.image, EchoServer.arguments, 8, {}, {"*"});
    GroveId const sender =
        machine.spawn(workload.sender.name, workload.sender.image, workload.sender.arguments, 16, {EchoServer.name});
    machine.run_until(WarmUp);
    return sender;
}

// `ipcbench null forever` in `machine`, past its start: from then on each step() is one null syscall (Clock) taken
// by the kernel and resumed, a trap floor.
void spawn_null_syscalls(SimMachine& machine) {
    machine.spawn("ipcbench", "ipcbench", {"null", "forever"}, 16, {});
    machine.run_until(grove::microseconds(100));
}

// What one message of `workload` costs the machine, in guest instructions and traps (both groves, every switch),
// over IpcSpan after the warm-up; and how many messages that span delivers. Deterministic, so counted once.
struct MessageCost {
    double instructions = 0;
    double traps = 0;
    u64 per_span = 0;
};
MessageCost const& message_cost(IpcWorkload const& workload) {
    static std::map<std::string, MessageCost> counted;
    auto const found = counted.find(workload.sender.image);
    if (found != counted.end()) return found->second;
    SimMachine machine;
    GroveId const sender = spawn_ipc_pair(machine, workload);
    u64 const messages = delivered(machine, sender), instructions = machine.guest_instructions();
    u64 const traps = machine.traps();
    machine.run_for(IpcSpan);
    MessageCost cost;
    cost.per_span = delivered(machine, sender) - messages;
    if (cost.per_span != 0) {
        cost.instructions =
            static_cast<double>(machine.guest_instructions() - instructions) / static_cast<double>(cost.per_span);
        cost.traps = static_cast<double>(machine.traps() - traps) / static_cast<double>(cost.per_span);
    }
    return counted[workload.sender.image] = cost;
}

// Wall time per message in ns, from the messages of the whole run (a rate counter, inverted).
benchmark::Counter nanoseconds_per(u64 messages) {
    return benchmark::Counter(static_cast<double>(messages) * 1e-9,
                              benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// `workload` against echo in one machine: each iteration runs IpcSpan of virtual time. Messages/s of host wall
// time (Calls answered, or Sends delivered), and the same as ns per message (counter ns_per_message).
void sim_ipc(benchmark::State& state, IpcWorkload const& workload) {
    SimMachine machine;
    GroveId const sender = spawn_ipc_pair(machine, workload);
    u64 const before = delivered(machine, sender);
    if (before == 0) return refuse_empty(state, machine, workload.empty_warm_up);
    for (auto _ : state) machine.run_for(IpcSpan);
    u64 const messages = delivered(machine, sender) - before;
    state.SetItemsProcessed(static_cast<std::int64_t>(messages));
    state.counters["ns_per_message"] = nanoseconds_per(messages);
}

// The floor of sim_ipc for `workload`: the same guest instructions at free-running Unicorn speed, plus one trap
// floor per trap. Each iteration runs as many messages as an iteration of sim_ipc delivers through a
// FreeIpcPair (bench/support/free_ipc_pair.hpp: the same two images in bare engines, each trap answered by a
// minimal host loop), then the machine's number of traps for them as null syscalls of `ipcbench null` in a
// machine of its own (sim_trap_floor's step). Checks first, in a counting pass outside the timing, that the pair
// retires the machine's instructions per message (and counts the guest's stores, which Unicorn 2.0.1 sends through
// its slow path: bench/README.md). Counter ns_per_message, as sim_ipc's.
void sim_ipc_floor(benchmark::State& state, IpcWorkload const& workload) {
    MessageCost const& cost = message_cost(workload);
    if (cost.per_span == 0) return state.SkipWithError(workload.empty_warm_up);
    constexpr u64 Settle = 1000, Counted = 1000; // messages: lookups done, queues in their steady state
    {
        FreeIpcPair counting(workload.sender, EchoServer, true);
        bool const settled = counting.run(Settle);
        u64 const instructions = counting.instructions(), stores = counting.stores();
        if (!settled || !counting.run(Counted)) return state.SkipWithError(counting.error().c_str());
        double const free = static_cast<double>(counting.instructions() - instructions) / static_cast<double>(Counted);
        state.counters["instructions_per_message"] = cost.instructions;
        state.counters["traps_per_message"] = cost.traps;
        state.counters["stores_per_message"] =
            static_cast<double>(counting.stores() - stores) / static_cast<double>(Counted);
        if (free < cost.instructions * 0.99 || free > cost.instructions * 1.01)
            return state.SkipWithError(("the free-running pair retires " + std::to_string(free) +
                                        " instructions per message, the machine " + std::to_string(cost.instructions))
                                           .c_str());
    }
    FreeIpcPair pair(workload.sender, EchoServer);
    if (!pair.run(Settle)) return state.SkipWithError(pair.error().c_str());
    SimMachine traps;
    spawn_null_syscalls(traps);
    auto const traps_per_span = static_cast<u64>(cost.traps * static_cast<double>(cost.per_span) + 0.5);
    for (auto _ : state) {
        if (!pair.run(cost.per_span)) return state.SkipWithError(pair.error().c_str());
        for (u64 i = 0; i < traps_per_span; ++i) traps.step();
    }
    u64 const messages = cost.per_span * static_cast<u64>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(messages));
    state.counters["ns_per_message"] = nanoseconds_per(messages);
}

// `ipcbench grant-stream` has `ipcbench grant-serve` fetch its 64 KiB buffer through one grant, again and again
// (one Call and one GrantCopyFrom of 64 KiB each): bytes copied by the kernel per second of host wall time.
void sim_grant_fetch(benchmark::State& state) {
    SimMachine machine;
    machine.spawn("server", "ipcbench", {"grant-serve"}, 8, {}, {"client"});
    machine.spawn("client", "ipcbench", {"grant-stream", "server", "forever"}, 16, {"server"});
    machine.run_until(WarmUp);
    u64 const before = machine.grant_bytes_copied();
    if (before == 0) return refuse_empty(state, machine, "no grant copy in the warm-up");
    for (auto _ : state) machine.run_for(GrantSpan);
    state.SetItemsProcessed(static_cast<std::int64_t>(machine.grant_bytes_copied() - before));
}

// The guest instructions of `workload` under the kernel (the whole run from its first instruction to its Exit,
// preemption included), or 0 when it did not finish. Deterministic, so computed once per workload.
u64 workload_instructions(ExecWorkload const& workload) {
    static std::map<std::string, u64> counted;
    auto const found = counted.find(workload.image);
    if (found != counted.end()) return found->second;
    SimMachine machine;
    GroveId const grove = machine.spawn(workload.image, workload.image, workload.arguments, 16, {});
    machine.run_until_exit(grove);
    return counted[workload.image] = machine.guest_instructions();
}

// Guest instructions/s of `workload` under the simulator's kernel loop; the machine is built outside the timing.
void sim_exec_kernel_loop(benchmark::State& state, ExecWorkload const& workload) {
    u64 instructions = 0;
    for (auto _ : state) {
        state.PauseTiming();
        SimMachine machine;
        GroveId const grove = machine.spawn(workload.image, workload.image, workload.arguments, 16, {});
        state.ResumeTiming();
        machine.run_until_exit(grove);
        instructions += machine.guest_instructions();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(instructions));
}

// The same image in a bare Unicorn engine: the timed part is one uc_emu_start without any hook, from the
// program's first Clock to its final print (bench/support/free_grove.hpp). The instructions counted are those of
// the kernel-loop run.
void sim_exec_free_unicorn(benchmark::State& state, ExecWorkload const& workload) {
    grove::bench::FreeGrove grove(workload.image, workload.arguments);
    if (!grove.error().empty()) {
        state.SkipWithError(grove.error().c_str());
        return;
    }
    u64 const instructions = workload_instructions(workload);
    for (auto _ : state) {
        state.PauseTiming();
        bool const ready = grove.prepare();
        state.ResumeTiming();
        if (!ready || !grove.run_loop()) {
            state.SkipWithError(grove.error().c_str());
            return;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(instructions * state.iterations()));
}

// One iteration: one null syscall (Clock) taken by the kernel and resumed.
void sim_trap_floor(benchmark::State& state) {
    SimMachine machine;
    spawn_null_syscalls(machine);
    for (auto _ : state) machine.step();
}

// One iteration: one Yield of one of two groves of the same priority, and the switch to the other.
void sim_context_switch_floor(benchmark::State& state) {
    SimMachine machine;
    machine.spawn("yield-a", "ipcbench", {"yield", "forever"}, 16, {});
    machine.spawn("yield-b", "ipcbench", {"yield", "forever"}, 16, {});
    machine.run_until(grove::microseconds(100));
    for (auto _ : state) machine.step();
}

// The shipped scenario `file` (relative to scenarios/), parsed outside the timing; nullopt, with an error set on
// `state`, when it cannot be read.
std::optional<grove::scenario::Scenario> shipped_scenario(benchmark::State& state, char const* file) {
    std::string const path = std::string(GROVE_SCENARIO_DIR) + "/" + file;
    auto parsed = grove::scenario::parse_scenario_file(path, grove::scenario::ParseOptions{});
    if (!parsed.has_value()) {
        state.SkipWithError(("cannot read " + path).c_str());
        return std::nullopt;
    }
    return parsed.release_value();
}

// A shipped scenario replayed by the runner library: virtual seconds per wall second (counter "value").
void sim_scenario_speed(benchmark::State& state, char const* file) {
    std::optional<grove::scenario::Scenario> const parsed = shipped_scenario(state, file);
    if (!parsed) return;
    grove::scenario::Scenario const& scenario = *parsed;
    grove::runner::RunOptions const options;
    double virtual_seconds = 0;
    for (auto _ : state) {
        grove::runner::RunResult const result = grove::runner::run_scenario(scenario, options);
        // The runner stops at the scenario's duration.
        if (!result.error.empty()) {
            state.SkipWithError(result.error.c_str());
            return;
        }
        virtual_seconds += static_cast<double>(scenario.duration.value) / 1e9;
    }
    state.counters["value"] = benchmark::Counter(virtual_seconds, benchmark::Counter::kIsRate);
}

// Sweep throughput: one run of a shipped scenario per iteration, each with the next seed (1, 2, ...), as grovesim
// sweep runs them — in a child process of its own (`isolated`) — or in this process (`in_process`), which bounds
// what isolation can reach: the run itself (machine set-up, image loads, emulation and traps). Runs per second.
void sim_sweep_runs(benchmark::State& state, char const* file, bool isolated) {
    std::optional<grove::scenario::Scenario> const parsed = shipped_scenario(state, file);
    if (!parsed) return;
    grove::scenario::Scenario const& scenario = *parsed;
    grove::u64 seed = 0;
    std::int64_t runs = 0;
    for (auto _ : state) {
        grove::runner::RunOptions options;
        options.seed = ++seed;
        auto const run = [&] { return grove::runner::run_scenario(scenario, options).error.empty() ? 0 : 1; };
        int status = 0;
        if (isolated) {
            grove::runner::IsolatedOutcome const outcome =
                grove::runner::run_isolated([&](grove::runner::RunProgress*) { return run(); }, 60,
                                            grove::runner::IsolatedOutput::Captured);
            status = outcome.died ? 1 : outcome.exit_status;
        } else {
            status = run();
        }
        if (status != 0) {
            state.SkipWithError(("the run of seed " + std::to_string(seed) + " did not finish").c_str());
            return;
        }
        ++runs;
    }
    state.SetItemsProcessed(runs);
}

// VmHWM of this process in KiB, or 0 when it cannot be read.
long peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

// One iteration: a child process builds one machine, spawns 64 sleepers (each runs to its first Sleep) and
// reports its peak resident set (VmHWM, KiB) through a pipe; a fresh process so that nothing else counts.
void sim_peak_rss_64(benchmark::State& state) {
    long kib = 0;
    for (auto _ : state) {
        int fds[2];
        if (pipe(fds) != 0) {
            state.SkipWithError("pipe failed");
            return;
        }
        pid_t const pid = fork();
        if (pid == 0) {
            close(fds[0]);
            long result = 0;
            {
                SimMachine machine;
                bool ok = true;
                for (int i = 0; i < 64 && ok; ++i)
                    ok =
                        !machine.try_spawn("sleeper-" + std::to_string(i), "sleeper", {"1000000000", "forever"}, 16, {})
                             .is_null();
                if (ok) {
                    machine.run_until(grove::milliseconds(1));
                    result = peak_rss_kib();
                }
            }
            ssize_t const written = write(fds[1], &result, sizeof result);
            _exit(written == static_cast<ssize_t>(sizeof result) ? 0 : 1);
        }
        close(fds[1]);
        ssize_t const got = pid > 0 ? read(fds[0], &kib, sizeof kib) : -1;
        close(fds[0]);
        if (pid > 0) waitpid(pid, nullptr, 0);
        if (got != static_cast<ssize_t>(sizeof kib) || kib == 0) {
            state.SkipWithError("the child could not load 64 sleepers or read VmHWM");
            return;
        }
    }
    state.counters["value"] = static_cast<double>(kib);
}

} // namespace

int main(int argc, char** argv) {
    using grove::bench::BenchmarkRow;
    using grove::bench::declare_row;
    using grove::bench::RowMetric;

    grove::bench::register_host_ipc_references();
    grove::bench::register_host_bulk_references();
    // Each IPC workload's run, its floor measured beside it, and their row.
    struct IpcRow {
        char const* run;
        IpcWorkload const* workload;
        char const* row;
        char const* unit;
    };
    for (IpcRow const& ipc :
         {IpcRow{"sim_ipc/stream", &StreamWorkload, "sim_ipc_stream_vs_floor", "ns/message"},
          IpcRow{"sim_ipc/round_trip", &RoundTripWorkload, "sim_ipc_roundtrip_vs_floor", "ns/round trip"}}) {
        std::string const run = ipc.run;
        benchmark::RegisterBenchmark(ipc.run, sim_ipc, *ipc.workload)->UseRealTime();
        benchmark::RegisterBenchmark((run + "/floor").c_str(), sim_ipc_floor, *ipc.workload)->UseRealTime();
        declare_row(BenchmarkRow{ipc.row, run + "/real_time#ns_per_message", run + "/floor/real_time#ns_per_message",
                                 RowMetric::Value, ipc.unit, "<= 1.5"});
    }
    benchmark::RegisterBenchmark("sim_grant/fetch_64k", sim_grant_fetch)->UseRealTime();
    benchmark::RegisterBenchmark("sim_exec/compute/kernel_loop", sim_exec_kernel_loop, ComputeWorkload)->UseRealTime();
    benchmark::RegisterBenchmark("sim_exec/compute/free_unicorn", sim_exec_free_unicorn, ComputeWorkload)
        ->UseRealTime();
    benchmark::RegisterBenchmark("sim_exec/tight_loop/kernel_loop", sim_exec_kernel_loop, TightLoopWorkload)
        ->UseRealTime();
    benchmark::RegisterBenchmark("sim_exec/tight_loop/free_unicorn", sim_exec_free_unicorn, TightLoopWorkload)
        ->UseRealTime();
    benchmark::RegisterBenchmark("sim_floor/trap", sim_trap_floor)->UseRealTime();
    benchmark::RegisterBenchmark("sim_floor/context_switch", sim_context_switch_floor)->UseRealTime();
    benchmark::RegisterBenchmark("sim_scenario/crash_limited", sim_scenario_speed, "crash_limited.toml")->UseRealTime();
    benchmark::RegisterBenchmark("sim_scenario/flood_echo", sim_scenario_speed, "flood_echo.toml")->UseRealTime();
    // Each sweep scenario's pair of benchmarks, and its row (the summary orders rows by name).
    for (char const* file : {"sweeps/chaos.toml", "crash_limited.toml"}) {
        std::string const name = std::string("sim_sweep/") + file;
        benchmark::RegisterBenchmark((name + "/isolated").c_str(), sim_sweep_runs, file, true)->UseRealTime();
        benchmark::RegisterBenchmark((name + "/in_process").c_str(), sim_sweep_runs, file, false)->UseRealTime();
        std::string const stem = std::filesystem::path(file).stem().string();
        declare_row(BenchmarkRow{"sim_sweep_runs/" + stem, name + "/isolated/real_time", name + "/in_process/real_time",
                                 RowMetric::ItemsPerSecond, "runs/s", ""});
    }
    benchmark::RegisterBenchmark("sim_memory/peak_rss_64_groves", sim_peak_rss_64)->Iterations(1)->UseRealTime();

    declare_row(BenchmarkRow{"sim_ipc_stream_vs_posix_mq", "sim_ipc/stream/real_time",
                             "host_ipc/posix_mq/stream/real_time", RowMetric::ItemsPerSecond, "messages/s", ">= 1.0"});
    declare_row(BenchmarkRow{"sim_ipc_roundtrip_vs_posix_mq", "sim_ipc/round_trip/real_time",
                             "host_ipc/posix_mq/round_trip/real_time", RowMetric::ItemsPerSecond, "round trips/s",
                             ">= 1.0"});
    std::string const grant_run = "sim_grant/fetch_64k/real_time";
    declare_row(BenchmarkRow{"sim_grant_64k_vs_memcpy", grant_run,
                             std::string(grove::bench::MemcpyBulkBenchmark) + "/real_time", RowMetric::ItemsPerSecond,
                             "bytes/s", ""});
    declare_row(BenchmarkRow{"sim_grant_64k_vs_pipe", grant_run,
                             std::string(grove::bench::PipeBulkBenchmark) + "/real_time", RowMetric::ItemsPerSecond,
                             "bytes/s", ""});
    declare_row(BenchmarkRow{"sim_exec_vs_free_unicorn", "sim_exec/compute/kernel_loop/real_time",
                             "sim_exec/compute/free_unicorn/real_time", RowMetric::ItemsPerSecond, "instructions/s",
                             ">= 0.8"});
    declare_row(BenchmarkRow{"sim_exec_tight_loop_vs_free_unicorn", "sim_exec/tight_loop/kernel_loop/real_time",
                             "sim_exec/tight_loop/free_unicorn/real_time", RowMetric::ItemsPerSecond, "instructions/s",
                             ""});
    declare_row(BenchmarkRow{"sim_trap_floor", "", "sim_floor/trap/real_time", RowMetric::RealTime, "ns/syscall", ""});
    declare_row(BenchmarkRow{"sim_context_switch_floor", "", "sim_floor/context_switch/real_time", RowMetric::RealTime,
                             "ns/switch", ""});
    declare_row(BenchmarkRow{"sim_scenario_speed/crash_limited", "", "sim_scenario/crash_limited/real_time",
                             RowMetric::Value, "virtual s/s", ""});
    declare_row(BenchmarkRow{"sim_scenario_speed/flood_echo", "", "sim_scenario/flood_echo/real_time", RowMetric::Value,
                             "virtual s/s", ""});
    declare_row(BenchmarkRow{"sim_peak_rss_64_groves", "", "sim_memory/peak_rss_64_groves/iterations:1/real_time",
                             RowMetric::Value, "KiB", ""});
    return grove::bench::run_benchmarks(argc, argv);
}

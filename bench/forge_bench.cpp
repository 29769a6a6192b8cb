// The Runic Forge's rows: the corpus compiled by the runic-forge grove over IPC (virtual time, and wall time against
// the same compiler on the host), and fib(25) compiled by the forge against the same function compiled by g++ at
// -O0 and -O2 (groves/programs/fib.cpp), each run as a grove in a simulated machine. bench/README.md describes each
// row.
#include <bench/support/benchmark_main.hpp>
#include <bench/support/benchmark_row.hpp>
#include <bench/support/sim_machine.hpp>

#include <forge/compiler.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>
#include <vector>
#include <unistd.h>

namespace {

using grove::GroveId;
using grove::u64;
using grove::bench::SimMachine;

// fib(25) in Glimmer-Weave, the same double recursion as groves/programs/fib.cpp; the program prints its result.
constexpr char const FibSource[] = "chant fib(n) then\n"
                                   "    should n < 2 then\n"
                                   "        yield n\n"
                                   "    end\n"
                                   "    yield fib(n - 1) + fib(n - 2)\n"
                                   "end\n"
                                   "fib(25)\n";
constexpr char const* FibResult = "75025\n";
constexpr char const* ForgeFibImage = "fib_forge";

struct CorpusSource {
    std::string name;
    std::string text;
};

// The corpus programs (tests/forge/corpus/*.gw), in name order.
std::vector<CorpusSource> read_corpus() {
    std::vector<CorpusSource> corpus;
    for (auto const& entry : std::filesystem::directory_iterator(GROVE_FORGE_CORPUS_DIR)) {
        if (entry.path().extension() != ".gw") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        corpus.push_back({entry.path().stem().string(), std::string(std::istreambuf_iterator<char>(in), {})});
    }
    std::sort(corpus.begin(), corpus.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
    return corpus;
}

// This process's scratch directory, removed at its end.
std::filesystem::path scratch_directory() {
    return std::filesystem::temp_directory_path() / ("grove-forge-bench-" + std::to_string(getpid()));
}

// The directory holding fib_forge.elf, the forge's image of FibSource, written once per process.
std::filesystem::path const& forge_image_directory() {
    static std::filesystem::path const directory = [] {
        auto compiler = std::make_unique<grove::forge::Compiler>();
        if (!compiler->compile(FibSource, sizeof FibSource - 1)) throw std::runtime_error("fib(25) does not compile");
        std::filesystem::path const dir = scratch_directory();
        std::filesystem::create_directories(dir);
        std::ofstream out(dir / (std::string(ForgeFibImage) + ".elf"), std::ios::binary);
        out.write(reinterpret_cast<char const*>(compiler->image().data),
                  static_cast<std::streamsize>(compiler->image().size));
        return dir;
    }();
    return directory;
}

// One iteration: a machine with runic-forge and `forgeclient corpus 1`, run until the client exits (the machine's
// set-up outside the timing). Items: programs compiled or answered with errors. Counter "value": the virtual time
// of one Call per program, as the client measured it around its Calls.
void forge_corpus_grove(benchmark::State& state) {
    double virtual_ns = 0;
    u64 programs = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto machine = std::make_unique<SimMachine>();
        machine->spawn("runic-forge", "runic_forge", {}, 16, {}, {"forgeclient"});
        GroveId const client = machine->spawn("forgeclient", "forgeclient", {"corpus", "1"}, 16, {"runic-forge"});
        state.ResumeTiming();
        machine->run_until_exit(client);
        state.PauseTiming();
        std::smatch match;
        std::string const& console = machine->console();
        if (!std::regex_search(console, match,
                               std::regex("corpus: ([0-9]+) programs x 1 rounds, [0-9]+ compiled, [0-9]+ with "
                                          "errors, ([0-9]+) ns"))) {
            state.SkipWithError(("forgeclient did not compile the corpus: " + console).c_str());
            return;
        }
        programs += std::stoull(match[1]);
        virtual_ns += std::stod(match[2]);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(programs));
    state.counters["value"] = virtual_ns / static_cast<double>(programs);
}

// The reference: the same corpus compiled by the same compiler library on the host. Items: programs.
void forge_corpus_host(benchmark::State& state) {
    std::vector<CorpusSource> const corpus = read_corpus();
    auto compiler = std::make_unique<grove::forge::Compiler>();
    u64 programs = 0;
    for (auto _ : state)
        for (CorpusSource const& program : corpus) {
            benchmark::DoNotOptimize(compiler->compile(program.text.data(), program.text.size()));
            ++programs;
        }
    state.SetItemsProcessed(static_cast<std::int64_t>(programs));
}

// One iteration: `image` (with `arguments`) alone in a machine, from its first instruction to its exit (the
// machine's set-up outside the timing). Counter "value": the guest instructions it retired.
void forge_fib(benchmark::State& state, char const* image, std::vector<std::string> arguments) {
    double instructions = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto machine = std::make_unique<SimMachine>(std::vector<std::filesystem::path>{forge_image_directory()});
        GroveId const grove = machine->spawn("fib", image, arguments, 16, {});
        state.ResumeTiming();
        machine->run_until_exit(grove);
        state.PauseTiming();
        if (machine->console() != FibResult) {
            state.SkipWithError((std::string(image) + " printed " + machine->console()).c_str());
            return;
        }
        instructions = static_cast<double>(machine->guest_instructions());
        state.ResumeTiming();
    }
    state.counters["value"] = instructions;
}

} // namespace

int main(int argc, char** argv) {
    using grove::bench::BenchmarkRow;
    using grove::bench::declare_row;
    using grove::bench::RowMetric;

    benchmark::RegisterBenchmark("forge_corpus/grove", forge_corpus_grove)->UseRealTime();
    benchmark::RegisterBenchmark("forge_corpus/host", forge_corpus_host)->UseRealTime();
    benchmark::RegisterBenchmark("forge_fib25/forge", forge_fib, ForgeFibImage, std::vector<std::string>{})
        ->UseRealTime();
    benchmark::RegisterBenchmark("forge_fib25/gcc_o0", forge_fib, "fib_o0", std::vector<std::string>{"25"})
        ->UseRealTime();
    benchmark::RegisterBenchmark("forge_fib25/gcc_o2", forge_fib, "fib", std::vector<std::string>{"25"})->UseRealTime();

    declare_row(BenchmarkRow{"forge_corpus_compile_grove_vs_host", "forge_corpus/grove/real_time",
                             "forge_corpus/host/real_time", RowMetric::ItemsPerSecond, "programs/s", ""});
    declare_row(BenchmarkRow{"forge_corpus_compile_virtual", "", "forge_corpus/grove/real_time", RowMetric::Value,
                             "virtual ns/program", ""});
    for (char const* level : {"o0", "o2"}) {
        std::string const reference = std::string("forge_fib25/gcc_") + level + "/real_time";
        declare_row(BenchmarkRow{std::string("forge_fib25_instructions_vs_gcc_") + level, "forge_fib25/forge/real_time",
                                 reference, RowMetric::Value, "instructions", ""});
        declare_row(BenchmarkRow{std::string("forge_fib25_wall_vs_gcc_") + level, "forge_fib25/forge/real_time",
                                 reference, RowMetric::RealTime, "ns/run", ""});
    }
    int const status = grove::bench::run_benchmarks(argc, argv);
    std::error_code ignored;
    std::filesystem::remove_all(scratch_directory(), ignored);
    return status;
}

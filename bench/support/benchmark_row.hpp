#pragma once
#include <string>

namespace grove::bench {

// What a row compares: the median CPU time or real time per iteration (ns/op, lower is better), or the median
// items_per_second counter (higher is better). The ratio of a row is always ours / reference. CPU time suits
// single-threaded runs on a shared machine (time spent descheduled is not counted); real time is the only honest
// clock when another process does part of the work. Value: the median of the run's user counter named "value",
// for figures that are not a time or a rate per iteration (instructions counted by a guest, KiB of peak memory,
// virtual seconds per wall second).
enum class RowMetric { CpuTime, RealTime, ItemsPerSecond, Value };

// What a row's ratio is: ours / reference (the default), or ours itself, for a row whose figure is absolute and
// whose reference is only context measured beside it (instructions per one-way IPC, with the null syscall).
enum class RowRatio { OursOverReference, Ours };

// One row of the benchmark table, declared by the program that measures both of its sides (so that ours and the
// reference always come from the same run). `ours` and `reference` are Google Benchmark run names as they appear
// in the JSON output ("core_fifo/endpoint/depth:1", "core_prio32/endpoint/capacity:64/depth:64"); `ours` is
// empty for a row that only publishes a reference figure (or a figure without a comparison). With
// RowMetric::Value, a run name may end in "#<counter>" to read that user counter instead of "value" (both sides
// of a row from one run). `target` is a bound on the ratio ("<= 1.5", ">= 0.8") or empty.
struct BenchmarkRow {
    std::string name;
    std::string ours;
    std::string reference;
    RowMetric metric = RowMetric::CpuTime;
    std::string unit;
    std::string target;
    RowRatio ratio = RowRatio::OursOverReference;
};

// Declares `row` in the program's JSON context (key "grove.row.<name>"), where tools/bench/bench_summary reads
// it. Call before run_benchmarks(). Names must not contain '|'.
void declare_row(BenchmarkRow const& row);

} // namespace grove::bench

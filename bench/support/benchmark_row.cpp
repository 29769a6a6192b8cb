#include <bench/support/benchmark_row.hpp>

#include <benchmark/benchmark.h>

namespace grove::bench {

namespace {

char const* metric_name(RowMetric metric) {
    return metric == RowMetric::RealTime ? "real_time" : "items_per_second";
}

} // namespace

void declare_row(BenchmarkRow const& row) {
    // One flat string per row: Google Benchmark's custom context holds strings only. tools/bench/bench_summary.cpp
    // parses exactly these fields.
    std::string value = "ours=" + row.ours + "|reference=" + row.reference + "|metric=" + metric_name(row.metric) +
                        "|unit=" + row.unit + "|target=" + row.target;
    benchmark::AddCustomContext("grove.row." + row.name, value);
}

} // namespace grove::bench

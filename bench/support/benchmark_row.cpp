#include <bench/support/benchmark_row.hpp>

#include <benchmark/benchmark.h>

namespace grove::bench {

namespace {

char const* metric_name(RowMetric metric) {
    switch (metric) {
    case RowMetric::CpuTime: return "cpu_time";
    case RowMetric::RealTime: return "real_time";
    case RowMetric::ItemsPerSecond: return "items_per_second";
    case RowMetric::Value: return "value";
    }
    return "cpu_time";
}

} // namespace

void declare_row(BenchmarkRow const& row) {
    // One flat string per row: Google Benchmark's custom context holds strings only. tools/bench/bench_summary.cpp
    // parses exactly these fields.
    std::string value = "ours=" + row.ours + "|reference=" + row.reference + "|metric=" + metric_name(row.metric) +
                        "|unit=" + row.unit + "|target=" + row.target +
                        (row.ratio == RowRatio::Ours ? "|ratio=ours" : "");
    benchmark::AddCustomContext("grove.row." + row.name, value);
}

} // namespace grove::bench

// grove-bench-summary: the summary step of `make bench`.
//
//   grove-bench-summary <summary.json> <program.json>...
//
// Each program.json is the Google Benchmark JSON output of one benchmark program. The rows come from the
// programs themselves: every context key "grove.row.<name>" (written by grove::bench::declare_row) names the run
// of ours and of the reference in that same file, the metric, the unit and the target. A row's figures are the
// medians of the repetitions (the "median" aggregates, or the median of the plain runs when the program ran
// without aggregates); its ratio is ours / reference; the target bounds the ratio. Prints the context (tool
// versions) and the table (each figure with the coefficient of variation of its repetitions), and writes the rows
// as a JSON list to <summary.json>. A missed target is a figure,
// not a failure: the exit status is 0 unless an input cannot be read (1) or the usage is wrong (2).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

// Ordered: rows come out program by program, each program's in the order of names_in_order.
using Json = nlohmann::ordered_json;

struct RowSpec {
    std::string name;
    std::string ours;
    std::string reference;
    std::string metric;
    std::string unit;
    std::string target;
    bool ratio_is_ours = false; // "ratio=ours": the ratio is the ours figure itself
};

// One benchmark run's figure (and the coefficient of variation of its repetitions, when the program reported
// one), or why there is none.
struct Figure {
    std::optional<double> value;
    std::string error;
    std::optional<double> cv;
};

// "ours=...|reference=...|metric=...|unit=...|target=..." as declare_row writes it.
RowSpec parse_row(std::string const& name, std::string const& text) {
    RowSpec spec;
    spec.name = name;
    std::map<std::string, std::string> fields;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t const end = std::min(text.find('|', start), text.size());
        std::string const field = text.substr(start, end - start);
        std::size_t const equals = field.find('=');
        if (equals != std::string::npos) fields[field.substr(0, equals)] = field.substr(equals + 1);
        start = end + 1;
    }
    spec.ours = fields["ours"];
    spec.reference = fields["reference"];
    spec.metric = fields["metric"];
    spec.unit = fields["unit"];
    spec.target = fields["target"];
    spec.ratio_is_ours = fields["ratio"] == "ours";
    return spec;
}

double nanoseconds_per(std::string const& unit) {
    if (unit == "us") return 1e3;
    if (unit == "ms") return 1e6;
    if (unit == "s") return 1e9;
    return 1.0;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    std::size_t const middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// The value of `metric` ("cpu_time" or "real_time" in ns, "items_per_second", or "value", a user counter) for the run named `run` in one
// program's "benchmarks" list.
// A run named "<run>#<counter>" reads that user counter of the run instead of `metric`, so that one run (one
// boot) can give both sides of a row.
Figure figure_of(Json const& benchmarks, std::string const& named, std::string metric) {
    std::string run = named;
    if (std::size_t const hash = named.find('#'); hash != std::string::npos) {
        run = named.substr(0, hash);
        metric = named.substr(hash + 1);
    }
    std::optional<double> from_median;
    std::optional<double> cv;
    std::vector<double> plain;
    std::string error;
    for (Json const& entry : benchmarks) {
        if (entry.value("run_name", entry.value("name", "")) != run) continue;
        if (entry.value("error_occurred", false)) {
            error = entry.value("error_message", "error");
            continue;
        }
        if (!entry.contains(metric)) continue;
        double value = entry[metric].get<double>();
        std::string const aggregate = entry.value("aggregate_name", "");
        if (aggregate == "cv") {
            cv = value; // a fraction, whatever the unit
            continue;
        }
        if (metric == "cpu_time" || metric == "real_time") value *= nanoseconds_per(entry.value("time_unit", "ns"));
        if (entry.value("run_type", "iteration") == "aggregate") {
            if (aggregate == "median") from_median = value;
        } else {
            plain.push_back(value);
        }
    }
    if (from_median) return {from_median, {}, cv};
    if (!plain.empty()) return {median(plain), {}, cv};
    return {std::nullopt, error.empty() ? "no run named " + run : error, std::nullopt};
}

// Whether row name `a` comes before `b`: characters compared one by one, except that runs of digits compare as
// numbers, so that "core_prio32_vs_bitmap/depth:64" comes before ".../depth:1024" (Google Benchmark writes the
// context keys, hence the rows, in plain character order).
bool names_in_order(std::string const& a, std::string const& b) {
    auto const is_digit = [](char c) { return c >= '0' && c <= '9'; };
    // The digits from `start` on, without leading zeros; `start` moves past them.
    auto const number_at = [&](std::string const& text, std::size_t& start) {
        while (start + 1 < text.size() && text[start] == '0' && is_digit(text[start + 1])) ++start;
        std::size_t const begin = start;
        while (start < text.size() && is_digit(text[start])) ++start;
        return text.substr(begin, start - begin);
    };
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            std::string const x = number_at(a, i);
            std::string const y = number_at(b, j);
            if (x.size() != y.size()) return x.size() < y.size();
            if (x != y) return x < y;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

// Whether `ratio` meets `target` ("<= 1.5", "< 2", ">= 0.8", "> 1"); nullopt when the target is empty or unreadable.
std::optional<bool> meets(std::string const& target, double ratio) {
    std::size_t position = target.find_first_not_of(' ');
    if (position == std::string::npos) return std::nullopt;
    std::string op;
    while (position < target.size() && (target[position] == '<' || target[position] == '>' || target[position] == '='))
        op += target[position++];
    double bound = 0;
    try {
        bound = std::stod(target.substr(position));
    } catch (std::exception const&) { return std::nullopt; }
    if (op == "<=") return ratio <= bound;
    if (op == "<") return ratio < bound;
    if (op == ">=") return ratio >= bound;
    if (op == ">") return ratio > bound;
    return std::nullopt;
}

std::string format_value(std::optional<double> value) {
    if (!value) return "-";
    char text[64];
    if (std::fabs(*value) >= 1000) std::snprintf(text, sizeof text, "%.0f", *value);
    else std::snprintf(text, sizeof text, "%.2f", *value);
    return text;
}

// " (12%)" for a coefficient of variation, or nothing.
std::string format_cv(std::optional<double> cv) {
    if (!cv) return "";
    char text[32];
    std::snprintf(text, sizeof text, " (%.0f%%)", *cv * 100);
    return text;
}

Json optional_json(std::optional<double> value) { return value ? Json(*value) : Json(nullptr); }

struct Row {
    RowSpec spec;
    std::string program;
    Figure ours;
    Figure reference;
    std::optional<double> ratio;
    std::optional<bool> meets_target;
};

} // namespace

int main(int argc, char** argv) try {
    if (argc < 3) {
        std::fprintf(stderr, "usage: grove-bench-summary <summary.json> <program.json>...\n");
        return 2;
    }
    std::vector<Row> rows;
    Json context;
    for (int i = 2; i < argc; ++i) {
        std::ifstream file(argv[i]);
        Json document;
        try {
            file >> document;
        } catch (std::exception const& error) {
            std::fprintf(stderr, "grove-bench-summary: %s: not Google Benchmark JSON (%s)\n", argv[i], error.what());
            return 1;
        }
        Json const& program_context = document["context"];
        if (context.is_null()) context = program_context;
        if (program_context.value("grove_build_type", "") != "Release")
            std::fprintf(stderr, "grove-bench-summary: warning: %s comes from a %s build, not Release\n", argv[i],
                         program_context.value("grove_build_type", "unknown").c_str());
        std::string const program = program_context.value("executable", argv[i]);
        std::size_t const first_row = rows.size();
        for (auto const& [key, value] : program_context.items()) {
            if (key.rfind("grove.row.", 0) != 0 || !value.is_string()) continue;
            Row row;
            row.spec = parse_row(key.substr(10), value.get<std::string>());
            row.program = program.substr(program.find_last_of('/') + 1);
            Json const& benchmarks = document["benchmarks"];
            if (!row.spec.ours.empty()) row.ours = figure_of(benchmarks, row.spec.ours, row.spec.metric);
            row.reference = figure_of(benchmarks, row.spec.reference, row.spec.metric);
            if (row.spec.ratio_is_ours && row.ours.value) row.ratio = *row.ours.value;
            else if (row.ours.value && row.reference.value && *row.reference.value != 0)
                row.ratio = *row.ours.value / *row.reference.value;
            if (row.ratio) row.meets_target = meets(row.spec.target, *row.ratio);
            rows.push_back(row);
        }
        std::stable_sort(rows.begin() + static_cast<std::ptrdiff_t>(first_row), rows.end(),
                         [](Row const& a, Row const& b) { return names_in_order(a.spec.name, b.spec.name); });
    }

    std::printf("context: unicorn %s, capstone %s, %s, compiler %s, build %s, %s CPUs at %s MHz\n\n",
                context.value("unicorn_version", "?").c_str(), context.value("capstone_version", "?").c_str(),
                context.value("qemu_version", "qemu ?").c_str(), context.value("compiler", "?").c_str(),
                context.value("grove_build_type", "?").c_str(),
                context.contains("num_cpus") ? context["num_cpus"].dump().c_str() : "?",
                context.contains("mhz_per_cpu") ? context["mhz_per_cpu"].dump().c_str() : "?");
    std::printf("%-42s %20s %20s %-14s %7s %8s  %s\n", "row", "ours", "reference", "unit", "ratio", "target", "meets");
    Json summary = Json::array();
    for (Row const& row : rows) {
        std::string const ratio = row.ratio ? format_value(row.ratio) : "-";
        std::string verdict = row.meets_target ? (*row.meets_target ? "yes" : "NO") : "-";
        std::string const error = !row.ours.error.empty() ? row.ours.error : row.reference.error;
        if ((!row.spec.ours.empty() && !row.ours.value) || !row.reference.value) verdict = "error: " + error;
        std::string const ours = format_value(row.ours.value) + format_cv(row.ours.cv);
        std::string const reference = format_value(row.reference.value) + format_cv(row.reference.cv);
        std::printf("%-42s %20s %20s %-14s %7s %8s  %s\n", row.spec.name.c_str(), ours.c_str(), reference.c_str(),
                    row.spec.unit.c_str(), ratio.c_str(), row.spec.target.empty() ? "-" : row.spec.target.c_str(),
                    verdict.c_str());
        Json entry = {
            {"name", row.spec.name},
            {"ours", optional_json(row.ours.value)},
            {"reference", optional_json(row.reference.value)},
            {"ratio", optional_json(row.ratio)},
            {"unit", row.spec.unit},
            {"target", row.spec.target.empty() ? Json(nullptr) : Json(row.spec.target)},
            {"meets_target", row.meets_target ? Json(*row.meets_target) : Json(nullptr)},
            {"ours_cv", optional_json(row.ours.cv)},
            {"reference_cv", optional_json(row.reference.cv)},
            {"ours_run", row.spec.ours.empty() ? Json(nullptr) : Json(row.spec.ours)},
            {"reference_run", row.spec.reference},
            {"program", row.program},
        };
        if (!error.empty()) entry["error"] = error;
        summary.push_back(entry);
    }
    std::ofstream out(argv[1]);
    out << summary.dump(2) << '\n';
    if (!out) {
        std::fprintf(stderr, "grove-bench-summary: cannot write %s\n", argv[1]);
        return 1;
    }
    std::printf("\nwrote %s (%zu rows)\n", argv[1], rows.size());
    return 0;
} catch (std::exception const& error) {
    // JSON of another shape (an array, a field of another type): nlohmann::json throws type_error.
    std::fprintf(stderr, "grove-bench-summary: not Google Benchmark JSON (%s)\n", error.what());
    return 1;
}

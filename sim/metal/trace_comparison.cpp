#include <sim/metal/trace_comparison.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

namespace grove::metal_host {

namespace {

using scenario::FieldValue;
using scenario::Trace;
using scenario::TraceEvent;

// One grove's events of one trace: their indices in the trace and their comparable texts.
struct Sequence {
    std::vector<usize> indices;
    std::vector<std::string> texts;
};

// The groves of both traces in order of their first event (simulator first, then those only metal has), and each
// one's sequences.
struct Sequences {
    std::vector<std::string> order;
    std::map<std::string, Sequence> simulator;
    std::map<std::string, Sequence> metal;
};

void collect(Trace const& trace, std::map<std::string, Sequence>& into, std::vector<std::string>& order) {
    for (usize i = 0; i < trace.events.size(); ++i) {
        TraceEvent const& event = trace.events[i];
        if (std::find(order.begin(), order.end(), event.grove) == order.end()) order.push_back(event.grove);
        Sequence& sequence = into[event.grove];
        sequence.indices.push_back(i);
        sequence.texts.push_back(comparable_text(event));
    }
}

constexpr usize Never = std::numeric_limits<usize>::max();

} // namespace

FieldRole field_role(TraceEvent const& event, std::string_view key) {
    if (event.kind == "console" && key == "text") return FieldRole::SimulatorOnly;
    if (event.kind == "console" && (key == "length" || key == "hash")) return FieldRole::Timing;
    if (event.kind == "fault" && (key == "instruction" || key == "encoding" || key == "symbol" || key == "registers"))
        return FieldRole::SimulatorOnly;
    if (event.kind == "stopping" && key == "deadline") return FieldRole::Timing;
    // Whether the driver already waited when its device interrupted follows from the device's timing (QEMU's drive
    // does its work in no virtual time, the simulator's takes its BSY time): delivered and pending are one fate here.
    if (event.kind == "interrupt" && key == "count") return FieldRole::Timing;
    if (event.kind == "interrupt" && key == "fate") {
        FieldValue const* fate = event.field("fate");
        if (fate != nullptr && fate->is_text() && (fate->to_string() == "delivered" || fate->to_string() == "pending"))
            return FieldRole::Timing;
    }
    if (event.kind == "limit_exceeded" && key == "requested") {
        FieldValue const* resource = event.field("resource");
        if (resource != nullptr && resource->is_text() &&
            (resource->to_string() == "cpu" || resource->to_string() == "ipc_rate"))
            return FieldRole::Timing;
    }
    return FieldRole::Compared;
}

std::string comparable_text(TraceEvent const& event) {
    std::string text = fmt::format("gen={} {}", event.generation, event.kind);
    for (auto const& [key, value] : event.fields) {
        if (field_role(event, key) != FieldRole::Compared) continue;
        text +=
            fmt::format(" {}={}", key, value.is_text() ? fmt::format("\"{}\"", value.to_string()) : value.to_string());
    }
    return text;
}

SequenceComparison compare_grove_sequences(Trace const& simulator, Trace const& metal) {
    Sequences sequences;
    collect(simulator, sequences.simulator, sequences.order);
    collect(metal, sequences.metal, sequences.order);

    SequenceComparison comparison;
    usize best_simulator = Never; // where the first difference is, in the simulator's trace
    usize best_metal = Never;
    for (std::string const& grove : sequences.order) {
        Sequence const& left = sequences.simulator[grove];
        Sequence const& right = sequences.metal[grove];
        GroveComparison row{grove, left.texts.size(), right.texts.size(), 0};
        while (row.matching < left.texts.size() && row.matching < right.texts.size() &&
               left.texts[row.matching] == right.texts[row.matching])
            ++row.matching;
        comparison.groves.push_back(row);
        if (row.same()) continue;

        usize const at = row.matching;
        usize const simulator_index = at < left.indices.size() ? left.indices[at] : simulator.events.size();
        usize const metal_index = at < right.indices.size() ? right.indices[at] : metal.events.size();
        if (simulator_index > best_simulator || (simulator_index == best_simulator && metal_index >= best_metal))
            continue;
        best_simulator = simulator_index;
        best_metal = metal_index;
        SequenceDifference difference;
        difference.grove = grove;
        difference.position = at;
        if (at < left.indices.size()) difference.simulator = simulator.events[left.indices[at]];
        if (at < right.indices.size()) difference.metal = metal.events[right.indices[at]];
        if (at > 0) difference.last_agreed = simulator.events[left.indices[at - 1]];
        comparison.first = std::move(difference);
    }
    return comparison;
}

std::string format_comparison(SequenceComparison const& comparison) {
    usize width = std::string_view("(kernel)").size();
    for (GroveComparison const& row : comparison.groves) width = std::max(width, row.grove.size());
    std::string text;
    for (GroveComparison const& row : comparison.groves) {
        std::string const name = row.grove.empty() ? "(kernel)" : row.grove;
        if (row.same()) text += fmt::format("same  {:<{}}  {} events\n", name, width, row.simulator_events);
        else
            text += fmt::format("DIFF  {:<{}}  {} events match; the simulator has {}, metal {}\n", name, width,
                                row.matching, row.simulator_events, row.metal_events);
    }
    if (!comparison.first) return text + "sequences: SAME (times and timing-dependent fields aside)\n";
    SequenceDifference const& d = *comparison.first;
    std::string const name = d.grove.empty() ? "the kernel" : fmt::format("grove '{}'", d.grove);
    text += fmt::format("first difference: {}, its event {}\n", name, d.position + 1);
    if (d.last_agreed) text += fmt::format("  last agreed: {}\n", scenario::format_event_line(*d.last_agreed));
    text += fmt::format("  simulator:   {}\n",
                        d.simulator ? scenario::format_event_line(*d.simulator) : std::string("(no more events)"));
    text += fmt::format("  metal:       {}\n",
                        d.metal ? scenario::format_event_line(*d.metal) : std::string("(no more events)"));
    text += fmt::format("  compared:    simulator {}\n", d.simulator ? comparable_text(*d.simulator) : "-");
    text += fmt::format("               metal     {}\n", d.metal ? comparable_text(*d.metal) : "-");
    text += fmt::format("sequences: DIFFERENT (first in {} at its event {})\n", name, d.position + 1);
    return text;
}

} // namespace grove::metal_host

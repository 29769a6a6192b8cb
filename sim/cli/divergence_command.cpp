// grovesim divergence A.jsonl B.jsonl: the first point where two traces part. Traces of the simulator carry a
// running hash per step (scenario::StepStamp), so the comparison finds the first event, or the stretch of steps
// before it, where two runs differ. A trace without stamps (a metal trace) is compared per grove instead, in the
// way `grovesim diff` compares the two targets for a timing-independent scenario: each grove's events in order,
// without their times and the fields that depend on timing (sim/metal/trace_comparison.hpp).
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>

#include <sim/metal/trace_comparison.hpp>
#include <sim/runner/step_divergence.hpp>
#include <sim/scenario/trace.hpp>

#include <fmt/format.h>

#include <memory>

namespace grove::sim {

namespace {

bool has_stamps(scenario::Trace const& trace) {
    return !trace.events.empty() && trace.stamps.size() == trace.events.size();
}

std::string side_text(char const* side, std::optional<scenario::TraceEvent> const& event) {
    return fmt::format("{}: {}", side, event ? scenario::format_event_line(*event) : std::string("(no more events)"));
}

int divergence(std::string const& a_path, std::string const& b_path) {
    auto a = scenario::read_trace_file(a_path);
    auto b = scenario::read_trace_file(b_path);
    for (auto const* read : {&a, &b}) {
        if (read->has_value()) continue;
        fmt::print(stderr, "grovesim divergence: {}\n", read->error().text());
        return ExitBadInput;
    }
    if (has_stamps(a.value()) && has_stamps(b.value())) {
        std::optional<runner::RunDivergence> const found = runner::compare_stamped_traces(a.value(), b.value());
        if (!found) {
            fmt::print("the same run: {} events, every step hash equal\n", a.value().events.size());
            return ExitSuccess;
        }
        fmt::print("first divergence: {}\n", found->summary);
        for (std::string const& line : found->details) fmt::print("  {}\n", line);
        return ExitFailure;
    }
    // A metal trace has no step stamps: its groves' event sequences are compared, times and timing fields aside.
    metal_host::SequenceComparison const compared = metal_host::compare_grove_sequences(a.value(), b.value());
    fmt::print("compared per grove: kinds, generations and fields in order, without times and timing fields (a "
               "trace without step stamps)\n");
    if (compared.same()) {
        fmt::print("the same event sequences: {} groves\n", compared.groves.size());
        return ExitSuccess;
    }
    metal_host::SequenceDifference const& first = *compared.first;
    fmt::print("first divergence: grove '{}', its event {}\n", first.grove, first.position + 1);
    if (first.last_agreed) fmt::print("  both: last agreeing: {}\n", scenario::format_event_line(*first.last_agreed));
    fmt::print("  {}\n  {}\n", side_text("A", first.simulator), side_text("B", first.metal));
    return ExitFailure;
}

} // namespace

void add_divergence_command(CLI::App& app, int& exit_status) {
    auto paths = std::make_shared<std::vector<std::string>>();
    CLI::App* command = app.add_subcommand(
        "divergence",
        "Find where two traces (grovesim run --trace) part. Two simulator traces are compared by their step stamps "
        "(run_step, run_hash: a running hash over every trap and event): the first event that differs, or the steps "
        "before it, is printed from both sides. A trace without stamps (--target metal) is compared per grove, "
        "each grove's events in order without times and timing fields, as `grovesim diff` does for a "
        "timing-independent scenario. Exits 0 when they are the same, 1 when they part, 2 on bad input.");
    command->add_option("traces", *paths, "The two traces, A then B (JSON Lines)")->required()->expected(2);
    command->callback([paths, &exit_status] { exit_status = divergence((*paths)[0], (*paths)[1]); });
}

} // namespace grove::sim

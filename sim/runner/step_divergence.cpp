#include <sim/runner/step_divergence.hpp>

#include <fmt/format.h>

namespace grove::runner {

using scenario::StepStamp;
using scenario::Trace;
using scenario::TraceEvent;

namespace {

std::optional<StepStamp> stamp_at(Trace const& trace, usize index) {
    if (index >= trace.stamps.size()) return std::nullopt;
    return trace.stamps[index];
}

std::string stamp_text(std::optional<StepStamp> const& stamp) {
    return stamp ? fmt::format("step {}, hash {}", stamp->step, scenario::format_digest(stamp->hash))
                 : std::string("no step stamp");
}

std::string event_text(char const* side, Trace const& trace, usize index) {
    if (index >= trace.events.size()) return fmt::format("{}: (no more events: {} in all)", side, trace.events.size());
    return fmt::format("{}: event {} ({}): {}", side, index + 1, stamp_text(stamp_at(trace, index)),
                       scenario::format_event_line(trace.events[index]));
}

} // namespace

std::string describe_step(StepRecord const& s) {
    sim::RegisterSnapshot const& r = s.registers;
    return fmt::format("step {} at {}ns: {} gen {} thread {}.{} {} pc={:#x} hash={} | rip={:#x} rsp={:#x} rax={:#x} "
                       "rbx={:#x} rcx={:#x} rdx={:#x} rsi={:#x} rdi={:#x} r8={:#x} r9={:#x} r10={:#x} r11={:#x} "
                       "rflags={:#x}",
                       s.step, s.time.value, s.grove.empty() ? std::string("(no grove)") : s.grove, s.generation,
                       s.thread.index, s.thread.generation, trap_kind_name(s.kind), s.pc,
                       scenario::format_digest(s.hash), r.rip, r.rsp, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.r8,
                       r.r9, r.r10, r.r11, r.rflags);
}

std::optional<RunDivergence> compare_stamped_traces(Trace const& a, Trace const& b) {
    usize i = 0;
    while (i < a.events.size() && i < b.events.size() && a.events[i] == b.events[i] && stamp_at(a, i) == stamp_at(b, i))
        ++i;
    if (i < a.events.size() || i < b.events.size()) {
        RunDivergence divergence;
        bool const same_line = i < a.events.size() && i < b.events.size() &&
                               scenario::format_event_line(a.events[i]) == scenario::format_event_line(b.events[i]);
        std::string const since =
            i == 0 ? std::string("the start") : fmt::format("event {} ({})", i, stamp_text(stamp_at(a, i - 1)));
        divergence.summary =
            same_line ? fmt::format("event {} is the same on both sides, but the steps before it differ (after {})",
                                    i + 1, since)
                      : fmt::format("the runs part at event {}; they agree up to {}", i + 1, since);
        divergence.details.push_back(event_text("A", a, i));
        divergence.details.push_back(event_text("B", b, i));
        return divergence;
    }
    std::optional<StepStamp> const a_end = a.final_counters ? a.final_counters->steps : std::nullopt;
    std::optional<StepStamp> const b_end = b.final_counters ? b.final_counters->steps : std::nullopt;
    if (a_end == b_end && a.final_counters == b.final_counters) return std::nullopt;
    RunDivergence divergence;
    divergence.summary = fmt::format("every one of the {} events is the same; the runs part after the last one", i);
    divergence.details.push_back(fmt::format("A: end: {}", a.final_counters
                                                               ? scenario::format_final_line(*a.final_counters)
                                                               : std::string("(none)")));
    divergence.details.push_back(fmt::format("B: end: {}", b.final_counters
                                                               ? scenario::format_final_line(*b.final_counters)
                                                               : std::string("(none)")));
    return divergence;
}

std::optional<RunDivergence> compare_runs(Trace const& a, std::vector<StepRecord> const& a_steps, Trace const& b,
                                          std::vector<StepRecord> const& b_steps) {
    usize i = 0;
    while (i < a_steps.size() && i < b_steps.size() && a_steps[i].hash == b_steps[i].hash &&
           a_steps[i].registers == b_steps[i].registers)
        ++i;
    std::optional<RunDivergence> events = compare_stamped_traces(a, b);
    if (i == a_steps.size() && i == b_steps.size()) return events;
    RunDivergence divergence;
    divergence.summary = fmt::format("the runs part at step {} of {} and {}", i + 1, a_steps.size(), b_steps.size());
    if (i > 0) divergence.details.push_back("both: last agreeing " + describe_step(a_steps[i - 1]));
    divergence.details.push_back(i < a_steps.size() ? "A: " + describe_step(a_steps[i])
                                                    : fmt::format("A: (no more steps: {} in all)", a_steps.size()));
    divergence.details.push_back(i < b_steps.size() ? "B: " + describe_step(b_steps[i])
                                                    : fmt::format("B: (no more steps: {} in all)", b_steps.size()));
    if (events) {
        divergence.details.push_back("first event that differs: " + events->summary);
        divergence.details.insert(divergence.details.end(), events->details.begin(), events->details.end());
    }
    return divergence;
}

} // namespace grove::runner

#include <core/trace/event.hpp>
#include <sim/scenario/quantity_text.hpp>
#include <sim/scenario/verdict.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

namespace grove::scenario {
namespace {

constexpr std::string_view NoFinalCounters = "no final counters (the run did not complete)";

std::string shown_value(FieldValue const& value) {
    std::string text = value.to_string();
    if (!value.is_text()) return text;
    bool const needs_quotes = text.empty() || text.find_first_of(" ,=()\"\t\n") != std::string::npos;
    return needs_quotes ? fmt::format("\"{}\"", text) : text;
}

std::string call_form(std::string_view kind, std::vector<std::string> const& arguments) {
    if (arguments.empty()) return std::string(kind);
    std::string text = fmt::format("{}(", kind);
    for (usize i = 0; i < arguments.size(); ++i) {
        if (i > 0) text += ", ";
        text += arguments[i];
    }
    return text + ")";
}

// The event as a matcher would name it: its grove, generation, and the fields `matcher` looks at.
std::string describe_event(TraceEvent const& event, EventMatcher const& matcher) {
    std::vector<std::string> arguments;
    if (!event.grove.empty()) arguments.push_back("grove=" + event.grove);
    arguments.push_back(fmt::format("gen={}", event.generation));
    for (auto const& [key, expected] : matcher.fields) {
        if (FieldValue const* value = event.field(key)) arguments.push_back(key + "=" + shown_value(*value));
    }
    return call_form(event.kind, arguments);
}

std::string describe_range(CountRange const& range) {
    if (range.min == range.max) return std::to_string(range.min);
    if (range.max == CountRange().max) return fmt::format(">= {}", range.min);
    if (range.min == 0) return fmt::format("<= {}", range.max);
    return fmt::format("{}..{}", range.min, range.max);
}

void check_final_states(Scenario const& scenario, FinalCounters const* counters, std::vector<VerdictRow>& rows) {
    for (auto const& [grove, state] : scenario.expect.final_states) {
        VerdictRow row{fmt::format("final state of {}", grove), false, std::string(grove_state_name(state)), ""};
        GroveCounters const* seen = counters != nullptr ? counters->find(grove) : nullptr;
        if (counters == nullptr) row.seen = NoFinalCounters;
        else if (seen == nullptr) row.seen = "not in the final counters";
        else {
            row.seen = grove_state_name(seen->state);
            row.passed = seen->state == state;
        }
        rows.push_back(std::move(row));
    }
}

void check_count(std::string const& grove, std::string_view name, std::optional<CountRange> const& range,
                 FinalCounters const* counters, u64 (*read)(GroveCounters const&), std::vector<VerdictRow>& rows) {
    if (!range) return;
    VerdictRow row{fmt::format("{} of {}", name, grove), false, describe_range(*range), ""};
    GroveCounters const* seen = counters != nullptr ? counters->find(grove) : nullptr;
    if (counters == nullptr) row.seen = NoFinalCounters;
    else if (seen == nullptr) row.seen = "not in the final counters";
    else {
        u64 const value = read(*seen);
        row.seen = std::to_string(value);
        row.passed = value >= range->min && value <= range->max;
    }
    rows.push_back(std::move(row));
}

void check_counts(Scenario const& scenario, FinalCounters const* counters, std::vector<VerdictRow>& rows) {
    for (CountExpectation const& expected : scenario.expect.counts) {
        std::string const& grove = expected.grove;
        check_count(
            grove, "crashes", expected.crashes, counters, [](GroveCounters const& c) { return c.crashes; }, rows);
        check_count(
            grove, "respawns", expected.respawns, counters, [](GroveCounters const& c) { return c.respawns; }, rows);
        check_count(
            grove, "messages_sent", expected.messages_sent, counters, [](GroveCounters const& c) { return c.ipc.sent; },
            rows);
        check_count(
            grove, "messages_delivered", expected.messages_delivered, counters,
            [](GroveCounters const& c) { return c.ipc.delivered; }, rows);
        check_count(
            grove, "messages_refused", expected.messages_refused, counters,
            [](GroveCounters const& c) { return c.ipc.refused; }, rows);
        check_count(
            grove, "messages_queued", expected.messages_queued, counters,
            [](GroveCounters const& c) { return c.ipc.queued; }, rows);
    }
}

void check_sequences(Scenario const& scenario, Trace const& trace, std::vector<VerdictRow>& rows) {
    for (usize s = 0; s < scenario.expect.sequences.size(); ++s) {
        std::vector<EventMatcher> const& sequence = scenario.expect.sequences[s];
        std::vector<std::string> steps;
        steps.reserve(sequence.size());
        for (EventMatcher const& matcher : sequence) steps.push_back(describe_matcher(matcher));
        std::string expected;
        for (usize i = 0; i < steps.size(); ++i) expected += (i > 0 ? " -> " : "") + steps[i];

        // Greedy matching finds an in-order subsequence whenever one exists.
        usize found = 0;
        TraceEvent const* last = nullptr;
        for (TraceEvent const& event : trace.events) {
            if (found == sequence.size()) break;
            if (!matches(sequence[found], event)) continue;
            last = &event;
            ++found;
        }
        VerdictRow row{fmt::format("sequence {}", s + 1), found == sequence.size(), expected, ""};
        if (row.passed)
            row.seen = fmt::format("all {} in order, the last at {}", sequence.size(), format_duration(last->time));
        else if (last == nullptr) row.seen = fmt::format("step 1 of {}, {}, never occurs", sequence.size(), steps[0]);
        else
            row.seen =
                fmt::format("step {} of {}, {}, not found after {} at {}", found + 1, sequence.size(), steps[found],
                            describe_event(*last, sequence[found - 1]), format_duration(last->time));
        rows.push_back(std::move(row));
    }
}

void check_absent(Scenario const& scenario, Trace const& trace, std::vector<VerdictRow>& rows) {
    for (EventMatcher const& matcher : scenario.expect.absent) {
        VerdictRow row{fmt::format("never {}", describe_matcher(matcher)), true, "no occurrence", "none"};
        auto const first = std::find_if(trace.events.begin(), trace.events.end(),
                                        [&](TraceEvent const& event) { return matches(matcher, event); });
        if (first != trace.events.end()) {
            row.passed = false;
            row.seen = fmt::format("at {}: {}", format_duration(first->time), describe_event(*first, matcher));
        }
        rows.push_back(std::move(row));
    }
}

void check_served(Scenario const& scenario, Trace const& trace, std::vector<VerdictRow>& rows) {
    Ticks const end = trace.final_counters ? trace.final_counters->end_time : scenario.duration;
    for (ServedExpectation const& served : scenario.expect.served) {
        VerdictRow row{fmt::format("{} served", served.grove), false,
                       fmt::format("every {} or sooner", format_duration(served.within)), "never served"};
        std::optional<Ticks> last;
        Ticks gap{};
        Ticks gap_from{};
        auto note = [&](Ticks at) {
            if (last && at - *last > gap) {
                gap = at - *last;
                gap_from = *last;
            }
            last = at;
        };
        for (TraceEvent const& event : trace.events)
            if (event.grove == served.grove && event.kind == event_kind_name(EventKind::MessageDelivered))
                note(event.time);
        if (last) {
            note(end > *last ? end : *last);
            row.passed = gap <= served.within;
            row.seen = fmt::format("longest gap {} (from {})", format_duration(gap), format_duration(gap_from));
        }
        rows.push_back(std::move(row));
    }
}

VerdictRow accounting_row(std::string expectation, IpcCounters const& ipc) {
    bool const balanced = ipc.delivered <= ipc.sent && ipc.refused <= ipc.sent - ipc.delivered &&
                          ipc.queued == ipc.sent - ipc.delivered - ipc.refused;
    return VerdictRow{std::move(expectation), balanced, "sent = delivered + refused + queued",
                      fmt::format("{} {} {} + {} + {}", ipc.sent, balanced ? "=" : "!=", ipc.delivered, ipc.refused,
                                  ipc.queued)};
}

void check_ipc_accounting(Scenario const& scenario, FinalCounters const* counters, std::vector<VerdictRow>& rows) {
    if (!scenario.expect.ipc_accounting) return;
    if (counters == nullptr) {
        rows.push_back(
            VerdictRow{"IPC accounting", false, "sent = delivered + refused + queued", std::string(NoFinalCounters)});
        return;
    }
    for (GroveCounters const& grove : counters->groves)
        rows.push_back(accounting_row(fmt::format("IPC accounting of {}", grove.grove), grove.ipc));
    rows.push_back(accounting_row("IPC accounting overall", counters->overall));
}

// Checked whenever the run reports grants: nothing about a grant or a copy is lost silently.
void check_grant_accounting(FinalCounters const* counters, std::vector<VerdictRow>& rows) {
    if (counters == nullptr || !counters->grants) return;
    GrantCounters const& g = *counters->grants;
    bool const grants = g.created == g.ended + g.live;
    rows.push_back(VerdictRow{"grant accounting", grants, "created = ended + live",
                              fmt::format("{} {} {} + {}", g.created, grants ? "=" : "!=", g.ended, g.live)});
    bool const copies = g.copies == g.copied + g.refused;
    rows.push_back(VerdictRow{"grant copy accounting", copies, "asked = copied + refused",
                              fmt::format("{} {} {} + {}", g.copies, copies ? "=" : "!=", g.copied, g.refused)});
}

void check_digest(Scenario const& scenario, FinalCounters const* counters, std::vector<VerdictRow>& rows) {
    if (!scenario.expect.digest) return;
    VerdictRow row{"trace digest", false, format_digest(*scenario.expect.digest), std::string(NoFinalCounters)};
    if (counters != nullptr) {
        row.seen = format_digest(counters->digest);
        row.passed = counters->digest == *scenario.expect.digest;
    }
    rows.push_back(std::move(row));
}

} // namespace

bool Verdict::holds() const { return failures() == 0; }

usize Verdict::failures() const {
    return static_cast<usize>(std::count_if(rows.begin(), rows.end(), [](VerdictRow const& r) { return !r.passed; }));
}

bool matches(EventMatcher const& matcher, TraceEvent const& event) {
    if (event.kind != matcher.event) return false;
    if (matcher.grove && event.grove != *matcher.grove) return false;
    if (matcher.generation && event.generation != *matcher.generation) return false;
    for (auto const& [key, expected] : matcher.fields) {
        FieldValue const* value = event.field(key);
        if (value == nullptr || !(*value == expected)) return false;
    }
    return true;
}

std::string describe_matcher(EventMatcher const& matcher) {
    std::vector<std::string> arguments;
    if (matcher.grove) arguments.push_back("grove=" + *matcher.grove);
    if (matcher.generation) arguments.push_back(fmt::format("gen={}", *matcher.generation));
    for (auto const& [key, value] : matcher.fields) arguments.push_back(key + "=" + shown_value(value));
    return call_form(matcher.event, arguments);
}

VerdictRow memory_accounting_row(MemoryCounters const& memory) {
    bool const balanced = memory.free + memory.held == memory.frames;
    return VerdictRow{"memory accounting", balanced, "free = frames - pages of live groves (page tables included)",
                      fmt::format("{} = {} - {}", memory.free, memory.frames, memory.held)};
}

Verdict evaluate_verdict(Scenario const& scenario, Trace const& trace) {
    FinalCounters const* counters = trace.final_counters ? &*trace.final_counters : nullptr;
    Verdict verdict;
    check_final_states(scenario, counters, verdict.rows);
    check_counts(scenario, counters, verdict.rows);
    check_sequences(scenario, trace, verdict.rows);
    check_absent(scenario, trace, verdict.rows);
    check_served(scenario, trace, verdict.rows);
    check_ipc_accounting(scenario, counters, verdict.rows);
    check_grant_accounting(counters, verdict.rows);
    check_digest(scenario, counters, verdict.rows);
    return verdict;
}

namespace {

// Splits `text` into pieces of at most `width` characters, breaking after spaces where it can (a long event
// sequence becomes several lines instead of one very wide column).
std::vector<std::string_view> wrap(std::string_view text, usize width) {
    std::vector<std::string_view> lines;
    while (text.size() > width) {
        usize cut = text.rfind(' ', width);
        if (cut == std::string_view::npos || cut == 0) cut = width;
        lines.push_back(text.substr(0, cut));
        text.remove_prefix(cut);
        while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    }
    lines.push_back(text);
    return lines;
}

} // namespace

std::string format_verdict_table(Verdict const& verdict) {
    // Columns grow with their contents up to a cap; longer cells wrap onto continuation lines.
    constexpr usize ExpectationCap = 48;
    constexpr usize ExpectedCap = 64;
    usize expectation_width = std::string_view("EXPECTATION").size();
    usize expected_width = std::string_view("EXPECTED").size();
    for (VerdictRow const& row : verdict.rows) {
        expectation_width = std::min(std::max(expectation_width, row.expectation.size()), ExpectationCap);
        expected_width = std::min(std::max(expected_width, row.expected.size()), ExpectedCap);
    }
    auto const line = [&](std::string_view result, std::string_view expectation, std::string_view expected,
                          std::string_view seen) {
        std::string text = fmt::format("{:<6}  {:<{}}  {:<{}}  {}", result, expectation, expectation_width, expected,
                                       expected_width, seen);
        while (!text.empty() && text.back() == ' ') text.pop_back();
        return text + "\n";
    };
    auto const row_lines = [&](std::string_view result, std::string_view expectation, std::string_view expected,
                               std::string_view seen) {
        auto const a = wrap(expectation, expectation_width);
        auto const b = wrap(expected, expected_width);
        auto const c = wrap(seen, ExpectedCap);
        std::string out;
        for (usize i = 0; i < std::max({a.size(), b.size(), c.size()}); ++i)
            out += line(i == 0 ? result : "", i < a.size() ? a[i] : "", i < b.size() ? b[i] : "",
                        i < c.size() ? c[i] : "");
        return out;
    };
    std::string table = line("RESULT", "EXPECTATION", "EXPECTED", "SEEN");
    for (VerdictRow const& row : verdict.rows)
        table += row_lines(row.passed ? "PASS" : "FAIL", row.expectation, row.expected, row.seen);
    usize const total = verdict.rows.size();
    if (verdict.holds()) table += fmt::format("verdict: PASS ({} of {} expectations hold)\n", total, total);
    else table += fmt::format("verdict: FAIL ({} of {} expectations failed)\n", verdict.failures(), total);
    return table;
}

} // namespace grove::scenario

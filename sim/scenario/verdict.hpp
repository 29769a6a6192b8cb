#pragma once
#include <sim/scenario/scenario.hpp>
#include <sim/scenario/trace.hpp>

#include <string>
#include <vector>

namespace grove::scenario {

// One checked expectation: what was expected, what the run showed, and whether they agree.
struct VerdictRow {
    std::string expectation; // "final state of echo", "crashes of crasher", "sequence 1", ...
    bool passed = false;
    std::string expected;
    std::string seen;
    bool operator==(VerdictRow const&) const = default;
};

// Every expectation of a scenario checked against one run, in the order: final states, counts, sequences, absent
// events, served groves, IPC accounting, digest. It holds when every row passed (a scenario without expectations
// holds).
struct Verdict {
    std::vector<VerdictRow> rows;

    bool holds() const;
    usize failures() const;
};

// Checks every expectation of `scenario` against `trace`. Expectations on final states, counts, IPC accounting
// and the digest read trace.final_counters; without it they fail with "no final counters". Never fails itself.
Verdict evaluate_verdict(Scenario const& scenario, Trace const& trace);
// The `memory accounting` row: the machine's free frames and the frames of live groves (pages and page tables)
// add up to all of its frames. Both targets add it (the simulator from its run, metal from its final record).
VerdictRow memory_accounting_row(MemoryCounters const& memory);

// Whether `event` is one that `matcher` describes: same kind, and the grove, generation and every field the
// matcher names are equal.
bool matches(EventMatcher const& matcher, TraceEvent const& event);

// "crashed(grove=crasher, kind=fault)"; text values that are empty or hold spaces, commas, '=' or parentheses
// are quoted.
std::string describe_matcher(EventMatcher const& matcher);

// The verdict as a table with aligned columns, one row per expectation, and a last line with the result:
//   RESULT  EXPECTATION          EXPECTED  SEEN
//   PASS    final state of echo  running   running
//   FAIL    crashes of crasher   3         2
//   verdict: FAIL (1 of 2 expectations failed)
// Every line ends with '\n'.
std::string format_verdict_table(Verdict const& verdict);

} // namespace grove::scenario

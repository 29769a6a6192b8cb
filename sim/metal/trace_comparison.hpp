#pragma once
// The differential check between the simulator and the bare-metal kernel: both run the same grove binaries under the
// same core, so for a scenario whose outcome does not depend on timing (`timing_independent = true`) each grove's
// sequence of events must be the same, once the fields that depend on timing are set aside.
#include <sim/scenario/trace.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grove::metal_host {

// Whether a field is left out of the comparison, and why. Timing: its value follows from virtual time, which differs
// between the two (on metal the kernel's own instructions, serial output included, take time): the event time
// itself, `deadline` of stopping (an absolute time), `requested` of a limit_exceeded for cpu (ticks used in the
// period) or ipc_rate (messages sent in the window), and `length` and `hash` of console (what a grove prints may
// hold a time: the warden prints the time of each crash it hears of; the console event itself, in its place in
// the sequence, is compared), and `fate` delivered or pending and `count` of interrupt (whether the driver already
// waited when the device interrupted: QEMU's drive works in no virtual time). SimulatorOnly: the simulator's presentation of an event,
// which the serial trace does not carry: `text` of console (metal prints it as a "# " line), the crash report of
// a fault (`instruction`, `encoding`, `symbol`, `registers`). Everything else is compared: generations, kinds,
// pc and addresses of faults and crashes (the same binaries at the same addresses), entry points, memory sizes,
// exit codes, respawn delays (the backoff), limits, capabilities and their details, and the results of injected
// faults.
enum class FieldRole { Compared, Timing, SimulatorOnly };
FieldRole field_role(scenario::TraceEvent const& event, std::string_view key);

// The event without its time and without the fields left out: "gen=2 crashed kind=fault exit_code=0 pc=4198400 ...".
std::string comparable_text(scenario::TraceEvent const& event);

// One grove's events on both sides, compared in order.
struct GroveComparison {
    std::string grove; // "" is the kernel as a whole
    usize simulator_events = 0;
    usize metal_events = 0;
    usize matching = 0; // events equal from the start
    bool same() const { return matching == simulator_events && matching == metal_events; }
};

// The first place where the sequences part: the grove, the position in its sequence (from 0), both events (or
// nothing when that side's sequence has ended) and the last event they agreed on.
struct SequenceDifference {
    std::string grove;
    usize position = 0;
    std::optional<scenario::TraceEvent> simulator;
    std::optional<scenario::TraceEvent> metal;
    std::optional<scenario::TraceEvent> last_agreed; // the simulator's
};

struct SequenceComparison {
    std::vector<GroveComparison> groves;     // in order of each grove's first event, simulator first
    std::optional<SequenceDifference> first; // nothing when every sequence matches
    bool same() const { return !first.has_value(); }
};

// Compares, per grove name, the ordered events of the two traces with comparable_text(). The first difference is
// the one whose simulator event comes earliest in the simulator's trace (a sequence that ended counts from the
// end of the trace); between groves that differ only on the metal side, the earliest metal event.
SequenceComparison compare_grove_sequences(scenario::Trace const& simulator, scenario::Trace const& metal);

// The comparison as text: one line per grove ("same  crasher  14 events", "DIFF  warden  6 of 9 events match"), then
// the first difference with both events as JSON lines, and a last line "sequences: SAME" or "sequences: DIFFERENT
// (first in grove 'x' at its event n)". Every line ends with '\n'.
std::string format_comparison(SequenceComparison const& comparison);

} // namespace grove::metal_host

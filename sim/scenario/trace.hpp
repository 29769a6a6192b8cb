#pragma once
#include <core/base/units.hpp>
#include <core/trace/runner_events.hpp>
#include <sim/scenario/field_value.hpp>
#include <sim/scenario/parsed.hpp>
#include <sim/scenario/scenario.hpp>

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace grove::scenario {

// Where an event or the end of a run stands among the run's steps (the simulator's traces only; a metal trace has
// none): `step` is the number of resumes of grove threads (traps taken) before it, and `hash` a running hash over
// every trap up to then (thread, time, kind, pc, syscall or fault data) and every event up to and including it. Two
// runs are the same up to the last event whose stamps agree. Neither is part of the canonical event line
// (format_event_line) nor of any digest.
struct StepStamp {
    u64 step = 0;
    u64 hash = 0;
    bool operator==(StepStamp const&) const = default;
};

// One event of a run, as the simulator (or the bare-metal serial stream) reports it. `grove` is empty for an
// event of the kernel as a whole. Invariant for writing: field keys are unique and none is "t", "grove", "gen"
// "event", "run_step" or "run_hash" (the reader rejects such a line).
struct TraceEvent {
    Ticks time;
    std::string grove;
    u32 generation = 0;
    std::string kind;                                       // see known_event_kinds()
    std::vector<std::pair<std::string, FieldValue>> fields; // in the order they are written

    // Appends a field; returns *this so that events read as one expression.
    TraceEvent& with(std::string key, FieldValue value);
    TraceEvent& with(std::string key, std::string value);
    TraceEvent& with(std::string key, u64 value);
    // The value of that field, or nullptr.
    FieldValue const* field(std::string_view key) const;

    bool operator==(TraceEvent const&) const = default;
};

// Messages as the kernel accounts for them. They balance when sent == delivered + refused + queued.
struct IpcCounters {
    u64 sent = 0;
    u64 delivered = 0;
    u64 refused = 0;
    u64 queued = 0; // still waiting in a queue at the end of the run
    bool operator==(IpcCounters const&) const = default;
};

// One grove at the end of a run. ipc counts the messages this grove sent, wherever they went.
struct GroveCounters {
    std::string grove;
    GroveState state = GroveState::Loading;
    u64 crashes = 0;
    u64 respawns = 0;
    IpcCounters ipc;
    bool operator==(GroveCounters const&) const = default;
};

// The machine's frames at the end of a run: all of them, the free ones, and those the live groves hold (their
// pages and page tables). Metal reports them in its final record; the simulator checks them in the run.
struct MemoryCounters {
    u64 frames = 0;
    u64 free = 0;
    u64 held = 0;
    bool operator==(MemoryCounters const&) const = default;
};

// The grants of a run: every grant created has ended (revoked, or with its granter) or is live, and every copy
// asked for was copied or refused. Reported by both targets when the run used grants at all.
struct GrantCounters {
    u64 created = 0;
    u64 ended = 0;
    u64 live = 0;
    u64 copies = 0; // asked for
    u64 copied = 0;
    u64 refused = 0;
    bool operator==(GrantCounters const&) const = default;
};

// What the simulator records when a run ends: the time, the trace digest the run reports, each grove's counters
// (in load order) and the kernel's own totals over all messages (including those the kernel itself sent).
struct FinalCounters {
    Ticks end_time;
    u64 digest = 0;
    std::vector<GroveCounters> groves;
    IpcCounters overall;
    std::optional<MemoryCounters> memory; // metal's final record only
    std::optional<GrantCounters> grants;  // when the run created a grant or asked for a copy
    std::optional<StepStamp> steps;       // the simulator's: every step of the run ("run_step", "run_hash")

    // The counters of that grove, or nullptr.
    GroveCounters const* find(std::string_view grove_name) const;
    bool operator==(FinalCounters const&) const = default;
};

// A recorded run: the events in the order they happened, and the final counters when the run completed. A
// simulator's trace also has one step stamp per event (stamps[i] is events[i]'s; written as "run_step" and
// "run_hash"); a metal trace has none.
struct Trace {
    std::vector<TraceEvent> events;
    std::vector<StepStamp> stamps;
    std::optional<FinalCounters> final_counters;
    bool operator==(Trace const&) const = default;
};

// The event kinds a run emits and scenario matchers may name: every kind the core emits (is_emitted_kind, by
// event_kind_name), then RunnerEventKinds (core/trace/runner_events.hpp). The trace reader accepts any kind (a newer simulator may add some);
// the scenario parser accepts only these, so an expectation can never name a kind that cannot occur.
std::vector<std::string_view> const& known_event_kinds();
bool is_known_event_kind(std::string_view kind);

// ----- JSON Lines -----------------------------------------------------------------------------------------------
//
// One JSON object per line, no spaces, keys in a fixed order, so that identical runs give identical bytes:
//   {"t":1500000,"grove":"crasher","gen":2,"event":"crashed","kind":"fault","pc":4198400}
// and, when the run completed, one last line with the final counters:
//   {"final":{"t":2000000000,"digest":"00ff00ff00ff00ff","overall":{"sent":3,"delivered":2,"refused":1,
//    "queued":0},"groves":[{"grove":"echo","state":"running","crashes":0,"respawns":0,"sent":0,...}]}}
// Text that is not valid UTF-8 is written with U+FFFD in place of the bad bytes.

// One event as its canonical line, without the newline and without its stamp.
std::string format_event_line(TraceEvent const& event);
// The line as a trace file holds it: the canonical line with the stamp, when there is one, as its last two keys
// ("run_step":N,"run_hash":"<16 hex digits>").
std::string format_stamped_event_line(TraceEvent const& event, StepStamp const* stamp);
// The final record as its line, without the newline.
std::string format_final_line(FinalCounters const& counters);
// The whole trace: every line followed by '\n'.
std::string format_trace(Trace const& trace);
void write_trace(std::ostream& out, Trace const& trace);

// Reads a trace. `name` is the file name used in diagnostics. Empty lines are skipped. Fails, naming the line
// and column, on invalid JSON, a missing or mistyped key, a field that is neither text nor an integer, a
// duplicate key, or anything after the final record.
Parsed<Trace> read_trace_string(std::string_view text, std::string_view name);
// The same for a file; fails, naming the file, when it cannot be read.
Parsed<Trace> read_trace_file(std::filesystem::path const& path);

// 64-bit FNV-1a over the JSON Lines text of the events (each line with its '\n'), the canonical event stream.
u64 trace_digest(std::vector<TraceEvent> const& events);
// The digest as 16 lower-case hex digits, and back (exactly 16 hex digits of either case, or nothing).
std::string format_digest(u64 digest);
std::optional<u64> parse_digest_text(std::string_view text);

} // namespace grove::scenario

#pragma once
// A run as a timeline in the Chrome trace-event format (JSON), which Perfetto (ui.perfetto.dev) and chrome://tracing
// open: grovesim run --timeline FILE.json.
#include <sim/runner/scenario_runner.hpp>
#include <sim/scenario/trace.hpp>

#include <string>
#include <vector>

namespace grove::runner {

// The timeline of a run from its trace and its steps (RunOptions::steps), times in microseconds of virtual time:
//   - a process per grove (its name; "kernel" for the kernel's own events) and in it a track per thread (by thread
//     slot) and a track "events" for the grove as a whole;
//   - on a thread's track, "running" slices (each resume, consecutive ones joined), and between two of them a
//     "blocked" slice (its last trap was a syscall: it waited in the kernel), a "ready" slice (preempted: it waited
//     for the CPU) or a "throttled" slice (its grove was throttled meanwhile);
//   - on the events track, instants for crashes, respawns, give-ups, limit events, throttling, injected faults and
//     broken invariants, and a short slice for every message sent and delivered, joined by a flow arrow from the
//     send to its delivery (a message refused or still queued has no arrow, so every flow is closed).
std::string timeline_json(scenario::Trace const& trace, std::vector<StepRecord> const& steps);

} // namespace grove::runner

#pragma once
#include <sim/scenario/trace.hpp>

#include <string>
#include <vector>

namespace grove::runner {

// One trace event as a line a person reads (no newline): the time, the grove and generation, the kind and the
// fields as key=value (integers in decimal, addresses in hex, text quoted when it holds spaces; the register dump
// and the instruction bytes of a crash report are left to the JSON trace).
//        5ms  crasher#1   crashed            kind=fault exit_code=0 pc=0x401a2c address=0x0
std::string format_timeline_line(scenario::TraceEvent const& event);

// The first `limit` events as lines, each ending with '\n', and a last line saying how many were left out.
std::string format_timeline(std::vector<scenario::TraceEvent> const& events, usize limit);

} // namespace grove::runner

#pragma once
#include <core/trace/event.hpp>
#include <sim/scenario/trace.hpp>

#include <functional>
#include <string>

namespace grove::scenario {

// The trace event a core event stands for: its time, grove, generation and kind, then its fields in the order of
// for_each_event_field (core/trace/event_fields.hpp); the grove and every Grove field by the name name_of gives
// for the serial. The simulator's recorder and the reader of the bare-metal kernel's compact records both use it.
TraceEvent trace_event_of(Event const& event, std::function<std::string(u32 serial)> const& name_of);

} // namespace grove::scenario

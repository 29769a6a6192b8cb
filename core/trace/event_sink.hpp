#pragma once
#include <core/trace/event.hpp>

namespace grove {

// Where events go as they happen: a backend streams them (JSON lines in the simulator, the serial port on metal),
// a test records them. on_event is called once per event, in trace order, and must not call back into the code
// that emitted the event.
class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void on_event(Event const& event) = 0;

protected:
    EventSink() = default;
    EventSink(EventSink const&) = default;
    EventSink& operator=(EventSink const&) = default;
};

} // namespace grove

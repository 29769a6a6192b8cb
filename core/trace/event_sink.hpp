#pragma once
#include <core/trace/event_encoding.hpp>

namespace grove {

// Where events go as they happen: a backend streams them (JSON lines in the simulator, the serial port on metal),
// a test records them. on_event is called once per event, in trace order, and must not call back into the code
// that emitted the event.
class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void on_event(Event const& event) = 0;
    // The event with its canonical encoding, which the tracer made for the digest: a sink that writes the encoding
    // takes it from here instead of encoding the event again. By default on_event.
    virtual void on_encoded_event(Event const& event, EncodedEvent const& encoded) {
        (void)encoded;
        on_event(event);
    }

protected:
    EventSink() = default;
    EventSink(EventSink const&) = default;
    EventSink& operator=(EventSink const&) = default;
};

} // namespace grove

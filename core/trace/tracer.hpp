#pragma once
#include <core/trace/event_sink.hpp>
#include <core/trace/trace_digest.hpp>

namespace grove {

// The one event stream of a kernel: every emitted event goes into the running digest and then to the sink, if one
// is set. Owned by its emitter (the GroveManager); other parts of the kernel (IPC, faults, console) emit through
// the same Tracer so there is one digest. The sink is not owned and must outlive its installation.
class Tracer {
public:
    void set_sink(EventSink* sink) { m_sink = sink; }
    EventSink* sink() const { return m_sink; }

    void emit(Event const& event) {
        EncodedEvent const encoded = encode_event(event);
        m_digest.add(encoded);
        if (m_sink != nullptr) m_sink->on_encoded_event(event, encoded);
    }
    u64 digest() const { return m_digest.value(); }
    u64 count() const { return m_digest.count(); }

private:
    TraceDigest m_digest;
    EventSink* m_sink = nullptr;
};

} // namespace grove

#pragma once
#include <core/base/static_vector.hpp>
#include <core/trace/event_sink.hpp>

namespace grove {

// A sink that keeps the first N events in memory (for tests and for replay checks). Events beyond N are not kept
// but counted in dropped(), so a test can tell a short trace from a truncated one.
template<usize N>
class EventRecorder final : public EventSink {
public:
    void on_event(Event const& event) override {
        if (!m_events.push_back(event)) ++m_dropped;
    }

    usize size() const { return m_events.size(); }
    Event const& operator[](usize i) const { return m_events[i]; }
    Event const* begin() const { return m_events.begin(); }
    Event const* end() const { return m_events.end(); }
    u64 dropped() const { return m_dropped; }
    void clear() {
        m_events.clear();
        m_dropped = 0;
    }

    usize count(EventKind kind) const {
        usize n = 0;
        for (auto const& e : m_events)
            if (e.kind == kind) ++n;
        return n;
    }
    // The last recorded event of that kind, or null.
    Event const* last(EventKind kind) const {
        for (usize i = m_events.size(); i > 0; --i)
            if (m_events[i - 1].kind == kind) return &m_events[i - 1];
        return nullptr;
    }

private:
    StaticVector<Event, N> m_events;
    u64 m_dropped = 0;
};

} // namespace grove

#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/result.hpp>
#include <core/base/static_vector.hpp>
#include <core/grove/capacity.hpp>
#include <core/trace/event.hpp>

namespace grove {

// The groves (incarnations) that asked to hear about crashes and give-ups (a warden). Invariant: at most one entry
// per serial, in the order of subscription. The lifecycle drops an incarnation's entry when it ends.
class CrashSubscriptions {
public:
    // Subscribes `subscriber`; subscribing again is a no-op. NoCapacity when MaxGroves groves already are.
    Result<void> subscribe(GroveId subscriber) {
        if (index_of(subscriber.serial) < m_subscribers.size()) {
            m_subscribers[index_of(subscriber.serial)] = subscriber;
            return {};
        }
        if (!m_subscribers.push_back(subscriber)) return Error::NoCapacity;
        return {};
    }
    // False when the grove was not subscribed.
    bool unsubscribe(u32 serial) {
        usize const i = index_of(serial);
        if (i == m_subscribers.size()) return false;
        m_subscribers.erase_at(i);
        return true;
    }
    bool is_subscribed(u32 serial) const { return index_of(serial) < m_subscribers.size(); }
    usize size() const { return m_subscribers.size(); }

    // True for the events that are delivered to subscribers: crashed and gave_up.
    static constexpr bool is_notified(EventKind kind) {
        return kind == EventKind::Crashed || kind == EventKind::GaveUp;
    }

    // Calls f(GroveId subscriber) for every subscriber to notify of `event`, in subscription order: none unless the
    // event is crashed or gave_up, and never the grove the event is about.
    template<typename F>
    void for_each_recipient(Event const& event, F&& f) const {
        if (!is_notified(event.kind)) return;
        for (GroveId const& s : m_subscribers)
            if (s.serial != event.serial) f(s);
    }

private:
    usize index_of(u32 serial) const {
        for (usize i = 0; i < m_subscribers.size(); ++i)
            if (m_subscribers[i].serial == serial) return i;
        return m_subscribers.size();
    }

    StaticVector<GroveId, MaxGroves> m_subscribers;
};

// The message tag of a notice about `event` (abi::NotifyCrashed or abi::NotifyGaveUp); 0 for other kinds.
constexpr u32 crash_notice_tag(EventKind kind) {
    if (kind == EventKind::Crashed) return abi::NotifyCrashed;
    if (kind == EventKind::GaveUp) return abi::NotifyGaveUp;
    return 0;
}

// The payload of the notice about a crashed or gave_up event.
constexpr abi::CrashNotice make_crash_notice(Event const& event) {
    abi::CrashNotice n{};
    n.grove = event.serial;
    n.generation = event.generation;
    n.time = event.time.value;
    if (event.kind == EventKind::Crashed) {
        n.kind = static_cast<u32>(event.fields.crashed.kind);
        n.exit_code = event.fields.crashed.exit_code;
        n.pc = event.fields.crashed.pc;
        n.address = event.fields.crashed.address;
    }
    return n;
}

} // namespace grove

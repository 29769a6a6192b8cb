#pragma once
#include <core/trace/event.hpp>

namespace grove {

// One named field of an event, for backends that print events (JSON lines in the simulator, text on the serial
// port). `text` is set for Name fields (a kind's snake_case name), `value` for the others.
struct EventField {
    enum class Type : u8 { Unsigned, Signed, Hex, Name };
    char const* name;
    Type type;
    u64 value;
    char const* text;

    static constexpr EventField unsigned_(char const* name, u64 v) { return {name, Type::Unsigned, v, nullptr}; }
    static constexpr EventField signed_(char const* name, i64 v) {
        return {name, Type::Signed, static_cast<u64>(v), nullptr};
    }
    static constexpr EventField hex(char const* name, u64 v) { return {name, Type::Hex, v, nullptr}; }
    static constexpr EventField text_(char const* name, char const* t) { return {name, Type::Name, 0, t}; }
    constexpr i64 signed_value() const { return static_cast<i64>(value); }
};

// Calls f(EventField const&) for each field of the event's kind, in the order of the canonical encoding (the
// header fields time, serial and generation excluded).
template<typename F>
void for_each_event_field(Event const& e, F&& f) {
    auto const& x = e.fields;
    switch (e.kind) {
    case EventKind::Loaded:
        f(EventField::hex("entry", x.loaded.entry));
        f(EventField::unsigned_("memory", x.loaded.memory));
        break;
    case EventKind::Started:
    case EventKind::GaveUp: break;
    case EventKind::Stopping: f(EventField::unsigned_("deadline", x.stopping.deadline)); break;
    case EventKind::Stopped: f(EventField::signed_("exit_code", x.stopped.exit_code)); break;
    case EventKind::Crashed:
        f(EventField::text_("kind", crash_kind_name(x.crashed.kind)));
        f(EventField::signed_("exit_code", x.crashed.exit_code));
        f(EventField::hex("pc", x.crashed.pc));
        f(EventField::hex("address", x.crashed.address));
        break;
    case EventKind::RespawnScheduled: f(EventField::unsigned_("delay", x.respawn_scheduled.delay)); break;
    case EventKind::Respawned: f(EventField::unsigned_("generation", x.respawned.generation)); break;
    case EventKind::LimitExceeded:
        f(EventField::text_("resource", resource_name(x.limit_exceeded.resource)));
        f(EventField::unsigned_("requested", x.limit_exceeded.requested));
        f(EventField::unsigned_("limit", x.limit_exceeded.limit));
        break;
    case EventKind::CapabilityDenied:
        f(EventField::text_("capability", capability_kind_name(x.capability_denied.capability)));
        f(EventField::hex("detail", x.capability_denied.detail));
        break;
    case EventKind::Fault:
        f(EventField::text_("trap", trap_kind_name(x.fault.trap)));
        f(EventField::text_("access", access_name(x.fault.access)));
        f(EventField::text_("cause", fault_cause_name(x.fault.cause)));
        f(EventField::unsigned_("port", x.fault.port));
        f(EventField::hex("pc", x.fault.pc));
        f(EventField::hex("address", x.fault.address));
        f(EventField::hex("error_code", x.fault.error_code));
        break;
    case EventKind::Console:
        f(EventField::unsigned_("length", x.console.length));
        f(EventField::hex("hash", x.console.hash));
        break;
    case EventKind::MessageSent:
    case EventKind::MessageDelivered:
    case EventKind::MessageRefused:
        f(EventField::hex("word0", x.raw.word[0]));
        f(EventField::hex("word1", x.raw.word[1]));
        f(EventField::hex("word2", x.raw.word[2]));
        f(EventField::hex("word3", x.raw.word[3]));
        break;
    }
}

} // namespace grove

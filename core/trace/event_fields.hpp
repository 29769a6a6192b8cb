#pragma once
#include <core/elf/elf_check.hpp>
#include <core/trace/event.hpp>

namespace grove {

// One named field of an event, for backends that print events (JSON lines in the simulator, text on the serial
// port). `text` is set for Name fields (a kind's snake_case name), `value` for the others; a Grove field's value
// is a grove's serial, which a printer shows as the grove's name (serial 0, the kernel or no grove: "").
struct EventField {
    enum class Type : u8 { Unsigned, Signed, Hex, Name, Grove };
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
    static constexpr EventField grove(char const* name, u32 serial) { return {name, Type::Grove, serial, nullptr}; }
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
        f(EventField::grove("to", x.message_sent.to));
        f(EventField::hex("tag", x.message_sent.tag));
        f(EventField::unsigned_("priority", x.message_sent.priority));
        break;
    case EventKind::MessageDelivered:
        f(EventField::grove("from", x.message_delivered.from));
        f(EventField::hex("tag", x.message_delivered.tag));
        f(EventField::unsigned_("priority", x.message_delivered.priority));
        break;
    case EventKind::MessageRefused:
        f(EventField::grove("to", x.message_refused.to));
        f(EventField::hex("tag", x.message_refused.tag));
        f(EventField::unsigned_("priority", x.message_refused.priority));
        f(EventField::text_("reason", refusal_name(x.message_refused.reason)));
        break;
    case EventKind::GrantCreated:
        f(EventField::hex("grant", x.grant_created.grant));
        f(EventField::grove("peer", x.grant_created.peer));
        f(EventField::text_("rights", grant_rights_name(x.grant_created.rights)));
        f(EventField::hex("address", x.grant_created.address));
        f(EventField::unsigned_("length", x.grant_created.length));
        break;
    case EventKind::GrantRevoked:
        f(EventField::hex("grant", x.grant_revoked.grant));
        f(EventField::text_("cause", grant_end_name(x.grant_revoked.cause)));
        break;
    case EventKind::GrantCopied:
        f(EventField::hex("grant", x.grant_copied.grant));
        f(EventField::grove("granter", x.grant_copied.granter));
        f(EventField::text_("direction", grant_direction_name(x.grant_copied.direction)));
        f(EventField::unsigned_("offset", x.grant_copied.offset));
        f(EventField::unsigned_("length", x.grant_copied.length));
        break;
    case EventKind::GrantRefused:
        f(EventField::hex("grant", x.grant_refused.grant));
        f(EventField::text_("direction", grant_direction_name(x.grant_refused.direction)));
        f(EventField::unsigned_("offset", x.grant_refused.offset));
        f(EventField::unsigned_("length", x.grant_refused.length));
        f(EventField::text_("reason", grant_refusal_name(x.grant_refused.reason)));
        break;
    case EventKind::Interrupt:
        f(EventField::unsigned_("line", x.interrupt.line));
        f(EventField::text_("fate", interrupt_fate_name(x.interrupt.fate)));
        f(EventField::unsigned_("count", x.interrupt.count));
        break;
    case EventKind::ServiceControl:
        f(EventField::grove("target", x.service_control.target));
        f(EventField::text_("action", service_action_name(x.service_control.action)));
        f(EventField::text_("status", service_status_name(x.service_control.status)));
        f(EventField::text_("elf_check", x.service_control.elf_check == NoElfCheck
                                             ? "none"
                                             : elf_check_name(static_cast<ElfCheck>(x.service_control.elf_check))));
        break;
    }
}

} // namespace grove

#pragma once
#include <core/arch/trap.hpp>
#include <core/base/units.hpp>
#include <core/grant/grant.hpp>
#include <core/grove/capability_kind.hpp>
#include <core/grove/crash.hpp>
#include <core/grove/ids.hpp>
#include <core/grove/limits.hpp>
#include <core/ipc/refusal.hpp>

namespace grove {

// What happened. The numeric values are part of the canonical encoding (and so of every digest): append, never
// renumber. 1..31 belong to the grove lifecycle; 32..47 to IPC (one event per step of a message's accounting, so
// the digest covers every message); 48.. to the kernel (50..53: grants, one event per grant created or ended and
// per copy's fate; 54: interrupts; 55: service control).
enum class EventKind : u8 {
    Loaded = 1,
    Started = 2,
    Stopping = 3,
    Stopped = 4,
    Crashed = 5,
    RespawnScheduled = 6,
    Respawned = 7,
    GaveUp = 8,
    LimitExceeded = 9,
    CapabilityDenied = 10,
    MessageSent = 32,
    MessageDelivered = 33,
    MessageRefused = 34,
    Fault = 48,
    Console = 49,
    GrantCreated = 50,
    GrantRevoked = 51,
    GrantCopied = 52,
    GrantRefused = 53,
    Interrupt = 54,
    ServiceControl = 55,
};

constexpr char const* event_kind_name(EventKind k) {
    switch (k) {
    case EventKind::Loaded: return "loaded";
    case EventKind::Started: return "started";
    case EventKind::Stopping: return "stopping";
    case EventKind::Stopped: return "stopped";
    case EventKind::Crashed: return "crashed";
    case EventKind::RespawnScheduled: return "respawn_scheduled";
    case EventKind::Respawned: return "respawned";
    case EventKind::GaveUp: return "gave_up";
    case EventKind::LimitExceeded: return "limit_exceeded";
    case EventKind::CapabilityDenied: return "capability_denied";
    case EventKind::MessageSent: return "message_sent";
    case EventKind::MessageDelivered: return "message_delivered";
    case EventKind::MessageRefused: return "message_refused";
    case EventKind::Fault: return "fault";
    case EventKind::Console: return "console";
    case EventKind::GrantCreated: return "grant_created";
    case EventKind::GrantRevoked: return "grant_revoked";
    case EventKind::GrantCopied: return "grant_copied";
    case EventKind::GrantRefused: return "grant_refused";
    case EventKind::Interrupt: return "interrupt";
    case EventKind::ServiceControl: return "service_control";
    }
    return "unknown";
}

// True for the kinds the core emits: each has its factory in Event (loaded ... console).
constexpr bool is_emitted_kind(EventKind k) {
    switch (k) {
    case EventKind::MessageSent:
    case EventKind::MessageDelivered:
    case EventKind::MessageRefused:
    case EventKind::Loaded:
    case EventKind::Started:
    case EventKind::Stopping:
    case EventKind::Stopped:
    case EventKind::Crashed:
    case EventKind::RespawnScheduled:
    case EventKind::Respawned:
    case EventKind::GaveUp:
    case EventKind::LimitExceeded:
    case EventKind::CapabilityDenied:
    case EventKind::Fault:
    case EventKind::Console:
    case EventKind::GrantCreated:
    case EventKind::GrantRevoked:
    case EventKind::GrantCopied:
    case EventKind::GrantRefused:
    case EventKind::Interrupt: return true;
    case EventKind::ServiceControl: return true;
    }
    return false;
}

// The fields of each kind. Plain integers only, so an Event is trivially copyable and its encoding is explicit.
struct LoadedFields {
    u64 entry;  // the image's entry point
    u64 memory; // bytes mapped for the incarnation (image, stack, arguments page)
};
struct StoppingFields {
    u64 deadline; // virtual time at which the grove is killed if it has not exited
};
struct StoppedFields {
    i32 exit_code;
};
struct CrashedFields {
    CrashKind kind;
    i32 exit_code;
    u64 pc;
    u64 address;
};
struct RespawnScheduledFields {
    u64 delay; // ticks from the event's time to the respawn
};
struct RespawnedFields {
    u32 generation; // of the new incarnation
};
struct LimitExceededFields {
    Resource resource;
    u64 requested; // what the grove would have used (bytes, threads, CPU ticks in the period, messages)
    u64 limit;     // its limit in the same unit (for IPC rate: messages per second)
};
struct CapabilityDeniedFields {
    CapabilityKind capability;
    u64 detail; // what was asked for: a port, a physical address, 0 when nothing more
};
struct FaultFields {
    TrapKind trap;    // what the CPU (or the emulator) reported
    Access access;    // page faults: the access that faulted
    FaultCause cause; // general protection: privileged instruction, I/O port, or unknown
    u16 port;         // cause IoPort: the port
    u64 pc;
    u64 address; // page faults: the faulting address
    u64 error_code;
};
struct ConsoleFields {
    u64 length; // bytes written
    u64 hash;   // FNV-1a 64 of the bytes, so the digest covers what groves print
};
// The IPC events. The event's grove is the sender for message_sent and message_refused (serial 0: the kernel) and
// the recipient for message_delivered; `to` and `from` are the other side's serial (0: the kernel, or no grove
// for a send to an endpoint that is gone). `tag` and `priority` are the message's, as sent.
struct MessageSentFields {
    u32 to;
    u32 tag;
    u8 priority;
};
struct MessageDeliveredFields {
    u32 from;
    u32 tag;
    u8 priority;
};
struct MessageRefusedFields {
    u32 to;
    u32 tag;
    u8 priority;
    Refusal reason;
};
// The grant events. The event's grove is the granter for grant_created and grant_revoked, the copying grove for
// grant_copied and grant_refused; `grant` is the id as groves see it.
struct GrantCreatedFields {
    u64 grant;
    u32 peer; // serial
    GrantRights rights;
    u64 address;
    u64 length;
};
struct GrantRevokedFields {
    u64 grant;
    GrantEnd cause;
};
struct GrantCopiedFields {
    u64 grant;
    u32 granter; // serial
    GrantDirection direction;
    u64 offset;
    u64 length;
};
struct GrantRefusedFields {
    u64 grant;
    GrantDirection direction;
    u64 offset;
    u64 length;
    GrantRefusal reason;
};

// What the kernel did with an interrupt it took (core/abi/syscall.hpp, "Interrupts").
enum class InterruptFate : u8 {
    Delivered = 0, // the owner's thread waiting in IrqWait woke with it
    Pending = 1,   // the owner was not waiting: counted, the next IrqWait returns at once
    Unowned = 2,   // no grove owns the line: counted on the line, which stays masked
    Dropped = 3,   // the owner ended with `count` interrupts it never took
};

constexpr char const* interrupt_fate_name(InterruptFate f) {
    switch (f) {
    case InterruptFate::Delivered: return "delivered";
    case InterruptFate::Pending: return "pending";
    case InterruptFate::Unowned: return "unowned";
    case InterruptFate::Dropped: return "dropped";
    }
    return "unknown";
}

// The event's grove is the line's owner (serial 0 for an unowned line).
struct InterruptFields {
    u8 line;
    InterruptFate fate;
    u32 count; // delivered: what IrqWait returns; pending: counted so far; unowned: on the line so far; dropped
};
// What a grove asked of another through service control (core/abi/syscall.hpp, ServiceStart...).
enum class ServiceAction : u8 { Start = 0, Stop = 1, Restart = 2, Load = 3 };

constexpr char const* service_action_name(ServiceAction a) {
    switch (a) {
    case ServiceAction::Start: return "start";
    case ServiceAction::Stop: return "stop";
    case ServiceAction::Restart: return "restart";
    case ServiceAction::Load: return "load";
    }
    return "unknown";
}

// How a service control request ended: ok, or the status the caller got, in snake_case.
constexpr char const* service_status_name(u8 status) {
    if (status == 0) return "ok";
    switch (static_cast<Error>(status)) {
    case Error::InvalidArgument: return "invalid_argument";
    case Error::NotFound: return "not_found";
    case Error::AlreadyExists: return "already_exists";
    case Error::NoCapacity: return "no_capacity";
    case Error::LimitExceeded: return "limit_exceeded";
    case Error::BadHandle: return "bad_handle";
    case Error::AccessDenied: return "access_denied";
    case Error::WouldBlock: return "would_block";
    case Error::PeerClosed: return "peer_closed";
    case Error::InvalidState: return "invalid_state";
    case Error::OutOfMemory: return "out_of_memory";
    case Error::TimedOut: return "timed_out";
    case Error::OverCommitted: return "over_committed";
    }
    return "unknown";
}

// The event's grove is the controlling grove; `target` the controlled one's serial (0 when no grove has the name).
struct ServiceControlFields {
    u32 target;
    ServiceAction action;
    u8 status;    // 0, or the Error the caller got
    u8 elf_check; // Load refused by the ELF loader: the ElfCheck that failed; NoElfCheck otherwise
};
inline constexpr u8 NoElfCheck = 0xff;
struct RawFields {
    u64 word[4];
};

// One event of the trace: kind, virtual time, the grove (serial and generation) and the kind's fields. Only the
// member of `fields` named after the kind is meaningful; the named constructors are the way to build one.
struct Event {
    EventKind kind = EventKind::Loaded;
    Ticks time{};
    u32 serial = 0;
    u32 generation = 0;
    union Fields {
        RawFields raw;
        LoadedFields loaded;
        StoppingFields stopping;
        StoppedFields stopped;
        CrashedFields crashed;
        RespawnScheduledFields respawn_scheduled;
        RespawnedFields respawned;
        LimitExceededFields limit_exceeded;
        CapabilityDeniedFields capability_denied;
        FaultFields fault;
        ConsoleFields console;
        MessageSentFields message_sent;
        MessageDeliveredFields message_delivered;
        MessageRefusedFields message_refused;
        GrantCreatedFields grant_created;
        GrantRevokedFields grant_revoked;
        GrantCopiedFields grant_copied;
        GrantRefusedFields grant_refused;
        InterruptFields interrupt;
        ServiceControlFields service_control;
    } fields{.raw = {}};

    GroveId grove() const { return GroveId{serial, generation}; }

    static Event make(EventKind kind, Ticks time, GroveId grove) {
        Event e;
        e.kind = kind;
        e.time = time;
        e.serial = grove.serial;
        e.generation = grove.generation;
        return e;
    }
    static Event loaded(Ticks time, GroveId grove, VirtAddr entry, Bytes memory) {
        Event e = make(EventKind::Loaded, time, grove);
        e.fields.loaded = LoadedFields{entry.value, memory.value};
        return e;
    }
    static Event started(Ticks time, GroveId grove) { return make(EventKind::Started, time, grove); }
    static Event stopping(Ticks time, GroveId grove, Ticks deadline) {
        Event e = make(EventKind::Stopping, time, grove);
        e.fields.stopping = StoppingFields{deadline.value};
        return e;
    }
    static Event stopped(Ticks time, GroveId grove, i32 exit_code) {
        Event e = make(EventKind::Stopped, time, grove);
        e.fields.stopped = StoppedFields{exit_code};
        return e;
    }
    static Event crashed(Ticks time, GroveId grove, Crash const& crash) {
        Event e = make(EventKind::Crashed, time, grove);
        e.fields.crashed = CrashedFields{crash.kind, crash.exit_code, crash.pc, crash.address};
        return e;
    }
    static Event respawn_scheduled(Ticks time, GroveId grove, Ticks delay) {
        Event e = make(EventKind::RespawnScheduled, time, grove);
        e.fields.respawn_scheduled = RespawnScheduledFields{delay.value};
        return e;
    }
    static Event respawned(Ticks time, GroveId grove) {
        Event e = make(EventKind::Respawned, time, grove);
        e.fields.respawned = RespawnedFields{grove.generation};
        return e;
    }
    static Event gave_up(Ticks time, GroveId grove) { return make(EventKind::GaveUp, time, grove); }
    static Event limit_exceeded(Ticks time, GroveId grove, Resource resource, u64 requested, u64 limit) {
        Event e = make(EventKind::LimitExceeded, time, grove);
        e.fields.limit_exceeded = LimitExceededFields{resource, requested, limit};
        return e;
    }
    static Event capability_denied(Ticks time, GroveId grove, CapabilityKind capability, u64 detail) {
        Event e = make(EventKind::CapabilityDenied, time, grove);
        e.fields.capability_denied = CapabilityDeniedFields{capability, detail};
        return e;
    }
    static Event fault(Ticks time, GroveId grove, Trap const& trap) {
        Event e = make(EventKind::Fault, time, grove);
        e.fields.fault = FaultFields{trap.kind, trap.fault.access,  trap.fault.cause,     trap.fault.port,
                                     trap.pc,   trap.fault.address, trap.fault.error_code};
        return e;
    }
    static Event console(Ticks time, GroveId grove, u64 length, u64 hash) {
        Event e = make(EventKind::Console, time, grove);
        e.fields.console = ConsoleFields{length, hash};
        return e;
    }
    static Event message_sent(Ticks time, GroveId sender, u32 to, u32 tag, u8 priority) {
        Event e = make(EventKind::MessageSent, time, sender);
        e.fields.message_sent = MessageSentFields{to, tag, priority};
        return e;
    }
    static Event message_delivered(Ticks time, GroveId recipient, u32 from, u32 tag, u8 priority) {
        Event e = make(EventKind::MessageDelivered, time, recipient);
        e.fields.message_delivered = MessageDeliveredFields{from, tag, priority};
        return e;
    }
    static Event message_refused(Ticks time, GroveId sender, u32 to, u32 tag, u8 priority, Refusal reason) {
        Event e = make(EventKind::MessageRefused, time, sender);
        e.fields.message_refused = MessageRefusedFields{to, tag, priority, reason};
        return e;
    }
    static Event grant_created(Ticks time, GroveId granter, u64 grant, Grant const& g) {
        Event e = make(EventKind::GrantCreated, time, granter);
        e.fields.grant_created = GrantCreatedFields{grant, g.peer, g.rights, g.base.value, g.length.value};
        return e;
    }
    static Event grant_revoked(Ticks time, GroveId granter, u64 grant, GrantEnd cause) {
        Event e = make(EventKind::GrantRevoked, time, granter);
        e.fields.grant_revoked = GrantRevokedFields{grant, cause};
        return e;
    }
    static Event grant_copied(Ticks time, GroveId peer, u64 grant, u32 granter, GrantDirection direction, u64 offset,
                              u64 length) {
        Event e = make(EventKind::GrantCopied, time, peer);
        e.fields.grant_copied = GrantCopiedFields{grant, granter, direction, offset, length};
        return e;
    }
    static Event grant_refused(Ticks time, GroveId caller, u64 grant, GrantDirection direction, u64 offset, u64 length,
                               GrantRefusal reason) {
        Event e = make(EventKind::GrantRefused, time, caller);
        e.fields.grant_refused = GrantRefusedFields{grant, direction, offset, length, reason};
        return e;
    }
    static Event interrupt(Ticks time, GroveId owner, u8 line, InterruptFate fate, u32 count) {
        Event e = make(EventKind::Interrupt, time, owner);
        e.fields.interrupt = InterruptFields{line, fate, count};
        return e;
    }
    static Event service_control(Ticks time, GroveId caller, u32 target, ServiceAction action, u8 status,
                                 u8 elf_check = NoElfCheck) {
        Event e = make(EventKind::ServiceControl, time, caller);
        e.fields.service_control = ServiceControlFields{target, action, status, elf_check};
        return e;
    }
    // Four raw words under any kind (for tests of the encoding).
    static Event raw(EventKind kind, Ticks time, GroveId grove, u64 w0, u64 w1 = 0, u64 w2 = 0, u64 w3 = 0) {
        Event e = make(kind, time, grove);
        e.fields.raw = RawFields{{w0, w1, w2, w3}};
        return e;
    }
};

} // namespace grove

#include <core/base/assert.hpp>
#include <core/trace/event_encoding.hpp>

namespace grove {

namespace {

class Writer {
public:
    explicit Writer(EncodedEvent& out) : m_out(out) { m_out.size = 0; }
    void u8_(u8 v) { put(v, 1); }
    void u32_(u32 v) { put(v, 4); }
    void i32_(i32 v) { put(static_cast<u32>(v), 4); }
    void u64_(u64 v) { put(v, 8); }

private:
    void put(u64 v, usize bytes) {
        GROVE_ASSERT(m_out.size + bytes <= MaxEncodedEventSize);
        for (usize i = 0; i < bytes; ++i) m_out.bytes[m_out.size++] = static_cast<u8>(v >> (8 * i));
    }
    EncodedEvent& m_out;
};

} // namespace

EncodedEvent encode_event(Event const& e) {
    EncodedEvent out{};
    Writer w(out);
    w.u8_(static_cast<u8>(e.kind));
    w.u64_(e.time.value);
    w.u32_(e.serial);
    w.u32_(e.generation);
    auto const& f = e.fields;
    switch (e.kind) {
    case EventKind::Loaded:
        w.u64_(f.loaded.entry);
        w.u64_(f.loaded.memory);
        break;
    case EventKind::Started:
    case EventKind::GaveUp: break;
    case EventKind::Stopping: w.u64_(f.stopping.deadline); break;
    case EventKind::Stopped: w.i32_(f.stopped.exit_code); break;
    case EventKind::Crashed:
        w.u8_(static_cast<u8>(f.crashed.kind));
        w.i32_(f.crashed.exit_code);
        w.u64_(f.crashed.pc);
        w.u64_(f.crashed.address);
        break;
    case EventKind::RespawnScheduled: w.u64_(f.respawn_scheduled.delay); break;
    case EventKind::Respawned: w.u32_(f.respawned.generation); break;
    case EventKind::LimitExceeded:
        w.u8_(static_cast<u8>(f.limit_exceeded.resource));
        w.u64_(f.limit_exceeded.requested);
        w.u64_(f.limit_exceeded.limit);
        break;
    case EventKind::CapabilityDenied:
        w.u8_(static_cast<u8>(f.capability_denied.capability));
        w.u64_(f.capability_denied.detail);
        break;
    case EventKind::Fault:
        w.u8_(static_cast<u8>(f.fault.trap));
        w.u8_(static_cast<u8>(f.fault.access));
        w.u8_(static_cast<u8>(f.fault.cause));
        w.u64_(f.fault.port);
        w.u64_(f.fault.pc);
        w.u64_(f.fault.address);
        w.u64_(f.fault.error_code);
        break;
    case EventKind::Console:
        w.u64_(f.console.length);
        w.u64_(f.console.hash);
        break;
    case EventKind::MessageSent:
        w.u32_(f.message_sent.to);
        w.u32_(f.message_sent.tag);
        w.u8_(f.message_sent.priority);
        break;
    case EventKind::MessageDelivered:
        w.u32_(f.message_delivered.from);
        w.u32_(f.message_delivered.tag);
        w.u8_(f.message_delivered.priority);
        break;
    case EventKind::MessageRefused:
        w.u32_(f.message_refused.to);
        w.u32_(f.message_refused.tag);
        w.u8_(f.message_refused.priority);
        w.u8_(static_cast<u8>(f.message_refused.reason));
        break;
    case EventKind::GrantCreated:
        w.u64_(f.grant_created.grant);
        w.u32_(f.grant_created.peer);
        w.u8_(static_cast<u8>(f.grant_created.rights));
        w.u64_(f.grant_created.address);
        w.u64_(f.grant_created.length);
        break;
    case EventKind::GrantRevoked:
        w.u64_(f.grant_revoked.grant);
        w.u8_(static_cast<u8>(f.grant_revoked.cause));
        break;
    case EventKind::GrantCopied:
        w.u64_(f.grant_copied.grant);
        w.u32_(f.grant_copied.granter);
        w.u8_(static_cast<u8>(f.grant_copied.direction));
        w.u64_(f.grant_copied.offset);
        w.u64_(f.grant_copied.length);
        break;
    case EventKind::GrantRefused:
        w.u64_(f.grant_refused.grant);
        w.u8_(static_cast<u8>(f.grant_refused.direction));
        w.u64_(f.grant_refused.offset);
        w.u64_(f.grant_refused.length);
        w.u8_(static_cast<u8>(f.grant_refused.reason));
        break;
    case EventKind::Interrupt:
        w.u8_(f.interrupt.line);
        w.u8_(static_cast<u8>(f.interrupt.fate));
        w.u32_(f.interrupt.count);
        break;
    case EventKind::ServiceControl:
        w.u32_(f.service_control.target);
        w.u8_(static_cast<u8>(f.service_control.action));
        w.u8_(f.service_control.status);
        w.u8_(f.service_control.elf_check);
        break;
    }
    return out;
}

} // namespace grove

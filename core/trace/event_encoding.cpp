#include <core/base/assert.hpp>
#include <core/trace/event_encoding.hpp>

namespace grove {

namespace {

// Writes each field as W, little-endian: one store per field on a little-endian machine (every event is encoded
// for the digest as it is emitted, two per message of an IPC stream).
class Writer {
public:
    explicit Writer(EncodedEvent& out) : m_out(out) { m_out.size = 0; }
    template<typename W, typename T>
    void field(T const& value) {
        GROVE_ASSERT(m_out.size + sizeof(W) <= MaxEncodedEventSize);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        W const bits = static_cast<W>(value);
        __builtin_memcpy(m_out.bytes + m_out.size, &bits, sizeof(W));
        m_out.size += sizeof(W);
#else
        u64 const bits = static_cast<u64>(static_cast<W>(value));
        for (usize i = 0; i < sizeof(W); ++i) m_out.bytes[m_out.size++] = static_cast<u8>(bits >> (8 * i));
#endif
    }

private:
    EncodedEvent& m_out;
};

// Reads each field as W; past the end it reads nothing more and remembers the overrun.
class Reader {
public:
    Reader(u8 const* bytes, usize size) : m_bytes(bytes), m_size(size) {}
    template<typename W, typename T>
    void field(T& value) {
        if (m_size - m_at < sizeof(W)) {
            m_overrun = true;
            return;
        }
        u64 bits = 0;
        for (usize i = 0; i < sizeof(W); ++i) bits |= u64{m_bytes[m_at++]} << (8 * i);
        value = static_cast<T>(static_cast<W>(bits));
    }
    // Every byte read, and not one more.
    bool exact() const { return !m_overrun && m_at == m_size; }

private:
    u8 const* m_bytes;
    usize m_size;
    usize m_at = 0;
    bool m_overrun = false;
};

// The header and the kind's fields, in the order of the encoding (event_encoding.hpp), for a Writer (E is
// Event const) or a Reader (Event). False for a kind the encoding does not know.
template<typename Io, typename E>
bool transfer(Io& io, E& e) {
    io.template field<u8>(e.kind);
    io.template field<u64>(e.time.value);
    io.template field<u32>(e.serial);
    io.template field<u32>(e.generation);
    auto& f = e.fields;
    switch (e.kind) {
    case EventKind::Loaded:
        io.template field<u64>(f.loaded.entry);
        io.template field<u64>(f.loaded.memory);
        return true;
    case EventKind::Started:
    case EventKind::GaveUp: return true;
    case EventKind::Stopping: io.template field<u64>(f.stopping.deadline); return true;
    case EventKind::Stopped: io.template field<u32>(f.stopped.exit_code); return true;
    case EventKind::Crashed:
        io.template field<u8>(f.crashed.kind);
        io.template field<u32>(f.crashed.exit_code);
        io.template field<u64>(f.crashed.pc);
        io.template field<u64>(f.crashed.address);
        return true;
    case EventKind::RespawnScheduled: io.template field<u64>(f.respawn_scheduled.delay); return true;
    case EventKind::Respawned: io.template field<u32>(f.respawned.generation); return true;
    case EventKind::LimitExceeded:
        io.template field<u8>(f.limit_exceeded.resource);
        io.template field<u64>(f.limit_exceeded.requested);
        io.template field<u64>(f.limit_exceeded.limit);
        return true;
    case EventKind::CapabilityDenied:
        io.template field<u8>(f.capability_denied.capability);
        io.template field<u64>(f.capability_denied.detail);
        return true;
    case EventKind::Fault:
        io.template field<u8>(f.fault.trap);
        io.template field<u8>(f.fault.access);
        io.template field<u8>(f.fault.cause);
        io.template field<u64>(f.fault.port);
        io.template field<u64>(f.fault.pc);
        io.template field<u64>(f.fault.address);
        io.template field<u64>(f.fault.error_code);
        return true;
    case EventKind::Console:
        io.template field<u64>(f.console.length);
        io.template field<u64>(f.console.hash);
        return true;
    case EventKind::MessageSent:
        io.template field<u32>(f.message_sent.to);
        io.template field<u32>(f.message_sent.tag);
        io.template field<u8>(f.message_sent.priority);
        return true;
    case EventKind::MessageDelivered:
        io.template field<u32>(f.message_delivered.from);
        io.template field<u32>(f.message_delivered.tag);
        io.template field<u8>(f.message_delivered.priority);
        return true;
    case EventKind::MessageRefused:
        io.template field<u32>(f.message_refused.to);
        io.template field<u32>(f.message_refused.tag);
        io.template field<u8>(f.message_refused.priority);
        io.template field<u8>(f.message_refused.reason);
        return true;
    case EventKind::GrantCreated:
        io.template field<u64>(f.grant_created.grant);
        io.template field<u32>(f.grant_created.peer);
        io.template field<u8>(f.grant_created.rights);
        io.template field<u64>(f.grant_created.address);
        io.template field<u64>(f.grant_created.length);
        return true;
    case EventKind::GrantRevoked:
        io.template field<u64>(f.grant_revoked.grant);
        io.template field<u8>(f.grant_revoked.cause);
        return true;
    case EventKind::GrantCopied:
        io.template field<u64>(f.grant_copied.grant);
        io.template field<u32>(f.grant_copied.granter);
        io.template field<u8>(f.grant_copied.direction);
        io.template field<u64>(f.grant_copied.offset);
        io.template field<u64>(f.grant_copied.length);
        return true;
    case EventKind::GrantRefused:
        io.template field<u64>(f.grant_refused.grant);
        io.template field<u8>(f.grant_refused.direction);
        io.template field<u64>(f.grant_refused.offset);
        io.template field<u64>(f.grant_refused.length);
        io.template field<u8>(f.grant_refused.reason);
        return true;
    case EventKind::Interrupt:
        io.template field<u8>(f.interrupt.line);
        io.template field<u8>(f.interrupt.fate);
        io.template field<u32>(f.interrupt.count);
        return true;
    case EventKind::ServiceControl:
        io.template field<u32>(f.service_control.target);
        io.template field<u8>(f.service_control.action);
        io.template field<u8>(f.service_control.status);
        io.template field<u8>(f.service_control.elf_check);
        return true;
    }
    return false;
}

} // namespace

EncodedEvent encode_event(Event const& event) {
    EncodedEvent out{};
    Writer writer(out);
    // An event of a kind without fields in the encoding is its header alone (an emitted kind never is).
    (void)transfer(writer, event);
    return out;
}

Result<Event> decode_event(u8 const* bytes, usize size) {
    Event event;
    Reader reader(bytes, size);
    if (!transfer(reader, event) || !reader.exact() || !is_emitted_kind(event.kind)) return Error::InvalidArgument;
    // A field narrower than its place (a fault's port) takes only its own bits: bytes that encode_event would not
    // write for this event are no encoding of it.
    EncodedEvent const again = encode_event(event);
    for (usize i = 0; i < size; ++i)
        if (again.bytes[i] != bytes[i]) return Error::InvalidArgument;
    return event;
}

} // namespace grove

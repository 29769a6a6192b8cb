#include <arch_x86_64/plan/serial_trace.hpp>
#include <arch_x86_64/platform/cpu.hpp>
#include <arch_x86_64/platform/serial.hpp>
#include <core/trace/compact_record.hpp>
#include <core/trace/event_fields.hpp>
#include <core/trace/runner_events.hpp>

namespace grove::metal {

namespace {
constexpr char HexDigits[] = "0123456789abcdef";
} // namespace

void SerialTrace::Output::put(char const* text, usize length) {
    if (length > Capacity - m_length) {
        flush();
        if (length > Capacity) {
            Serial::write_raw(text, length);
            return;
        }
    }
    cpu::copy_memory(m_bytes + m_length, text, length);
    m_length += length;
}

void SerialTrace::Output::put_decimal(u64 value) {
    // Two digits per division, written from the end: the digits of Decimal, at about half its instructions.
    static constexpr char Pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                    "8081828384858687888990919293949596979899";
    char digits[20];
    usize start = sizeof digits;
    while (value >= 100) {
        u64 const pair = (value % 100) * 2;
        value /= 100;
        digits[--start] = Pairs[pair + 1];
        digits[--start] = Pairs[pair];
    }
    if (value >= 10) {
        digits[--start] = Pairs[value * 2 + 1];
        digits[--start] = Pairs[value * 2];
    } else {
        digits[--start] = static_cast<char>('0' + value);
    }
    put(digits + start, sizeof digits - start);
}

void SerialTrace::Output::put_string(char const* text, usize length) {
    put('"');
    // Grove names and the trace's words need no escape: they go out as they are, in one copy.
    usize plain = 0;
    for (; plain < length; ++plain) {
        char const c = text[plain];
        if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) break;
    }
    put(text, plain);
    for (usize i = plain; i < length; ++i) {
        char const c = text[i];
        if (c == '"' || c == '\\') {
            put('\\');
            put(c);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char const escaped[6] = {'\\', 'u', '0', '0', HexDigits[(c >> 4) & 0xf], HexDigits[c & 0xf]};
            put(escaped, 6);
        } else {
            put(c);
        }
    }
    put('"');
}

void SerialTrace::Output::put_key(char const* key) {
    // The keys are the trace's own snake_case words (event_fields.hpp): nothing to escape.
    put(',');
    put('"');
    for (; *key != '\0'; ++key) put(*key);
    put('"');
    put(':');
}

void SerialTrace::Output::put_counters(IpcCounters const& ipc, bool leading_comma) {
    if (leading_comma) put(',');
    put("\"sent\":");
    put_decimal(ipc.sent);
    put_unsigned_field("delivered", ipc.delivered);
    put_unsigned_field("refused", ipc.refused_total());
    put_unsigned_field("queued", ipc.queued);
}

void SerialTrace::Output::flush() {
    Serial::write_raw(m_bytes, m_length);
    m_length = 0;
}

GroveName SerialTrace::name_of(GroveId grove) const {
    Grove const* g = m_kernel.manager().registry().find_serial(grove.serial);
    return g == nullptr ? GroveName{} : g->name();
}

void SerialTrace::tell_name(u32 serial) {
    if (serial == 0) return;
    u32& told = m_told[serial % ToldCapacity];
    if (told == serial) return;
    told = serial;
    GroveName const name = name_of(GroveId{serial, 0});
    u8 record[sizeof(u32) + MaxGroveNameLength];
    for (usize i = 0; i < sizeof(u32); ++i) record[i] = static_cast<u8>(serial >> (8 * i));
    cpu::copy_memory(record + sizeof(u32), name.c_str(), name.length());
    write_record(compact::NameTag, record, sizeof(u32) + name.length());
}

void SerialTrace::write_record(char tag, u8 const* bytes, usize size) {
    GROVE_ASSERT(size <= MaxRecordBytes);
    // Straight to the port, the header and then the bytes where they are: m_out holds nothing between lines.
    char const header[compact::HeaderSize] = {compact::Mark, tag, static_cast<char>(size)};
    Serial::write_raw(header, sizeof header);
    Serial::write_raw(reinterpret_cast<char const*>(bytes), size);
}

void SerialTrace::tell_names(Event const& event) {
    u64 const changes = m_kernel.manager().registry().changes();
    if (changes != m_told_changes) { // a serial may name another grove, or none, since
        for (u32& told : m_told) told = 0;
        m_told_changes = changes;
    }
    tell_name(event.serial);
    for_each_event_field(event, [this](EventField const& field) {
        if (field.type == EventField::Type::Grove) tell_name(static_cast<u32>(field.value));
    });
}

void SerialTrace::begin_line(Ticks time, GroveName const& name, u32 generation, char const* kind) {
    m_arch.finish_console_line();
    m_out.put("{\"t\":");
    m_out.put_decimal(time.value);
    m_out.put(",\"grove\":");
    m_out.put_string(name.c_str(), name.length());
    m_out.put_unsigned_field("gen", name.is_empty() ? 0 : generation);
    m_out.put_key("event");
    m_out.put_string(kind);
}

void SerialTrace::end_line() {
    m_out.put("}\r\n");
    m_out.flush();
}

namespace {

// Whether going over this limit makes the grove wait rather than fail (CPU cannot be refused); as the simulator's
// recorder decides it.
bool waits(Resource resource, ViolationPolicy policy) {
    if (policy == ViolationPolicy::Kill) return false;
    if (resource == Resource::Cpu) return true;
    return resource == Resource::IpcRate && policy == ViolationPolicy::Throttle;
}

} // namespace

void SerialTrace::write_event(Event const& event, EncodedEvent const& encoded) {
    m_arch.finish_console_line();
    tell_names(event);
    write_record(compact::EventTag, encoded.bytes, encoded.size);

    if (event.kind != EventKind::LimitExceeded) return;
    Grove const* grove = m_kernel.manager().registry().find_serial(event.serial);
    Resource const resource = event.fields.limit_exceeded.resource;
    if (grove == nullptr || !waits(resource, grove->spec.limits.policy)) return;
    begin_line(event.time, grove->name(), event.generation, runner_event::Throttled);
    m_out.put_key("reason");
    m_out.put_string(resource_name(resource));
    end_line();
}

bool SerialTrace::hold(Held const& held) {
    if (!m_holding) return false;
    if (m_held.push_back(held)) return true;
    // More than the buffer holds: the announcement goes out without its result, the rest as it comes.
    write_announcement(nullptr);
    for (Held const& earlier : m_held) write_held(earlier);
    m_held.clear();
    m_holding = false;
    return false;
}

void SerialTrace::write_held(Held const& held) {
    if (held.is_spawn_failure) write_spawn_failed(held.event.time, held.name, held.error);
    else write_event(held.event);
}

void SerialTrace::on_event(Event const& event) { on_encoded_event(event, encode_event(event)); }

void SerialTrace::on_encoded_event(Event const& event, EncodedEvent const& encoded) {
    if (!m_holding) {
        write_event(event, encoded);
        return;
    }
    Held held;
    held.event = event;
    if (!hold(held)) write_event(event, encoded);
}

void SerialTrace::write_announcement(char const* result) {
    Announcement const& a = m_announcement;
    begin_line(a.time, a.name, a.grove.generation, a.kind);
    for (Announcement::Field const& field : a.fields) {
        if (field.key == nullptr) continue;
        if (field.text != nullptr) {
            m_out.put_key(field.key);
            m_out.put_string(field.text);
        } else {
            m_out.put_unsigned_field(field.key, field.value);
        }
    }
    if (result != nullptr) {
        m_out.put_key("result");
        m_out.put_string(result);
    }
    end_line();
}

void SerialTrace::announce(Announcement const& announcement) {
    m_announcement = announcement;
    m_held.clear();
    m_holding = true;
}

void SerialTrace::settle(Result<void> const& result) {
    if (!m_holding) return; // already written, without a result
    m_holding = false;
    write_announcement(result.has_value() ? "ok" : error_name(result.error()));
    for (Held const& held : m_held) write_held(held);
    m_held.clear();
}

void SerialTrace::spawn_failed(Ticks time, GroveName const& name, Error error) {
    Held held;
    held.event.time = time;
    held.is_spawn_failure = true;
    held.name = name;
    held.error = error;
    if (!hold(held)) write_spawn_failed(time, name, error);
}

void SerialTrace::write_spawn_failed(Ticks time, GroveName const& name, Error error) {
    begin_line(time, name, 0, event_kind_name(EventKind::Crashed));
    m_out.put_key("kind");
    m_out.put_string(crash_kind_name(CrashKind::SpawnFailed));
    m_out.put_key("error");
    m_out.put_string(error_name(error));
    end_line();
}

void SerialTrace::final_counters(Ticks end_time, PageCount held_pages) {
    m_arch.finish_console_line();
    m_out.put("{\"final\":{\"t\":");
    m_out.put_decimal(end_time.value);
    char digest[16];
    u64 const value = m_kernel.digest();
    for (usize i = 0; i < 16; ++i) digest[i] = HexDigits[(value >> (60 - 4 * i)) & 0xf];
    m_out.put_key("digest");
    m_out.put_string(digest, 16);

    IpcCounters overall;
    for (u8 slot = 0; slot < IpcLedger::GroveCapacity; ++slot) {
        IpcCounters const& c = m_kernel.ipc().grove_counters(slot);
        overall.sent += c.sent;
        overall.delivered += c.delivered;
        overall.queued += c.queued;
        for (usize r = 0; r < RefusalCount; ++r) overall.refused[r] += c.refused[r];
    }
    m_out.put(",\"overall\":{");
    m_out.put_counters(overall, false);
    m_out.put("},\"groves\":[");
    bool first = true;
    m_kernel.manager().registry().for_each([&](Grove const& g) {
        if (!first) m_out.put(",");
        first = false;
        m_out.put("{\"grove\":");
        m_out.put_string(g.name().c_str(), g.name().length());
        m_out.put_key("state");
        m_out.put_string(grove_state_name(g.state));
        m_out.put_unsigned_field("crashes", g.crashes);
        m_out.put_unsigned_field("respawns", g.history.respawns());
        m_out.put_counters(m_kernel.ipc().grove_counters(g.slot), true);
        m_out.put("}");
    });
    m_out.put("],\"memory\":{\"frames\":");
    m_out.put_decimal(m_arch.managed_pages().value);
    m_out.put_unsigned_field("free", m_arch.free_pages().value);
    m_out.put_unsigned_field("held", held_pages.value);
    m_out.put("}");
    GrantTable const& grants = m_kernel.grants();
    Kernel::GrantCopyCounters const& copies = m_kernel.grant_copies();
    if (grants.created() != 0 || copies.asked != 0) { // as the simulator: only a run that used grants
        m_out.put(",\"grants\":{\"created\":");
        m_out.put_decimal(grants.created());
        m_out.put_unsigned_field("ended", grants.ended());
        m_out.put_unsigned_field("live", grants.live());
        m_out.put_unsigned_field("copies", copies.asked);
        m_out.put_unsigned_field("copied", copies.copied);
        m_out.put_unsigned_field("refused", copies.refused);
        m_out.put("}");
    }
    m_out.put("}}\r\n");
    m_out.flush();
}

} // namespace grove::metal

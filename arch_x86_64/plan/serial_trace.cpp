#include <arch_x86_64/plan/serial_trace.hpp>
#include <arch_x86_64/platform/serial.hpp>
#include <core/trace/event_fields.hpp>
#include <core/trace/runner_events.hpp>

namespace grove::metal {

namespace {

constexpr char HexDigits[] = "0123456789abcdef";

// A JSON string. Names here are grove names and snake_case words, but quote and backslash are escaped anyway,
// and control characters are written as \u00XX.
void write_string(char const* text, usize length) {
    Serial::write("\"");
    for (usize i = 0; i < length; ++i) {
        char const c = text[i];
        if (c == '"' || c == '\\') {
            char const escaped[2] = {'\\', c};
            Serial::write(escaped, 2);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char const escaped[6] = {'\\', 'u', '0', '0', HexDigits[(c >> 4) & 0xf], HexDigits[c & 0xf]};
            Serial::write(escaped, 6);
        } else {
            Serial::write(&c, 1);
        }
    }
    Serial::write("\"");
}

void write_string(char const* text) { write_string(text, string_length(text)); }

void write_key(char const* key) {
    Serial::write(",");
    write_string(key);
    Serial::write(":");
}

void write_unsigned_field(char const* key, u64 value) {
    write_key(key);
    Serial::write_decimal(value);
}

void write_counters(IpcCounters const& ipc, bool leading_comma) {
    if (leading_comma) Serial::write(",");
    Serial::write("\"sent\":");
    Serial::write_decimal(ipc.sent);
    write_unsigned_field("delivered", ipc.delivered);
    write_unsigned_field("refused", ipc.refused_total());
    write_unsigned_field("queued", ipc.queued);
}

} // namespace

GroveName SerialTrace::name_of(GroveId grove) const {
    GroveName name;
    if (grove.serial == 0) return name;
    m_kernel.manager().registry().for_each([&](Grove const& g) {
        if (g.id.serial == grove.serial) name = g.name();
    });
    return name;
}

void SerialTrace::begin_line(Ticks time, GroveName const& name, u32 generation, char const* kind) {
    m_arch.finish_console_line();
    Serial::write("{\"t\":");
    Serial::write_decimal(time.value);
    Serial::write(",\"grove\":");
    write_string(name.c_str(), name.length());
    write_unsigned_field("gen", name.is_empty() ? 0 : generation);
    write_key("event");
    write_string(kind);
}

void SerialTrace::end_line() { Serial::write("}\n"); }

namespace {

// Whether going over this limit makes the grove wait rather than fail (CPU cannot be refused); as the simulator's
// recorder decides it.
bool waits(Resource resource, ViolationPolicy policy) {
    if (policy == ViolationPolicy::Kill) return false;
    if (resource == Resource::Cpu) return true;
    return resource == Resource::IpcRate && policy == ViolationPolicy::Throttle;
}

} // namespace

void SerialTrace::write_event(Event const& event) {
    GroveName const name = name_of(event.grove());
    begin_line(event.time, name, event.generation, event_kind_name(event.kind));
    for_each_event_field(event, [this](EventField const& field) {
        write_key(field.name);
        switch (field.type) {
        case EventField::Type::Unsigned:
        case EventField::Type::Hex: Serial::write_decimal(field.value); break;
        case EventField::Type::Signed:
            if (field.signed_value() < 0) {
                Serial::write("-");
                Serial::write_decimal(0 - field.value);
            } else {
                Serial::write_decimal(field.value);
            }
            break;
        case EventField::Type::Name: write_string(field.text); break;
        case EventField::Type::Grove: {
            GroveName const grove = name_of(GroveId{static_cast<u32>(field.value), 0});
            write_string(grove.c_str(), grove.length());
            break;
        }
        }
    });
    end_line();

    if (event.kind != EventKind::LimitExceeded) return;
    Grove const* grove = m_kernel.manager().registry().find_serial(event.serial);
    Resource const resource = event.fields.limit_exceeded.resource;
    if (grove == nullptr || !waits(resource, grove->spec.limits.policy)) return;
    begin_line(event.time, name, event.generation, runner_event::Throttled);
    write_key("reason");
    write_string(resource_name(resource));
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

void SerialTrace::on_event(Event const& event) {
    Held held;
    held.event = event;
    if (!hold(held)) write_event(event);
}

void SerialTrace::write_announcement(char const* result) {
    Announcement const& a = m_announcement;
    begin_line(a.time, a.name, a.grove.generation, a.kind);
    for (Announcement::Field const& field : a.fields) {
        if (field.key == nullptr) continue;
        if (field.text != nullptr) {
            write_key(field.key);
            write_string(field.text);
        } else {
            write_unsigned_field(field.key, field.value);
        }
    }
    if (result != nullptr) {
        write_key("result");
        write_string(result);
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
    write_key("kind");
    write_string(crash_kind_name(CrashKind::SpawnFailed));
    write_key("error");
    write_string(error_name(error));
    end_line();
}

void SerialTrace::final_counters(Ticks end_time, PageCount held_pages) {
    m_arch.finish_console_line();
    Serial::write("{\"final\":{\"t\":");
    Serial::write_decimal(end_time.value);
    char digest[16];
    u64 const value = m_kernel.digest();
    for (usize i = 0; i < 16; ++i) digest[i] = HexDigits[(value >> (60 - 4 * i)) & 0xf];
    write_key("digest");
    write_string(digest, 16);

    IpcCounters overall;
    for (u8 slot = 0; slot < IpcLedger::GroveCapacity; ++slot) {
        IpcCounters const& c = m_kernel.ipc().grove_counters(slot);
        overall.sent += c.sent;
        overall.delivered += c.delivered;
        overall.queued += c.queued;
        for (usize r = 0; r < RefusalCount; ++r) overall.refused[r] += c.refused[r];
    }
    Serial::write(",\"overall\":{");
    write_counters(overall, false);
    Serial::write("},\"groves\":[");
    bool first = true;
    m_kernel.manager().registry().for_each([&](Grove const& g) {
        if (!first) Serial::write(",");
        first = false;
        Serial::write("{\"grove\":");
        write_string(g.name().c_str(), g.name().length());
        write_key("state");
        write_string(grove_state_name(g.state));
        write_unsigned_field("crashes", g.crashes);
        write_unsigned_field("respawns", g.history.respawns());
        write_counters(m_kernel.ipc().grove_counters(g.slot), true);
        Serial::write("}");
    });
    Serial::write("],\"memory\":{\"frames\":");
    Serial::write_decimal(m_arch.managed_pages().value);
    write_unsigned_field("free", m_arch.free_pages().value);
    write_unsigned_field("held", held_pages.value);
    Serial::write("}");
    GrantTable const& grants = m_kernel.grants();
    Kernel::GrantCopyCounters const& copies = m_kernel.grant_copies();
    if (grants.created() != 0 || copies.asked != 0) { // as the simulator: only a run that used grants
        Serial::write(",\"grants\":{\"created\":");
        Serial::write_decimal(grants.created());
        write_unsigned_field("ended", grants.ended());
        write_unsigned_field("live", grants.live());
        write_unsigned_field("copies", copies.asked);
        write_unsigned_field("copied", copies.copied);
        write_unsigned_field("refused", copies.refused);
        Serial::write("}");
    }
    Serial::write("}}\n");
}

} // namespace grove::metal

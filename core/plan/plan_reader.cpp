#include <core/grove/capabilities.hpp>
#include <core/plan/plan_format.hpp>
#include <core/plan/plan_reader.hpp>

namespace grove {

namespace {

// Reads fields from [m_at, m_end); every read checks that its bytes exist first.
class Reader {
public:
    Reader(u8 const* at, u8 const* end) : m_at(at), m_end(end) {}
    usize remaining() const { return static_cast<usize>(m_end - m_at); }
    template<typename T>
    bool get(T& value) {
        if (remaining() < sizeof(T)) return false;
        value = plan::load<T>(m_at);
        m_at += sizeof(T);
        return true;
    }
    bool get_bytes(char const*& data, usize length) {
        if (remaining() < length) return false;
        data = reinterpret_cast<char const*>(m_at);
        m_at += length;
        return true;
    }
    u8 const* position() const { return m_at; }

private:
    u8 const* m_at;
    u8 const* m_end;
};

constexpr u16 FlagCapabilities =
    (1u << static_cast<u8>(CapabilityKind::ThreadCreate)) | (1u << static_cast<u8>(CapabilityKind::MemoryManage)) |
    (1u << static_cast<u8>(CapabilityKind::Filesystem)) | (1u << static_cast<u8>(CapabilityKind::Graphics)) |
    (1u << static_cast<u8>(CapabilityKind::Network));

// A length-prefixed text of at most N bytes without NUL; false when it is not one.
template<usize N>
bool get_text(Reader& r, FixedString<N>& out) {
    u8 length = 0;
    char const* data = nullptr;
    if (!r.get(length) || !r.get_bytes(data, length)) return false;
    Result<FixedString<N>> text = FixedString<N>::from(data, length);
    if (!text) return false;
    out = text.value();
    return true;
}

bool is_valid_peer(GroveName const& peer) {
    return peer.equals("*", 1) || is_valid_grove_name(peer.c_str(), peer.length());
}

struct Counts {
    u8 arguments, io_ports, physical, send, receive, watch, manage;
};

// The fixed fields of a grove record: `r` holds exactly the record (its size already checked).
PlanCheck read_grove_fixed(Reader& r, PlanGrove& g, Counts& counts, u8& name_length, Ticks duration) {
    u32 size = 0;
    u8 respawn_mode = 0, policy = 0;
    u16 grants = 0;
    u64 memory = 0;
    u32 threads = 0, handles = 0;
    (void)r.get(size);
    (void)r.get(g.image_module);
    (void)r.get(g.priority);
    (void)r.get(respawn_mode);
    (void)r.get(g.respawn.limit);
    (void)r.get(policy);
    (void)r.get(name_length);
    (void)r.get(g.flags);
    (void)r.get(memory);
    (void)r.get(threads);
    (void)r.get(g.limits.cpu_percent);
    (void)r.get(g.limits.cpu_period.value);
    (void)r.get(handles);
    (void)r.get(g.limits.ipc_messages_per_second);
    (void)r.get(g.limits.ipc_burst);
    (void)r.get(g.budget.max_crashes);
    (void)r.get(g.budget.window.value);
    (void)r.get(g.budget.backoff_base.value);
    (void)r.get(g.budget.backoff_cap.value);
    (void)r.get(g.budget.healthy_uptime.value);
    (void)r.get(g.start_at.value);
    (void)r.get(g.stop_timeout.value);
    (void)r.get(g.watchdog_timeout.value);
    (void)r.get(counts.arguments);
    (void)r.get(counts.io_ports);
    (void)r.get(counts.physical);
    (void)r.get(counts.send);
    (void)r.get(counts.receive);
    (void)r.get(counts.watch);
    (void)r.get(grants);
    (void)r.get(g.irq_lines);
    (void)r.get(counts.manage);
    (void)r.get(g.provides);
    g.limits.memory = Bytes(memory);
    g.limits.threads = Count(threads);
    g.limits.file_handles = Count(handles);
    g.limits.grants = Count(grants);
    if ((g.flags & ~FlagCapabilities) != 0) return PlanCheck::UnknownCapability;
    if (ProvidedServices::from_bits(g.provides).is_error()) return PlanCheck::UnknownCapability;
    if (policy > static_cast<u8>(ViolationPolicy::Kill)) return PlanCheck::BadLimits;
    g.limits.policy = static_cast<ViolationPolicy>(policy);
    if (g.limits.validate().is_error()) return PlanCheck::BadLimits;
    if (respawn_mode > static_cast<u8>(RespawnMode::Limited)) return PlanCheck::BadRespawnMode;
    g.respawn.mode = static_cast<RespawnMode>(respawn_mode);
    if ((g.respawn.mode == RespawnMode::Limited) != (g.respawn.limit != 0)) return PlanCheck::BadRespawnLimit;
    if (g.budget.validate().is_error()) return PlanCheck::BadRestartBudget;
    if (g.priority >= PlanPriorityLevels) return PlanCheck::BadPriority;
    if (g.start_at >= duration) return PlanCheck::BadStartTime;
    if (counts.arguments > MaxArguments) return PlanCheck::TooManyArguments;
    if (counts.io_ports > MaxIoPortRanges) return PlanCheck::TooManyIoRanges;
    if (counts.physical > MaxPhysicalRanges) return PlanCheck::TooManyPhysicalRanges;
    if (counts.send > MaxIpcPeers || counts.receive > MaxIpcPeers || counts.watch > MaxIpcPeers ||
        counts.manage > MaxIpcPeers)
        return PlanCheck::TooManyPeers;
    return PlanCheck::Ok;
}

PlanCheck read_peers(Reader& r, u8 count, StaticVector<GroveName, MaxIpcPeers>& peers) {
    for (u8 i = 0; i < count; ++i) {
        GroveName peer;
        if (!get_text(r, peer)) return r.remaining() == 0 ? PlanCheck::BadRecordSize : PlanCheck::BadPeerName;
        if (!is_valid_peer(peer)) return PlanCheck::BadPeerName;
        (void)peers.push_back(peer);
    }
    return PlanCheck::Ok;
}

// One grove record at the reader's position; `plan` holds the groves before it.
PlanCheck read_grove(Reader& all, BootPlan const& plan, PlanGrove& g) {
    u32 size = 0;
    if (all.remaining() < plan::GroveFixedSize) return PlanCheck::GroveTruncated;
    Reader peek = all;
    (void)peek.get(size);
    if (size > all.remaining()) return PlanCheck::GroveTruncated;
    if (size < plan::GroveFixedSize) return PlanCheck::BadRecordSize;
    char const* record_start = nullptr;
    (void)all.get_bytes(record_start, size);
    auto const* start = reinterpret_cast<u8 const*>(record_start);
    Reader r(start, start + size);

    Counts counts{};
    u8 name_length = 0;
    if (PlanCheck c = read_grove_fixed(r, g, counts, name_length, plan.duration); c != PlanCheck::Ok) return c;

    char const* name = nullptr;
    if (!r.get_bytes(name, name_length)) return PlanCheck::BadRecordSize;
    if (!is_valid_grove_name(name, name_length)) return PlanCheck::BadName;
    g.name = GroveName::from(name, name_length).value();
    for (PlanGrove const& other : plan.groves)
        if (other.name == g.name) return PlanCheck::DuplicateName;

    for (u8 i = 0; i < counts.arguments; ++i) {
        GroveArgument argument;
        if (!get_text(r, argument)) return r.remaining() == 0 ? PlanCheck::BadRecordSize : PlanCheck::BadArgument;
        (void)g.arguments.push_back(argument);
    }
    for (u8 i = 0; i < counts.io_ports; ++i) {
        IoPortRange range;
        if (!r.get(range.first) || !r.get(range.last)) return PlanCheck::BadRecordSize;
        if (range.first > range.last || machine_ports_in(range) != nullptr) return PlanCheck::BadIoRange;
        (void)g.io_ports.push_back(range);
    }
    for (u8 i = 0; i < counts.physical; ++i) {
        PhysicalRange range;
        if (!r.get(range.base.value) || !r.get(range.length.value)) return PlanCheck::BadRecordSize;
        if (!range.is_valid() || machine_physical_in(range) != nullptr) return PlanCheck::BadPhysicalRange;
        (void)g.physical.push_back(range);
    }
    if (PlanCheck c = read_peers(r, counts.send, g.send_to); c != PlanCheck::Ok) return c;
    if (PlanCheck c = read_peers(r, counts.receive, g.receive_from); c != PlanCheck::Ok) return c;
    if (PlanCheck c = read_peers(r, counts.watch, g.watch); c != PlanCheck::Ok) return c;
    if (PlanCheck c = read_peers(r, counts.manage, g.manage); c != PlanCheck::Ok) return c;
    if (r.remaining() != 0) return PlanCheck::BadRecordSize;
    return PlanCheck::Ok;
}

PlanCheck read_fault(Reader& r, BootPlan const& plan, PlanFault& f) {
    if (r.remaining() < plan::FaultSize) return PlanCheck::FaultTruncated;
    u8 action = 0, reserved = 0;
    (void)r.get(f.at.value);
    (void)r.get(action);
    (void)r.get(f.grove);
    (void)r.get(f.target);
    (void)r.get(reserved);
    (void)r.get(f.rate);
    (void)r.get(f.bytes.value);
    if (reserved != 0) return PlanCheck::ReservedNotZero;
    if (action >= FaultActionCount) return PlanCheck::BadFaultAction;
    f.action = static_cast<FaultAction>(action);
    if (f.grove >= plan.groves.size()) return PlanCheck::BadFaultGrove;
    bool const flood = f.action == FaultAction::FloodStart;
    if (flood ? f.target >= plan.groves.size() : f.target != PlanFault::NoTarget) return PlanCheck::BadFaultTarget;
    if (f.at >= plan.duration) return PlanCheck::BadFaultTime;
    bool const spike = f.action == FaultAction::MemorySpike;
    if (spike == f.bytes.is_zero() || (!flood && f.rate != 0)) return PlanCheck::BadFaultAmount;
    return PlanCheck::Ok;
}

PlanCheck read_header(Span<u8 const> bytes, BootPlan& out, u16& groves, u16& faults) {
    if (bytes.size < plan::HeaderSize) return PlanCheck::TooSmall;
    u8 const* b = bytes.data;
    for (usize i = 0; i < sizeof plan::Magic; ++i)
        if (b[i] != plan::Magic[i]) return PlanCheck::BadMagic;
    if (plan::load<u16>(b + plan::VersionOffset) != plan::Version) return PlanCheck::UnsupportedVersion;
    if (plan::load<u16>(b + plan::HeaderSizeOffset) != plan::HeaderSize) return PlanCheck::BadHeaderSize;
    if (plan::load<u32>(b + plan::TotalSizeOffset) != bytes.size) return PlanCheck::SizeMismatch;
    if (plan::load<u64>(b + plan::ChecksumOffset) != plan::checksum(b, bytes.size)) return PlanCheck::BadChecksum;
    out.duration = Ticks(plan::load<u64>(b + plan::DurationOffset));
    out.seed = plan::load<u64>(b + plan::SeedOffset);
    groves = plan::load<u16>(b + plan::GroveCountOffset);
    faults = plan::load<u16>(b + plan::FaultCountOffset);
    if (out.duration.is_zero()) return PlanCheck::ZeroDuration;
    if (groves == 0) return PlanCheck::NoGroves;
    if (groves > MaxPlanGroves) return PlanCheck::TooManyGroves;
    if (faults > MaxPlanFaults) return PlanCheck::TooManyFaults;
    return PlanCheck::Ok;
}

PlanCheck read_all(Span<u8 const> bytes, BootPlan& out) {
    u16 groves = 0, faults = 0;
    if (PlanCheck c = read_header(bytes, out, groves, faults); c != PlanCheck::Ok) return c;
    Reader r(bytes.data + plan::HeaderSize, bytes.data + bytes.size);
    for (u16 i = 0; i < groves; ++i) {
        PlanGrove g;
        if (PlanCheck c = read_grove(r, out, g); c != PlanCheck::Ok) return c;
        (void)out.groves.push_back(g);
    }
    for (u16 i = 0; i < faults; ++i) {
        PlanFault f;
        if (PlanCheck c = read_fault(r, out, f); c != PlanCheck::Ok) return c;
        (void)out.faults.push_back(f);
    }
    return r.remaining() == 0 ? PlanCheck::Ok : PlanCheck::TrailingBytes;
}

} // namespace

PlanCheck read_boot_plan(Span<u8 const> bytes, BootPlan& out) {
    out.groves.clear();
    out.faults.clear();
    PlanCheck const check = read_all(bytes, out);
    if (check != PlanCheck::Ok) {
        out.groves.clear();
        out.faults.clear();
    }
    return check;
}

} // namespace grove

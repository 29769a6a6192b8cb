#include <core/base/assert.hpp>
#include <core/plan/plan_format.hpp>
#include <core/plan/plan_writer.hpp>

namespace grove {

namespace {

template<usize N>
usize text_size(FixedString<N> const& s) {
    return 1 + s.length();
}

usize grove_record_size(PlanGrove const& g) {
    usize size = plan::GroveFixedSize + g.name.length();
    for (GroveArgument const& a : g.arguments) size += text_size(a);
    size += 4 * g.io_ports.size() + 16 * g.physical.size();
    for (GroveName const& p : g.send_to) size += text_size(p);
    for (GroveName const& p : g.receive_from) size += text_size(p);
    for (GroveName const& p : g.watch) size += text_size(p);
    for (GroveName const& p : g.manage) size += text_size(p);
    return size;
}

// Appends to a buffer that the caller has sized.
class Cursor {
public:
    explicit Cursor(u8* at) : m_at(at) {}
    template<typename T>
    void put(T value) {
        plan::store<T>(m_at, value);
        m_at += sizeof(T);
    }
    void put_bytes(char const* data, usize length) {
        copy_bytes(m_at, data, length);
        m_at += length;
    }
    template<usize N>
    void put_text(FixedString<N> const& s) {
        put<u8>(static_cast<u8>(s.length()));
        put_bytes(s.c_str(), s.length());
    }
    u8* position() const { return m_at; }

private:
    u8* m_at;
};

static_assert(MaxGrants <= 0xffff, "the grants limit is a u16 of the plan");
static_assert(abi::IrqLines <= 16, "the interrupt lines are a u16 of the plan, bit n for line n");

void write_grove(Cursor& c, PlanGrove const& g) {
    c.put<u32>(static_cast<u32>(grove_record_size(g)));
    c.put<u16>(g.image_module);
    c.put<u8>(g.priority);
    c.put<u8>(static_cast<u8>(g.respawn.mode));
    c.put<u32>(g.respawn.limit);
    c.put<u8>(static_cast<u8>(g.limits.policy));
    c.put<u8>(static_cast<u8>(g.name.length()));
    c.put<u16>(g.flags);
    c.put<u64>(g.limits.memory.value);
    c.put<u32>(static_cast<u32>(g.limits.threads.value));
    c.put<u32>(g.limits.cpu_percent);
    c.put<u64>(g.limits.cpu_period.value);
    c.put<u32>(static_cast<u32>(g.limits.file_handles.value));
    c.put<u32>(g.limits.ipc_messages_per_second);
    c.put<u32>(g.limits.ipc_burst);
    c.put<u32>(g.budget.max_crashes);
    c.put<u64>(g.budget.window.value);
    c.put<u64>(g.budget.backoff_base.value);
    c.put<u64>(g.budget.backoff_cap.value);
    c.put<u64>(g.budget.healthy_uptime.value);
    c.put<u64>(g.start_at.value);
    c.put<u64>(g.stop_timeout.value);
    c.put<u64>(g.watchdog_timeout.value);
    c.put<u8>(static_cast<u8>(g.arguments.size()));
    c.put<u8>(static_cast<u8>(g.io_ports.size()));
    c.put<u8>(static_cast<u8>(g.physical.size()));
    c.put<u8>(static_cast<u8>(g.send_to.size()));
    c.put<u8>(static_cast<u8>(g.receive_from.size()));
    c.put<u8>(static_cast<u8>(g.watch.size()));
    c.put<u16>(static_cast<u16>(g.limits.grants.value));
    c.put<u16>(g.irq_lines);
    c.put<u8>(static_cast<u8>(g.manage.size()));
    c.put<u16>(g.provides);
    c.put_bytes(g.name.c_str(), g.name.length());
    for (GroveArgument const& a : g.arguments) c.put_text(a);
    for (IoPortRange const& r : g.io_ports) {
        c.put<u16>(r.first);
        c.put<u16>(r.last);
    }
    for (PhysicalRange const& r : g.physical) {
        c.put<u64>(r.base.value);
        c.put<u64>(r.length.value);
    }
    for (GroveName const& p : g.send_to) c.put_text(p);
    for (GroveName const& p : g.receive_from) c.put_text(p);
    for (GroveName const& p : g.watch) c.put_text(p);
    for (GroveName const& p : g.manage) c.put_text(p);
}

void write_fault(Cursor& c, PlanFault const& f) {
    c.put<u64>(f.at.value);
    c.put<u8>(static_cast<u8>(f.action));
    c.put<u8>(f.grove);
    c.put<u8>(f.target);
    c.put<u8>(0);
    c.put<u32>(f.rate);
    c.put<u64>(f.bytes.value);
}

} // namespace

usize boot_plan_size(BootPlan const& plan) {
    usize size = plan::HeaderSize + plan::FaultSize * plan.faults.size();
    for (PlanGrove const& g : plan.groves) size += grove_record_size(g);
    return size;
}

Result<usize> write_boot_plan(BootPlan const& plan, Span<u8> out) {
    usize const size = boot_plan_size(plan);
    if (out.size < size || size > plan::MaxPlanSize) return Error::NoCapacity;
    Cursor c(out.data);
    c.put_bytes(reinterpret_cast<char const*>(plan::Magic), sizeof plan::Magic);
    c.put<u16>(plan::Version);
    c.put<u16>(static_cast<u16>(plan::HeaderSize));
    c.put<u32>(static_cast<u32>(size));
    c.put<u16>(static_cast<u16>(plan.groves.size()));
    c.put<u16>(static_cast<u16>(plan.faults.size()));
    c.put<u64>(plan.duration.value);
    c.put<u64>(plan.seed);
    c.put<u64>(0); // the checksum, below
    for (PlanGrove const& g : plan.groves) write_grove(c, g);
    for (PlanFault const& f : plan.faults) write_fault(c, f);
    GROVE_ASSERT(c.position() == out.data + size);
    plan::store<u64>(out.data + plan::ChecksumOffset, plan::checksum(out.data, size));
    return size;
}

} // namespace grove

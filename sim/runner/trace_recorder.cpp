#include <sim/runner/trace_recorder.hpp>

#include <core/base/hash.hpp>
#include <core/trace/event_fields.hpp>
#include <core/trace/runner_events.hpp>
#include <sim/backend/unicorn_arch.hpp>
#include <sim/scenario/core_event.hpp>

namespace grove::runner {

using scenario::FieldValue;
using scenario::TraceEvent;

namespace {

// Whether going over this limit makes the grove wait rather than fail (CPU cannot be refused).
bool waits(Resource resource, ViolationPolicy policy) {
    if (policy == ViolationPolicy::Kill) return false;
    if (resource == Resource::Cpu) return true;
    return resource == Resource::IpcRate && policy == ViolationPolicy::Throttle;
}

} // namespace

void TraceRecorder::name_serial(u32 serial, std::string name, ViolationPolicy policy) {
    m_groves[serial] = Known{std::move(name), policy};
}

std::optional<TraceRecorder::Known> TraceRecorder::known(u32 serial) const {
    auto const found = m_groves.find(serial);
    if (found != m_groves.end()) return found->second;
    Grove const* spawned = m_registry == nullptr || serial == 0 ? nullptr : m_registry->find_serial(serial);
    if (spawned == nullptr) return std::nullopt;
    return Known{std::string(spawned->name().c_str(), spawned->name().length()), spawned->spec.limits.policy};
}

std::string TraceRecorder::name_of(u32 serial) const {
    std::optional<Known> const found = known(serial);
    return found ? found->name : std::string();
}

usize TraceRecorder::add(TraceEvent event) {
    m_events.push_back(std::move(event));
    m_stamps.push_back(m_step);
    return m_events.size() - 1;
}

std::vector<scenario::StepStamp> TraceRecorder::take_stamps(scenario::StepStamp& end) {
    Fnv1a64 chain;
    for (usize i = 0; i < m_events.size(); ++i) {
        chain.update_u64(m_stamps[i].hash);
        std::string const line = scenario::format_event_line(m_events[i]);
        chain.update(line.data(), line.size());
        m_stamps[i].hash = chain.digest();
    }
    chain.update_u64(end.hash);
    end.hash = chain.digest();
    return std::move(m_stamps);
}

void TraceRecorder::announce(Announcement const& announcement) {
    TraceEvent event;
    event.time = announcement.time;
    event.grove = announcement.name.c_str();
    event.generation = announcement.grove.generation;
    event.kind = announcement.kind;
    for (Announcement::Field const& field : announcement.fields) {
        if (field.key == nullptr) continue;
        if (field.text != nullptr) event.with(field.key, std::string(field.text));
        else event.with(field.key, field.value);
    }
    m_announced = add(std::move(event));
}

void TraceRecorder::settle(Result<void> const& result) {
    m_events[m_announced].with("result", std::string(result.has_value() ? "ok" : error_name(result.error())));
}

void TraceRecorder::on_event(Event const& event) {
    TraceEvent out = scenario::trace_event_of(event, [this](u32 serial) { return name_of(serial); });

    if (event.kind == EventKind::Console) {
        // The arch appended the text just before the kernel emitted the event: it is the tail of the grove's
        // console.
        std::string const& console = m_arch.console(event.grove());
        usize const length = static_cast<usize>(event.fields.console.length);
        if (length <= console.size()) out.with("text", console.substr(console.size() - length));
    }
    if (event.kind == EventKind::Fault && m_report.has_value() && m_report->serial == event.serial) {
        out.with("instruction", m_report->instruction);
        out.with("encoding", m_report->bytes);
        out.with("symbol", m_report->symbol);
        out.with("registers", m_report->registers);
        m_report.reset();
    }
    (void)add(std::move(out));

    if (event.kind == EventKind::LimitExceeded) {
        std::optional<Known> const grove = known(event.serial);
        Resource const resource = event.fields.limit_exceeded.resource;
        if (grove && waits(resource, grove->policy)) {
            TraceEvent throttled;
            throttled.time = event.time;
            throttled.grove = grove->name;
            throttled.generation = event.generation;
            throttled.kind = runner_event::Throttled;
            throttled.with("reason", std::string(resource_name(resource)));
            (void)add(std::move(throttled));
        }
    }
}

} // namespace grove::runner

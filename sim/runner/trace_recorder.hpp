#pragma once
#include <core/grove/limits.hpp>
#include <core/grove/registry.hpp>
#include <core/machine/fault_injector.hpp>
#include <core/trace/event_fields.hpp>
#include <core/trace/event_sink.hpp>
#include <sim/scenario/trace.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace grove::sim {
class UnicornArch;
}

namespace grove::runner {

// What the simulator knows about a fault trap before the kernel handles it: the instruction (Capstone), its
// bytes, symbol+offset in the grove's image and the registers. Added to the `fault` event it belongs to.
struct CrashReport {
    u32 serial = 0;
    std::string instruction; // "mov qword ptr [0], rax", or "(bad)"
    std::string bytes;       // "48 89 04 25 00 00 00 00"
    std::string symbol;      // "crash_null+0x4", or "" when no symbol covers the pc
    std::string registers;   // "rip=0x401234 rsp=0x7ffffffeff00 ..."
};

// Turns the core's events into the scenario trace as they happen (an EventSink), and keeps the trace. Grove names
// come from the serials the runner registered; console events carry the text the grove wrote; a fault event gets
// the pending crash report of its grove; a limit_exceeded for CPU (or for IPC rate under the throttle policy) is
// followed by a `throttled` event, since the grove then waits instead of failing. The runner adds its own events
// through add(), and the fault injector its announcements (an event added at announce(), whose `result` field
// settle() appends; the kernel's events between the two follow it). Owns the events; borrows the arch, which must
// outlive it.
class TraceRecorder final : public EventSink, public AnnouncementSink {
public:
    explicit TraceRecorder(sim::UnicornArch& arch) : m_arch(arch) {}

    // The grove that the registry will give `serial` (known before it is loaded, so that `loaded` has its name).
    void name_serial(u32 serial, std::string name, ViolationPolicy policy);
    // Where the names of groves the runner did not register come from: the groves the kernel spawned itself
    // (ServiceLoad), named by its registry, as the bare-metal kernel's serial trace names them. Must outlive this.
    void set_registry(Registry const* registry) { m_registry = registry; }
    // The next fault event of this serial carries the report.
    void set_crash_report(CrashReport report) { m_report = std::move(report); }

    void on_event(Event const& event) override;
    void announce(Announcement const& announcement) override;
    void settle(Result<void> const& result) override;
    // The step the run is at: every event added from now on is stamped with it (its hash is completed by
    // chain_stamps once the events are final).
    void set_step(scenario::StepStamp step) { m_step = step; }
    // The events' stamps, completed: each one's hash becomes the running hash over the trap hash it was stamped
    // with and every event line up to and including its own. `end` (the run's last step) becomes the stamp of the
    // whole run in the same way.
    std::vector<scenario::StepStamp> take_stamps(scenario::StepStamp& end);
    // Appends an event of the runner's own; returns its index (the runner may add fields later).
    usize add(scenario::TraceEvent event);
    scenario::TraceEvent& at(usize index) { return m_events[index]; }

    std::vector<scenario::TraceEvent> const& events() const { return m_events; }
    std::vector<scenario::TraceEvent> take_events() { return std::move(m_events); }
    std::string name_of(u32 serial) const;

private:
    struct Known {
        std::string name;
        ViolationPolicy policy = ViolationPolicy::Deny;
    };

    sim::UnicornArch& m_arch;
    // The runner's groves, or else the registry's (ServiceLoad); nullopt for serial 0 or an unknown serial.
    std::optional<Known> known(u32 serial) const;

    std::map<u32, Known> m_groves;
    Registry const* m_registry = nullptr;
    std::optional<CrashReport> m_report;
    usize m_announced = 0; // the index of the last announcement
    std::vector<scenario::TraceEvent> m_events;
    std::vector<scenario::StepStamp> m_stamps; // m_events[i]'s is m_stamps[i]
    scenario::StepStamp m_step;
};

} // namespace grove::runner

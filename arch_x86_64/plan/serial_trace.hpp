#pragma once
#include <arch_x86_64/metal_arch.hpp>
#include <core/kernel/kernel.hpp>
#include <core/trace/event_sink.hpp>

namespace grove::metal {

// Writes the run's trace to COM1 in the simulator's JSON Lines format (sim/scenario/trace.hpp): one line per event,
// keys t, grove (by name; empty for the kernel as a whole), gen, event, then the event's fields in the order of
// for_each_event_field (numbers as JSON integers, names as strings); and at the end the final counters record.
// Other serial output (grove console text, boot messages) never starts with '{', so a reader keeps only the
// lines that do.
//
// Borrows the kernel (for grove names and counters) and the arch (to end a grove's unfinished console line
// before an event line); both outlive it.
class SerialTrace final : public EventSink {
public:
    SerialTrace(Kernel const& kernel, MetalArch& arch) : m_kernel(kernel), m_arch(arch) {}

    void on_event(Event const& event) override;
    // {"t":..,"grove":"name","gen":g,"event":"fault_injected","action":"memory-spike"}: a scripted fault about to
    // be applied to the grove `name` (whose incarnation is `grove`; a null id when it is not loaded: gen 0).
    void fault_injected(Ticks time, GroveId grove, GroveName const& name, char const* action);
    // The final record: every registered grove in load order with its state, crashes, respawns and IPC counters,
    // the totals over all groves, the end time and the kernel's digest.
    void final_counters(Ticks end_time);

private:
    // The name of the grove with the id's serial; empty for serial 0 (the kernel as a whole).
    GroveName name_of(GroveId grove) const;
    // Writes up to the event kind; an empty name gets gen 0.
    void begin_line(Ticks time, GroveName const& name, u32 generation, char const* kind);
    void end_line();

    Kernel const& m_kernel;
    MetalArch& m_arch;
};

} // namespace grove::metal

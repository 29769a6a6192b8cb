#pragma once
#include <arch_x86_64/metal_arch.hpp>
#include <core/base/static_vector.hpp>
#include <core/kernel/kernel.hpp>
#include <core/machine/fault_injector.hpp>
#include <core/trace/compact_record.hpp>
#include <core/trace/event_sink.hpp>

namespace grove::metal {

// Writes the run's trace to COM1 in the simulator's JSON Lines format (sim/scenario/trace.hpp), the kernel's events
// as binary compact records (core/trace/compact_record.hpp) that the host expands into the JSON line each stands for
// (sim/metal/compact_trace.hpp): keys t, grove (by name; empty for the kernel as a whole), gen, event, then the
// event's fields in the order of for_each_event_field (numbers as JSON integers, names as strings); and at the end
// the final counters record. As the simulator's recorder does, a limit_exceeded that makes the grove wait (CPU, or
// IPC rate under the throttle policy) is followed by a `throttled` line. What the runner adds (announcements, spawn
// failures, throttled, the final record) is written as JSON lines. Other serial output (grove console text, boot
// messages) starts with neither '{' nor '@', so a reader keeps only the lines that do.
//
// Announcements: between announce() and settle() the kernel's events are held back, so that the announcement,
// which carries the kernel's answer (`result`), comes first and the events the fault caused follow it, as in the
// simulator. Should more events come than HeldCapacity, the announcement is written at once without a result and
// the rest goes straight out.
//
// Output: each line is built in memory (SerialTrace::Output) and goes out to COM1 as one burst when it ends, the
// final record in bursts of Output::Capacity; the bytes are those a write per piece would give.
//
// Borrows the kernel (for grove names, limits and counters) and the arch (to end a grove's unfinished console line
// before an event line); both outlive it.
class SerialTrace final : public EventSink, public AnnouncementSink {
public:
    static constexpr usize HeldCapacity = 128;

    SerialTrace(Kernel const& kernel, MetalArch& arch) : m_kernel(kernel), m_arch(arch) {}

    void on_event(Event const& event) override;
    void on_encoded_event(Event const& event, EncodedEvent const& encoded) override;
    // Starts an announcement; the caller applies the fault and then calls settle() with the kernel's answer.
    void announce(Announcement const& announcement) override;
    // Writes the announcement with `result` ("ok" or the error's name), then the events held since announce().
    void settle(Result<void> const& result) override;
    // {"t":..,"grove":"name","gen":0,"event":"crashed","kind":"spawn_failed","error":"<name>"}: the kernel refused
    // to spawn the grove, which never ran. During an announcement (a flood-start spawning its flooder) it is held
    // with the kernel's events and follows the announcement, as in the simulator.
    void spawn_failed(Ticks time, GroveName const& name, Error error);
    // The final record: every registered grove in load order with its state, crashes, respawns and IPC counters,
    // the totals over all groves, the end time, the kernel's digest, and the machine's frames (all, free, and
    // `held_pages` by live groves: FaultInjector::held_pages) for the verdict's memory accounting.
    void final_counters(Ticks end_time, PageCount held_pages);

private:
    // The bytes of the trace until they go out (Serial::write_raw): a line at a time, or Capacity bytes of a longer
    // record. Newlines are put as "\r\n", as Serial::write would write them.
    class Output {
    public:
        static constexpr usize Capacity = 1024;
        void put(char c) {
            if (m_length == Capacity) flush();
            m_bytes[m_length++] = c;
        }
        void put(char const* text, usize length);
        void put(char const* text) { put(text, string_length(text)); }
        void put_decimal(u64 value);
        // A JSON string: quote and backslash escaped, control characters as \u00XX.
        void put_string(char const* text, usize length);
        void put_string(char const* text) { put_string(text, string_length(text)); }
        // ,"key":
        void put_key(char const* key);
        void put_unsigned_field(char const* key, u64 value) {
            put_key(key);
            put_decimal(value);
        }
        void put_counters(IpcCounters const& ipc, bool leading_comma);
        void flush();

    private:
        char m_bytes[Capacity];
        usize m_length = 0;
    };

    // The name of the grove with the id's serial; empty for serial 0 (the kernel as a whole) and for a serial no
    // grove has now.
    GroveName name_of(GroveId grove) const;
    // Writes the name record of each serial the event names (its grove, a Grove field) that the host has not been
    // told since the registry last changed.
    void tell_names(Event const& event);
    void tell_name(u32 serial);
    // One compact record: the mark, the tag, the size, the bytes (compact_record.hpp).
    static constexpr usize MaxRecordBytes = MaxEncodedEventSize;
    static_assert(sizeof(u32) + MaxGroveNameLength <= MaxRecordBytes && MaxRecordBytes <= compact::MaxRecordBytes);
    void write_record(char tag, u8 const* bytes, usize size);
    // Writes up to the event kind; an empty name gets gen 0.
    void begin_line(Ticks time, GroveName const& name, u32 generation, char const* kind);
    void end_line();
    // What is held during an announcement: a kernel event, or a spawn failure of the runner.
    struct Held {
        Event event;
        bool is_spawn_failure = false;
        GroveName name; // spawn failure: the grove
        Error error = Error::InvalidArgument;
    };
    void write_event(Event const& event) { write_event(event, encode_event(event)); }
    void write_event(Event const& event, EncodedEvent const& encoded);
    void write_spawn_failed(Ticks time, GroveName const& name, Error error);
    void write_held(Held const& held);
    // Holds `held` while an announcement waits for its result; false when it must be written now.
    bool hold(Held const& held);
    // The announcement's line, with the result when there is one (nullptr: none).
    void write_announcement(char const* result);

    Kernel const& m_kernel;
    MetalArch& m_arch;
    Output m_out;
    Announcement m_announcement;
    bool m_holding = false;
    StaticVector<Held, HeldCapacity> m_held;
    // The serials told since the registry's change count was m_told_changes, each at serial % ToldCapacity (0:
    // none); a serial that finds another in its place is told again.
    static constexpr usize ToldCapacity = 64;
    u32 m_told[ToldCapacity]{};
    u64 m_told_changes = 0;
};

} // namespace grove::metal

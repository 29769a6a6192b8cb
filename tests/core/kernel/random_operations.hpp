#pragma once
// Random operations on a kernel against the fake backend, shared by the kernel property test (choices from a PRNG)
// and the kernel fuzzer (choices from the fuzzer's bytes): four groves run random syscalls (valid and hostile),
// faults and timer traps, and the operator kills, crashes, hangs, stops, restarts and charges them at random, with
// time moving as the backend would move it. After every step the kernel's invariants are checked: the IPC
// accounting holds, and every context the backend holds belongs to a live thread of a live grove; at the end every
// grove is retired and every frame, address space, context, thread and queued message must be back.
#include <core/base/prng.hpp>
#include <core/kernel/kernel.hpp>
#include <core/trace/event_sink.hpp>
#include <tests/fake/fake_arch.hpp>

#include <initializer_list>
#include <memory>
#include <string>

namespace grove::testing {

// Where the driver's choices come from.
class ChoiceSource {
public:
    virtual ~ChoiceSource() = default;
    // Any value.
    virtual u64 next() = 0;
    // A value in [0, bound); bound > 0.
    virtual u64 below(u64 bound) = 0;
    // A value in [lo, hi]; lo <= hi.
    u64 between(u64 lo, u64 hi) { return hi - lo == ~u64{0} ? next() : lo + below(hi - lo + 1); }
};

class PrngChoices final : public ChoiceSource {
public:
    explicit PrngChoices(u64 seed) : m_rng(seed) {}
    u64 next() override { return m_rng.next(); }
    u64 below(u64 bound) override { return m_rng.below(bound); }

private:
    Prng m_rng;
};

// Counts events by kind, however many there are.
class EventCounter final : public EventSink {
public:
    void on_event(Event const& event) override { ++m_counts[static_cast<u8>(event.kind)]; }
    u64 count(EventKind kind) const { return m_counts[static_cast<u8>(kind)]; }

private:
    u64 m_counts[256]{};
};

// What a run did.
struct RandomRunCounts {
    u64 syscalls = 0;
    u64 faults = 0;
    u64 blocked = 0;
};

// The groves' priorities.
enum class Ranks : u8 {
    Flat,  // all at priority 0
    Each,  // rising, one level each (p0 lowest), so that a wake can displace a thread
    Pairs, // two levels, two groves on each
};

// What a run draws beyond its defaults.
struct RandomOptions {
    bool fast_ipc = true; // the kernel's IPC fast path (Kernel::set_fast_ipc)
    Ranks ranks = Ranks::Flat;
    bool ipc_heavy = false;    // nine syscalls in ten a Send, Receive, Call, Reply or Lookup (arguments as ever)
    SchedulerConfig scheduler; // the kernel's; every grove's CPU limit is over its period
    bool interrupts = false;   // grove i owns line 10 + i, waits on it, and the lines fire now and then
};

// Drives one kernel. A member that returns a std::string returns what invariant broke, or "" when all held; after
// a broken invariant the driver must not be stepped again.
class RandomOperations {
public:
    static constexpr u32 Groves = 4;

    explicit RandomOperations(ChoiceSource& choices, RandomOptions options = {});

    // Spawns the groves; once, first.
    std::string start();
    // One step: now and then an operator's action, then the next dispatch (time moves to an idle kernel's next
    // wake-up) or a random trap on the thread that runs; then the invariants.
    std::string step();
    // Retires every grove and checks that everything the run took is back; last.
    std::string finish();

    RandomRunCounts const& counts() const { return m_counts; }
    Kernel const& kernel() const { return *m_kernel; }
    EventCounter const& events() const { return m_events; }
    FakeArch const& arch() const { return m_arch; }
    // What the kernel gave the backend to run last.
    Dispatch const& dispatch() const { return m_dispatch; }

private:
    u64 pick(std::initializer_list<u64> values);
    u64 hostile();
    u64 maybe_hostile(u64 value);
    GroveId grove_of(ThreadId thread) const { return m_kernel->grove_of(thread); }
    AddressSpaceId space_of(GroveId g) const;
    u64 some_handle(GroveId g);
    u64 some_timeout();
    u64 some_buffer();
    u64 some_grant();
    u64 some_thread(GroveId g);
    // RandomOptions::interrupts: the line grove `g` owns.
    u64 own_line(GroveId g) const;
    void write_random_message(GroveId g, u64 address);
    Trap random_trap(ThreadId thread);
    void operate();
    std::string revive();
    std::string retire(u32 i);
    void refresh_ids();
    std::string check();

    ChoiceSource& m_choices;
    RandomOptions m_options;
    FakeArch m_arch;
    std::unique_ptr<Kernel> m_kernel = std::make_unique<Kernel>(m_arch, m_options.scheduler);
    EventCounter m_events;
    RandomRunCounts m_counts;
    Dispatch m_dispatch;
    PageCount m_free_at_start{};
    usize m_spaces_at_start = 0;
    GroveId m_ids[Groves]{};
    u64 m_handles[Groves]{}; // by serial % Groves: the last handle a Lookup of that grove returned
};

} // namespace grove::testing

#pragma once
#include <core/base/units.hpp>
#include <core/grove/capacity.hpp>
#include <core/grove/registry.hpp>

namespace grove {

// The invariants a run is checked against all along (DESIGN.md §7, exploration). The values name them in
// verdicts and traces: append, never renumber.
enum class Invariant : u8 {
    IpcAccounting = 0,        // the kernel's IPC invariant (EndpointTable::check_invariant)
    MemoryAccounting = 1,     // free frames + the pages of live groves (page tables included) = all frames
    GroveLimits = 2,          // every live grove's memory, threads and handles within its limits, which are its spec's
    AdmissionReservation = 3, // the manager's reservation = the limits of the groves that are not quarantined
    Liveness = 4,             // a grove its respawn policy brings back is running again within its backoff bound
    KernelNeverPanics = 5,    // the backend reports a panic itself: the run cannot go on after one
};

constexpr char const* invariant_name(Invariant invariant) {
    switch (invariant) {
    case Invariant::IpcAccounting: return "kernel IPC invariant";
    case Invariant::MemoryAccounting: return "memory accounting";
    case Invariant::GroveLimits: return "every grove within its limits";
    case Invariant::AdmissionReservation: return "admission reservation";
    case Invariant::Liveness: return "liveness after faults";
    case Invariant::KernelNeverPanics: return "the kernel never panics";
    }
    return "unknown";
}

// The frames of the machine as its backend counts them, and the frames the live groves are charged for (pages and
// page tables, scripted memory spikes left out: FaultInjector::held_pages).
struct MachineMemory {
    PageCount frames;
    PageCount free;
    PageCount held;
};

// The first invariant a run broke: which, when (the checker's step count and virtual time), the grove concerned
// (serial 0: the machine as a whole) and the two sides of the comparison that failed.
struct InvariantViolation {
    Invariant invariant = Invariant::IpcAccounting;
    u64 step = 0;
    Ticks time{};
    u32 serial = 0;
    u64 expected = 0;
    u64 seen = 0;
};

// What a grove may take beyond its respawn delay before it must be running again: the respawn happens at the
// kernel's next dispatch after the delay, which the kernel's preemption deadline makes prompt.
inline constexpr Ticks LivenessSlack = milliseconds(1);

// Checks the machine's invariants while a run goes on: the runner calls check() every N steps and after every
// scripted fault, and once more at the end. The first violation is kept and every later check() returns false at
// once: a broken run ends there. Owns nothing but its own record; reads what it is given.
//
// Liveness: a grove is owed a start when the manager decided to bring it back (a respawn its policy and budget
// allowed, or the new incarnation of a restart) and it is not quarantined. From the first check that sees that
// incarnation down so (or from the end of the scripted faults, if later) it must be alive again within its budget's
// backoff_cap, the longest delay a respawn can have, plus LivenessSlack.
class InvariantChecker {
public:
    // Scripted faults go on until `end`: liveness is only owed from then on.
    void set_faults_end(Ticks end) { m_faults_end = end; }

    // Checks every invariant at virtual time `now`, step `step`. `ipc` has check_invariant(); `manager` has
    // registry() and admission() (core/grove/admission.hpp: the sums of the memory, thread and grant limits of the
    // registered groves that are not quarantined). False when one is broken (then violation()).
    template<typename Ipc, typename Manager>
    bool check(Ipc const& ipc, Manager const& manager, MachineMemory memory, Ticks now, u64 step) {
        if (m_broken) return false;
        ++m_checks;
        if (!ipc.check_invariant()) return fail({Invariant::IpcAccounting, step, now, 0, 1, 0});
        if (memory.free.value + memory.held.value != memory.frames.value)
            return fail({Invariant::MemoryAccounting, step, now, 0, memory.frames.value - memory.free.value,
                         memory.held.value});
        Registry const& registry = manager.registry();
        if (!check_limits(registry, now, step)) return false;
        if (!check_admission(registry, manager.admission(), now, step)) return false;
        return check_liveness(registry, now, step);
    }

    bool is_broken() const { return m_broken; }
    InvariantViolation const& violation() const { return m_violation; }
    u64 checks() const { return m_checks; }

private:
    // When the incarnation in a slot was first seen down while owed a respawn (serial 0: not down). The generation
    // is part of it: a grove respawned and down again between two checks is another wait, from the later check.
    struct Down {
        u32 serial = 0;
        u32 generation = 0;
        Ticks since{};
    };

    bool fail(InvariantViolation violation) {
        m_broken = true;
        m_violation = violation;
        return false;
    }
    bool check_limits(Registry const& registry, Ticks now, u64 step);
    bool check_liveness(Registry const& registry, Ticks now, u64 step);
    // The sums of the limits of the groves that are not quarantined, against the manager's reservation.
    template<typename Admission>
    bool check_admission(Registry const& registry, Admission const& admission, Ticks now, u64 step) {
        u64 memory = 0;
        u64 threads = 0;
        u64 grants = 0;
        registry.for_each([&](Grove const& g) {
            if (g.state == GroveState::Quarantined) return;
            memory += g.spec.limits.memory.value;
            threads += g.spec.limits.threads.value;
            grants += g.spec.limits.grants.value;
        });
        u64 const reserved_memory = admission.memory_reserved().value;
        if (reserved_memory != memory)
            return fail({Invariant::AdmissionReservation, step, now, 0, memory, reserved_memory});
        u64 const reserved_threads = admission.threads_reserved().value;
        if (reserved_threads != threads)
            return fail({Invariant::AdmissionReservation, step, now, 0, threads, reserved_threads});
        u64 const reserved_grants = admission.grants_reserved().value;
        if (reserved_grants != grants)
            return fail({Invariant::AdmissionReservation, step, now, 0, grants, reserved_grants});
        return true;
    }

    Down m_down[MaxGroves];
    Ticks m_faults_end{};
    u64 m_checks = 0;
    bool m_broken = false;
    InvariantViolation m_violation;
};

} // namespace grove

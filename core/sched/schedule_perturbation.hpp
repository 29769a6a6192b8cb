#pragma once
#include <core/base/std.hpp>

namespace grove {

// Schedule perturbation: how the scheduler departs, from a seed, from the one interleaving its policy would give,
// so that a sweep of seeds explores interleavings (DESIGN.md §3). Off unless a setting is non-zero; when off the
// scheduler draws nothing and behaves exactly as its policy says. Priorities are never perturbed: a higher
// priority still always runs first. Two departures, both among threads of one priority:
// - Quantum jitter: every full quantum a thread is given is drawn uniformly from quantum * (100 ± jitter) / 100.
// - Change points (PCT-style, Burckhardt et al., ASPLOS 2010): at a pick where the highest ready level holds more
//   than one candidate (the thread that was running counts, with quantum left or not), with probability
//   change_per_mille / 1000 the thread to run is drawn uniformly among them instead of taken from the front, and a
//   running thread that loses the draw goes to the back of its level with a fresh quantum.
struct SchedulePerturbation {
    u64 seed = 0;                   // of the scheduler's own generator (SeedStream::Schedule of the run's seed)
    u32 quantum_jitter_percent = 0; // 0..MaxQuantumJitterPercent
    u32 change_per_mille = 0;       // 0..1000

    static constexpr u32 MaxQuantumJitterPercent = 90;
    constexpr bool enabled() const { return quantum_jitter_percent != 0 || change_per_mille != 0; }
    constexpr bool valid() const {
        return quantum_jitter_percent <= MaxQuantumJitterPercent && change_per_mille <= 1000;
    }
    bool operator==(SchedulePerturbation const&) const = default;
};

} // namespace grove

#pragma once
#include <core/base/prng.hpp>
#include <core/sched/schedule_perturbation.hpp>

namespace grove {

// What a run draws random numbers for. Each purpose has a generator of its own, derived from the run's seed, so
// that drawing more for one purpose never shifts the numbers another one gets: a scenario that adds a random
// fault keeps its schedule perturbation, and the other way round. The values are part of what a seed means
// (changing one changes every run that draws for it): append, never renumber.
enum class SeedStream : u64 {
    FaultTimes = 1,   // the moments of faults given as a range (at = "10ms..20ms"), in file order
    RandomFaults = 2, // [[random_faults]]: one sub-stream per rule (the rule's index is the `index`)
    Schedule = 3,     // schedule perturbation: quantum jitter and change points among equal-priority threads
    Swarm = 4,        // swarm mode: which kinds, groves and counts each rule keeps
    Devices = 5,      // device models' behaviour (a disk's latencies with seeded timing; the disk's index is `index`)
    PowerCuts = 6,    // power-cut faults: how the sector being written when the power fails is torn, in fault order
};

// A 64-bit finalizer (the one of SplitMix64): every input bit affects every output bit.
constexpr u64 mix64(u64 z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// The seed of the generator for `stream` (and its `index`-th sub-stream) of a run seeded with `seed`. Distinct
// streams start from unrelated points of xoshiro256**'s sequence, never from neighbouring SplitMix64 counters.
constexpr u64 stream_seed(u64 seed, SeedStream stream, u64 index = 0) {
    return mix64(seed ^ mix64(static_cast<u64>(stream) << 32 ^ mix64(index + 0x5eed)));
}

constexpr Prng stream_prng(u64 seed, SeedStream stream, u64 index = 0) {
    return Prng(stream_seed(seed, stream, index));
}

// The perturbation of a run seeded with `seed`: the scheduler draws from SeedStream::Schedule.
constexpr SchedulePerturbation schedule_perturbation(u64 seed, u32 quantum_jitter_percent, u32 change_per_mille) {
    return SchedulePerturbation{stream_seed(seed, SeedStream::Schedule), quantum_jitter_percent, change_per_mille};
}

} // namespace grove

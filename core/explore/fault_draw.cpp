#include <core/explore/fault_draw.hpp>
#include <core/explore/seed_streams.hpp>

namespace grove {

namespace {

constexpr u64 draw_moment(Prng& prng, TimeWindow window) {
    return window.is_moment() ? window.first.value : prng.between(window.first.value, window.last.value);
}

// The index of a uniformly drawn set bit of `bits` (not zero).
u32 draw_bit(Prng& prng, u64 bits) {
    u64 nth = prng.below(static_cast<u64>(std::popcount(bits)));
    for (u32 bit = 0; bit < 64; ++bit) {
        if ((bits >> bit & 1) == 0) continue;
        if (nth == 0) return bit;
        --nth;
    }
    return 0;
}

// A non-empty subset of `bits`: each kept with probability 1/2, one drawn when none was.
u64 draw_subset(Prng& prng, u64 bits) {
    u64 kept = 0;
    for (u32 bit = 0; bit < 64; ++bit)
        if ((bits >> bit & 1) != 0 && (prng.next() >> 63) != 0) kept |= u64{1} << bit;
    return kept != 0 ? kept : u64{1} << draw_bit(prng, bits);
}

bool is_valid(TimeWindow window, Ticks end) { return window.first <= window.last && window.last < end; }

bool is_valid(RandomFaultRule const& rule, Ticks end, usize groves) {
    u64 const known = groves >= 64 ? ~u64{0} : (u64{1} << groves) - 1;
    bool const floods = (rule.actions & fault_action_bit(FaultAction::FloodStart)) != 0;
    bool const others = (rule.actions & ~fault_action_bit(FaultAction::FloodStart)) != 0;
    if (rule.actions == 0 || (rule.actions & ~RandomFaultActions) != 0) return false;
    if (!is_valid(rule.window, end) || rule.burst.first > rule.burst.last) return false;
    if ((rule.groves & ~known) != 0 || (rule.flooders & ~known) != 0) return false;
    if (others && rule.groves == 0) return false;
    if (floods != (rule.flooders != 0) || floods != (rule.flood_target < groves)) return false;
    if ((rule.actions & fault_action_bit(FaultAction::MemorySpike)) != 0 &&
        (rule.min_bytes.is_zero() || rule.min_bytes > rule.max_bytes))
        return false;
    return true;
}

SwarmChoice choose(RandomFaultRule const& rule, u64 seed, usize index, bool swarm) {
    if (!swarm) return SwarmChoice{rule.actions, rule.groves, rule.count};
    Prng prng = stream_prng(seed, SeedStream::Swarm, index);
    SwarmChoice choice;
    choice.actions = static_cast<u16>(draw_subset(prng, rule.actions));
    bool const others = (choice.actions & ~fault_action_bit(FaultAction::FloodStart)) != 0;
    choice.groves = others ? draw_subset(prng, rule.groves) : 0;
    choice.count = rule.count == 0 ? 0 : static_cast<u32>(prng.between(1, rule.count));
    return choice;
}

Result<void> draw_rule(RandomFaultRule const& rule, SwarmChoice const& choice, Prng& prng, Ticks end,
                       FaultSchedule& out) {
    for (u32 n = 0; n < choice.count; ++n) {
        PlanFault fault;
        fault.at = Ticks(draw_moment(prng, rule.window));
        fault.action = static_cast<FaultAction>(draw_bit(prng, choice.actions));
        if (fault.action == FaultAction::FloodStart) {
            fault.grove = static_cast<u8>(draw_bit(prng, rule.flooders));
            fault.target = rule.flood_target;
            fault.rate = rule.flood_rate;
            if (!out.faults.push_back(fault)) return Error::NoCapacity;
            Ticks const stop = fault.at + Ticks(draw_moment(prng, rule.burst));
            if (stop >= end) continue;
            PlanFault flood_stop;
            flood_stop.at = stop;
            flood_stop.action = FaultAction::FloodStop;
            flood_stop.grove = fault.grove;
            if (!out.faults.push_back(flood_stop)) return Error::NoCapacity;
            continue;
        }
        fault.grove = static_cast<u8>(draw_bit(prng, choice.groves));
        if (fault.action == FaultAction::MemorySpike)
            fault.bytes = Bytes(prng.between(rule.min_bytes.value, rule.max_bytes.value));
        if (!out.faults.push_back(fault)) return Error::NoCapacity;
    }
    return {};
}

// A stable insertion sort by time: the schedule is small and nearly sorted (scripted faults come in time order).
void sort_by_time(StaticVector<PlanFault, MaxPlanFaults>& faults) {
    for (usize i = 1; i < faults.size(); ++i) {
        PlanFault const fault = faults[i];
        usize j = i;
        for (; j > 0 && fault.at < faults[j - 1].at; --j) faults[j] = faults[j - 1];
        faults[j] = fault;
    }
}

} // namespace

Result<void> draw_fault_schedule(FaultDrawInput const& input, FaultSchedule& out) {
    out.faults.clear();
    out.choices.clear();
    if (input.rules.size > MaxRandomFaultRules) return Error::NoCapacity;
    Prng times = stream_prng(input.seed, SeedStream::FaultTimes);
    for (FaultTemplate const& scripted : input.scripted) {
        if (!is_valid(scripted.at, input.end)) return Error::InvalidArgument;
        PlanFault fault = scripted.fault;
        fault.at = Ticks(draw_moment(times, scripted.at));
        if (!out.faults.push_back(fault)) return Error::NoCapacity;
    }
    for (usize i = 0; i < input.rules.size; ++i) {
        RandomFaultRule const& rule = input.rules[i];
        if (!is_valid(rule, input.end, input.grove_count)) return Error::InvalidArgument;
        SwarmChoice const choice = choose(rule, input.seed, i, input.swarm);
        (void)out.choices.push_back(choice);
        Prng prng = stream_prng(input.seed, SeedStream::RandomFaults, i);
        TRY(draw_rule(rule, choice, prng, input.end, out));
    }
    sort_by_time(out.faults);
    return {};
}

} // namespace grove

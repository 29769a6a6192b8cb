#include <sim/scenario/disk_loader.hpp>
#include <sim/scenario/fault_realization.hpp>
#include <sim/scenario/quantity_text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace grove::scenario {

namespace {

u8 index_of(Scenario const& s, std::string const& name) {
    for (usize i = 0; i < s.groves.size(); ++i)
        if (s.groves[i].name == name) return static_cast<u8>(i);
    return PlanFault::NoTarget;
}

u64 grove_bits(Scenario const& s, RandomFaults const& rule, bool flooders) {
    u64 bits = 0;
    for (std::string const& name : rule.groves)
        if ((s.find_grove(name)->image == "flooder") == flooders) bits |= u64{1} << index_of(s, name);
    return bits;
}

RandomFaultRule core_rule(Scenario const& s, RandomFaults const& rule) {
    RandomFaultRule out;
    for (FaultAction action : rule.actions) out.actions = static_cast<u16>(out.actions | fault_action_bit(action));
    bool const floods = (out.actions & fault_action_bit(FaultAction::FloodStart)) != 0;
    out.groves = grove_bits(s, rule, false);
    out.flooders = floods ? grove_bits(s, rule, true) : 0;
    out.window = TimeWindow{rule.from, rule.until};
    out.count = rule.count;
    out.min_bytes = rule.min_bytes;
    out.max_bytes = rule.max_bytes;
    out.flood_target = floods ? index_of(s, rule.flood_target) : PlanFault::NoTarget;
    out.flood_rate = rule.flood_rate;
    out.burst = TimeWindow{rule.burst_min, rule.burst_max};
    return out;
}

std::string action_list(u16 actions) {
    std::string text;
    for (u8 value = 0; value < FaultActionCount; ++value) {
        auto const action = static_cast<FaultAction>(value);
        if ((actions & fault_action_bit(action)) == 0) continue;
        if (!text.empty()) text += ',';
        text += action == FaultAction::FloodStart ? "flood" : fault_action_name(action);
    }
    return text;
}

std::string grove_list(Scenario const& s, u64 groves) {
    std::string text;
    for (usize i = 0; i < s.groves.size() && i < 64; ++i) {
        if ((groves >> i & 1) == 0) continue;
        if (!text.empty()) text += ',';
        text += s.groves[i].name;
    }
    return text;
}

// Writes the seed into every argument "{seed}" of a grove, so that a grove can draw from the run's seed.
void substitute_seed(Scenario& s, u64 seed) {
    for (GroveSpec& grove : s.groves)
        for (std::string& argument : grove.args)
            if (argument == SeedArgument) argument = fmt::format("{}", seed);
}

} // namespace

PlanFault plan_fault(Scenario const& s, Fault const& fault) {
    PlanFault p;
    p.at = fault.at;
    p.action = fault.action;
    p.grove = index_of(s, fault.grove);
    if (fault.action == FaultAction::FloodStart) p.target = index_of(s, fault.target);
    p.rate = fault.rate;
    p.bytes = fault.bytes;
    return p;
}

Fault scenario_fault(Scenario const& s, PlanFault const& fault) {
    Fault f;
    f.at = fault.at;
    f.action = fault.action;
    f.grove = s.groves.at(fault.grove).name;
    if (fault.action == FaultAction::FloodStart) f.target = s.groves.at(fault.target).name;
    f.rate = fault.rate;
    f.bytes = fault.bytes;
    return f;
}

RealizedScenario realize_faults(Scenario const& s, u64 seed) {
    RealizedScenario realized{s, {}, false, ""};
    realized.error = put_disk_loaders(realized.scenario);
    if (!realized.error.empty()) return realized;
    realized.scenario.seed = seed;
    substitute_seed(realized.scenario, seed);
    if (!s.draws_from_seed()) return realized;

    std::vector<FaultTemplate> templates;
    for (Fault const& fault : s.faults)
        templates.push_back(
            FaultTemplate{TimeWindow{fault.at, fault.at_latest.value_or(fault.at)}, plan_fault(s, fault)});
    std::vector<RandomFaultRule> rules;
    for (RandomFaults const& rule : s.random_faults) rules.push_back(core_rule(s, rule));
    FaultDrawInput const input{
        seed,           s.duration, s.groves.size(), {templates.data(), templates.size()}, {rules.data(), rules.size()},
        s.explore.swarm};
    auto schedule = std::make_unique<FaultSchedule>();
    if (Result<void> drawn = draw_fault_schedule(input, *schedule); drawn.is_error()) {
        realized.error = fmt::format("the faults of scenario '{}' cannot be drawn: {} (at most {} faults in a run)",
                                     s.name, error_name(drawn.error()), MaxPlanFaults);
        return realized;
    }
    realized.scenario.faults.clear();
    for (PlanFault const& fault : schedule->faults) realized.scenario.faults.push_back(scenario_fault(s, fault));
    realized.scenario.random_faults.clear();
    realized.drew_faults = true;
    realized.choices.assign(schedule->choices.begin(), schedule->choices.end());
    return realized;
}

std::vector<std::string> describe_realization(RealizedScenario const& realized) {
    std::vector<std::string> lines;
    Scenario const& s = realized.scenario;
    for (usize i = 0; i < realized.choices.size(); ++i) {
        SwarmChoice const& choice = realized.choices[i];
        lines.push_back(fmt::format("random_faults {}: {} on {}, {} faults", i + 1, action_list(choice.actions),
                                    grove_list(s, choice.groves), choice.count));
    }
    for (Fault const& fault : s.faults) {
        std::string line =
            fmt::format("at {}: {} {}", format_duration(fault.at), fault_action_name(fault.action), fault.grove);
        if (fault.action == FaultAction::MemorySpike) line += fmt::format(" {} bytes", fault.bytes.value);
        if (fault.action == FaultAction::FloodStart) line += fmt::format(" -> {} rate {}", fault.target, fault.rate);
        lines.push_back(std::move(line));
    }
    return lines;
}

} // namespace grove::scenario

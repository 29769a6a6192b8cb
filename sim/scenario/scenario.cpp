#include <sim/scenario/scenario.hpp>

#include <algorithm>
#include <array>

namespace grove::scenario {
namespace {

template<typename Enum>
struct NamedValue {
    Enum value;
    std::string_view name;
};

constexpr std::array<NamedValue<ViolationPolicy>, 3> ViolationPolicyNames{{
    {ViolationPolicy::Deny, "deny"},
    {ViolationPolicy::Throttle, "throttle"},
    {ViolationPolicy::Kill, "kill"},
}};

constexpr std::array<NamedValue<RespawnPolicy>, 4> RespawnPolicyNames{{
    {RespawnPolicy::Never, "never"},
    {RespawnPolicy::Always, "always"},
    {RespawnPolicy::OnFailure, "on-failure"},
    {RespawnPolicy::Limited, "limited"},
}};

constexpr std::array<NamedValue<GroveState>, 6> GroveStateNames{{
    {GroveState::Loading, "loading"},
    {GroveState::Running, "running"},
    {GroveState::Stopping, "stopping"},
    {GroveState::Stopped, "stopped"},
    {GroveState::Faulted, "faulted"},
    {GroveState::Quarantined, "quarantined"},
}};

template<typename Enum, usize N>
std::string_view name_of(std::array<NamedValue<Enum>, N> const& table, Enum value) {
    for (auto const& entry : table)
        if (entry.value == value) return entry.name;
    return "?";
}

template<typename Enum, usize N>
std::optional<Enum> value_of(std::array<NamedValue<Enum>, N> const& table, std::string_view name) {
    for (auto const& entry : table)
        if (entry.name == name) return entry.value;
    return std::nullopt;
}

template<typename Enum, usize N>
std::vector<std::string_view> names_of(std::array<NamedValue<Enum>, N> const& table) {
    std::vector<std::string_view> names;
    names.reserve(N);
    for (auto const& entry : table) names.push_back(entry.name);
    return names;
}

} // namespace

GroveSpec const* Scenario::find_grove(std::string_view grove_name) const {
    for (GroveSpec const& grove : groves)
        if (grove.name == grove_name) return &grove;
    return nullptr;
}

bool Scenario::draws_from_seed() const {
    bool const ranged =
        std::any_of(faults.begin(), faults.end(), [](Fault const& f) { return f.at_latest.has_value(); });
    return ranged || !random_faults.empty();
}

std::string_view violation_policy_name(ViolationPolicy policy) { return name_of(ViolationPolicyNames, policy); }
std::string_view respawn_policy_name(RespawnPolicy policy) { return name_of(RespawnPolicyNames, policy); }
std::string_view grove_state_name(GroveState state) { return name_of(GroveStateNames, state); }

std::optional<ViolationPolicy> violation_policy_from_name(std::string_view name) {
    return value_of(ViolationPolicyNames, name);
}
std::optional<RespawnPolicy> respawn_policy_from_name(std::string_view name) {
    return value_of(RespawnPolicyNames, name);
}
std::optional<FaultAction> fault_action_from_name(std::string_view name) {
    for (u8 value = 0; value < FaultActionCount; ++value)
        if (fault_action_name(static_cast<FaultAction>(value)) == name) return static_cast<FaultAction>(value);
    return std::nullopt;
}
std::optional<GroveState> grove_state_from_name(std::string_view name) { return value_of(GroveStateNames, name); }

std::vector<std::string_view> violation_policy_names() { return names_of(ViolationPolicyNames); }
std::vector<std::string_view> respawn_policy_names() { return names_of(RespawnPolicyNames); }
std::vector<std::string_view> fault_action_names() {
    std::vector<std::string_view> names;
    for (u8 value = 0; value < FaultActionCount; ++value)
        names.emplace_back(fault_action_name(static_cast<FaultAction>(value)));
    return names;
}
std::vector<std::string_view> grove_state_names() { return names_of(GroveStateNames); }

} // namespace grove::scenario

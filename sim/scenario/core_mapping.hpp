#pragma once
#include <core/grove/grove_spec.hpp>
#include <core/grove/limits.hpp>
#include <core/grove/respawn.hpp>
#include <sim/scenario/scenario.hpp>

// A scenario grove's limits and respawn settings as the core's types: one mapping for the simulator's runner
// (sim/runner/spec_mapping.cpp) and the boot plan of the bare-metal target (sim/metal/plan_compiler.cpp), so that
// both run the same grove.
namespace grove::scenario {

// The most crashes the core keeps in one window.
inline constexpr u32 MostCrashesInWindow = static_cast<u32>(MaxCrashesPerWindow) - 1;

// The scenario's limits; the CPU period stays the core's default.
inline ResourceLimits core_limits(Limits const& limits) {
    ResourceLimits out;
    out.memory = limits.memory;
    out.threads = Count(limits.threads);
    out.cpu_percent = limits.cpu_percent;
    out.file_handles = Count(limits.file_handles);
    out.ipc_messages_per_second = limits.ipc_rate;
    out.ipc_burst = limits.ipc_burst;
    out.grants = Count(limits.grants);
    switch (limits.on_violation) {
    case ViolationPolicy::Deny: out.policy = grove::ViolationPolicy::Deny; break;
    case ViolationPolicy::Throttle: out.policy = grove::ViolationPolicy::Throttle; break;
    case ViolationPolicy::Kill: out.policy = grove::ViolationPolicy::Kill; break;
    }
    return out;
}

inline grove::RespawnPolicy core_respawn(Respawn const& respawn) {
    switch (respawn.policy) {
    case RespawnPolicy::Never: return grove::RespawnPolicy::never();
    case RespawnPolicy::Always: return grove::RespawnPolicy::always();
    case RespawnPolicy::OnFailure: return grove::RespawnPolicy::on_failure();
    case RespawnPolicy::Limited: return grove::RespawnPolicy::limited(respawn.max);
    }
    return grove::RespawnPolicy::never();
}

// max_crashes_in_window = 0 (no window) becomes the most crashes the core keeps in a window of one tick, which
// never holds more than one. A count above MostCrashesInWindow is passed on as it is (the core refuses it).
inline RestartBudget core_budget(Respawn const& respawn) {
    RestartBudget out;
    if (respawn.max_crashes_in_window == 0) {
        out.max_crashes = MostCrashesInWindow;
        out.window = Ticks(1);
    } else {
        out.max_crashes = respawn.max_crashes_in_window;
        out.window = respawn.window;
    }
    out.backoff_base = respawn.backoff_base;
    out.backoff_cap = respawn.backoff_cap;
    out.healthy_uptime = respawn.healthy_uptime;
    return out;
}

// The services the grove provides, by the capability each needs (the parser accepted only their names).
inline ProvidedServices core_provides(GroveSpec const& grove) {
    ProvidedServices out;
    for (std::string const& service : grove.provides)
        for (CapabilityKind const kind : ProvidedServices::Kinds)
            if (service == capability_kind_name(kind)) (void)out.add(kind);
    return out;
}

} // namespace grove::scenario

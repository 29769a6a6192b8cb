#pragma once
#include <core/grove/capabilities.hpp>
#include <core/grove/grove_name.hpp>
#include <core/grove/image.hpp>
#include <core/grove/limits.hpp>
#include <core/grove/respawn.hpp>

namespace grove {

inline constexpr usize MaxArguments = 8;
inline constexpr usize MaxArgumentLength = 63;
using GroveArgument = FixedString<MaxArgumentLength>;

// Everything needed to load a grove, as a scenario or a boot plan gives it. The manager keeps a copy for as long as
// the grove is registered (respawns load the same image again); the image's file bytes are referenced, not copied.
struct GroveSpec {
    GroveName name;
    Capabilities capabilities;
    ResourceLimits limits;
    RespawnPolicy respawn = RespawnPolicy::never();
    RestartBudget restart_budget;
    u8 priority = 0; // the scheduler's to interpret; carried unchanged
    ImagePlan image;
    StaticVector<GroveArgument, MaxArguments> arguments; // argv[1..]; argv[0] is the name
    Ticks stop_timeout = milliseconds(100);              // a graceful stop is a kill after this long
    Ticks watchdog_timeout{};                            // no heartbeat for this long is a crash; zero: no watchdog
};

} // namespace grove

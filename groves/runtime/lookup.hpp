#pragma once
#include <core/base/std.hpp>

namespace grove::rt {

// Looks up the grove called `name`, retrying while it is not there yet (NotFound: it may start after the
// caller, or be respawning), sleeping `pause_ticks` between at most `attempts` tries (Forever: no limit).
// Returns the send handle, or -(status) of the last refusal.
long lookup_service(char const* name, u64 attempts, u64 pause_ticks);

} // namespace grove::rt

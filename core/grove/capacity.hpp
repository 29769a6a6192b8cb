#pragma once
#include <core/base/std.hpp>

namespace grove {

// How many groves one kernel holds at once.
inline constexpr usize MaxGroves = 64;

} // namespace grove

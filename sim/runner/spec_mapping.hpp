#pragma once
#include <core/grove/grove_spec.hpp>
#include <sim/scenario/scenario.hpp>

#include <string>
#include <vector>

namespace grove::runner {

// The core's GroveSpec for one scenario grove, or why there is none (a sentence naming the grove).
struct SpecMapping {
    GroveSpec spec;
    std::string error; // empty on success
    bool ok() const { return error.empty(); }
};

// Maps a scenario grove onto the core's spec: name, capabilities, limits (cpu period: the scheduler's default),
// respawn policy and restart budget, priority, arguments (argv[1..]), stop timeout, and `image` as its image.
// `arguments` replaces the grove's own args (a flood-start names its target). The window of the crash-rate
// check: max_crashes_in_window = 0 (no window) becomes the largest count the core keeps over a 1 ns window;
// counts the core cannot keep are an error, as are capacities it does not have (too many port ranges...).
SpecMapping map_grove_spec(scenario::GroveSpec const& grove, ImagePlan const& image,
                           std::vector<std::string> const& arguments);

} // namespace grove::runner

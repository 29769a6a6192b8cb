#pragma once
#include <sim/scenario/scenario.hpp>

#include <string>

namespace grove::scenario {

// A scenario as a scenario file (scenarios/README.md) that the parser reads back as an equal Scenario: every key
// written out, defaults included, so that the file does not depend on the defaults of the simulator that reads
// it. Durations and sizes are written exactly (quantity_text.hpp); a disk is written with its resolved image path,
// so the file can live in any directory. The scenario must keep the invariants scenario.hpp states; a fault given as
// a range and [[random_faults]] rules are written as such (realize_faults first for a file with every choice fixed).
std::string format_scenario(Scenario const& s);

} // namespace grove::scenario

#pragma once
#include <core/base/std.hpp>
#include <sim/scenario/diagnostic.hpp>

#include <optional>
#include <string_view>

namespace grove::scenario {

// What a scenario file may hold before any TOML library sees it (scenarios/README.md, "Limits"). The TOML
// library recurses on dotted keys and nesting and has undefined behaviour on some non-ASCII characters, so the
// text is checked first, in one linear pass.
inline constexpr usize MaxScenarioFileBytes = usize{1} << 20; // 1 MiB
inline constexpr usize MaxScenarioKeys = 10'000;              // key = value pairs and [table] headers
inline constexpr usize MaxDottedKeyParts = 8;                 // a.b.c is 3 parts
inline constexpr usize MaxValueNesting = 8;                   // arrays and inline tables inside each other

// Checks `text` (the file `name`) against the limits above and against characters the library must not see:
// outside comments and one-line strings ("..." or '...') a scenario is ASCII. The first problem comes back as a
// Diagnostic with its line and column (columns count characters); nothing when the text may be parsed.
std::optional<Diagnostic> check_scenario_text(std::string_view text, std::string_view name);

} // namespace grove::scenario

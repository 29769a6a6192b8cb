#pragma once

namespace grove::sim {

// What grovesim returns, for every subcommand: 0 when all went well, 1 when an expectation failed (a scenario's
// verdict), 2 on bad input (a command line it cannot parse, a file it cannot read or that is not valid).
enum ExitStatus : int {
    ExitSuccess = 0,
    ExitFailure = 1,
    ExitBadInput = 2,
};

} // namespace grove::sim

#pragma once
// The subcommands of grovesim. Each one lives in its own file (cli/<name>_command.cpp), defines one function here
// that adds it to the application (its options, its help and the callback that runs it), and is listed in
// cli/main.cpp. The callback stores the process's exit status in `exit_status` (cli/exit_status.hpp).
#include <CLI/CLI.hpp>

namespace grove::sim {

using AddCommand = void (*)(CLI::App& app, int& exit_status);

// grovesim inspect FILE: validates a grove image and prints its plan and the verdict.
void add_inspect_command(CLI::App& app, int& exit_status);

// grovesim run SCENARIO...: replays scenarios in the simulator; prints traces, verdict tables and digests.
void add_run_command(CLI::App& app, int& exit_status);

// grovesim list: prints the shipped scenario files, one path per line.
void add_list_command(CLI::App& app, int& exit_status);

} // namespace grove::sim

#pragma once
// The subcommands of grovesim. Each one lives in its own file (cli/<name>_command.cpp), defines one function here
// that adds it to the application (its options, its help and the callback that runs it), and is listed in
// cli/main.cpp. The callback stores the process's exit status in `exit_status` (cli/exit_status.hpp).
#include <CLI/CLI.hpp>

namespace grove::sim {

using AddCommand = void (*)(CLI::App& app, int& exit_status);

// grovesim inspect FILE: validates a grove image and prints its plan and the verdict.
void add_inspect_command(CLI::App& app, int& exit_status);

// grovesim run [--target metal] SCENARIO...: replays scenarios in the simulator (or boots them in QEMU); prints
// traces, verdict tables and digests.
void add_run_command(CLI::App& app, int& exit_status);

// grovesim list [--target metal]: prints the shipped scenario files (that run on metal), one path per line.
void add_list_command(CLI::App& app, int& exit_status);

// grovesim diff SCENARIO...: runs scenarios in the simulator and on metal and compares each grove's events.
void add_diff_command(CLI::App& app, int& exit_status);

// grovesim sweep SCENARIO --seeds A..B [--jobs N] [--shard I/N]: runs a scenario once per seed, each in a child
// process; prints the progress, a summary and the failing seeds' reproduction lines. Also grovesim sweep-merge.
void add_sweep_command(CLI::App& app, int& exit_status);

// grovesim shrink SCENARIO --seed S -o MIN.toml: writes the failing run as an explicit scenario and shrinks it
// (faults, groves, duration) while it fails the same way.
void add_shrink_command(CLI::App& app, int& exit_status);

// grovesim divergence A.jsonl B.jsonl: the first point where two traces part.
void add_divergence_command(CLI::App& app, int& exit_status);

// grovesim disk make|put|import|export|get|ls|history|log|rm|restore|query|check IMAGE ...: World-Tree images
// offline, with the format code of the world-tree grove.
void add_disk_command(CLI::App& app, int& exit_status);

// grovesim forge FILE.gw -o OUT.elf [--run]: compiles a Glimmer-Weave program into a grove image (forge/) and, with
// --run, runs it in the simulator and prints its console output; exit 2 with the errors when it does not compile.
void add_forge_command(CLI::App& app, int& exit_status);

// grovesim completion bash: a bash completion script generated from the application's commands and options (add
// it last, so that it sees every other command).
void add_completion_command(CLI::App& app, int& exit_status);

} // namespace grove::sim

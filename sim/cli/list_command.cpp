// grovesim list [--target metal]: the shipped scenario files (those that run on metal), one path per line.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/metal_target.hpp>
#include <sim/cli/scenario_directory.hpp>

#include <sim/scenario/scenario_parser.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <system_error>

namespace grove::sim {

std::filesystem::path shipped_scenario_directory() { return GROVE_SCENARIO_DIR; }

std::vector<std::filesystem::path> shipped_scenarios() {
    std::vector<std::filesystem::path> files;
    std::error_code error;
    for (auto const& entry : std::filesystem::directory_iterator(shipped_scenario_directory(), error))
        if (entry.is_regular_file() && entry.path().extension() == ".toml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

namespace {

// The path relative to the current directory when the file is below it, else as it is.
std::string display_path(std::filesystem::path const& path) {
    std::error_code error;
    std::filesystem::path const relative = std::filesystem::relative(path, std::filesystem::current_path(), error);
    if (error || relative.empty() || *relative.begin() == "..") return path.string();
    return relative.string();
}

// With Target::Metal only the scenarios metal_host::can_run_on_metal accepts; the others are named on stderr with
// the reason, and a file that does not parse is reported there too (exit 2, the others still listed).
int list(Target target) {
    auto const files = shipped_scenarios();
    if (files.empty()) {
        fmt::print(stderr, "grovesim list: no scenario files in {}\n", shipped_scenario_directory().string());
        return ExitBadInput;
    }
    int status = ExitSuccess;
    for (auto const& file : files) {
        if (target == Target::Metal) {
            auto parsed = scenario::parse_scenario_file(file, scenario::ParseOptions{});
            if (!parsed) {
                fmt::print(stderr, "grovesim list: {}\n", parsed.error().text());
                status = ExitBadInput;
                continue;
            }
            if (auto reason = metal_host::metal_unsupported_reason(parsed.value())) {
                fmt::print(stderr, "grovesim list: not on metal: {}: {}\n", display_path(file), *reason);
                continue;
            }
        }
        fmt::print("{}\n", display_path(file));
    }
    return status;
}

} // namespace

void add_list_command(CLI::App& app, int& exit_status) {
    CLI::App* command = app.add_subcommand(
        "list", fmt::format("Print the shipped scenario files ({}), one path per line: `grovesim run $(grovesim list)` "
                            "replays them all. With --target metal, only those that run on the bare-metal kernel "
                            "(the others are named on stderr with the reason).",
                            shipped_scenario_directory().string()));
    auto target = std::make_shared<Target>(Target::Sim);
    add_target_option(*command, *target);
    command->callback([target, &exit_status] { exit_status = list(*target); });
}

} // namespace grove::sim

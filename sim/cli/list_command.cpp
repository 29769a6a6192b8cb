// grovesim list: the shipped scenario files, one path per line.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/scenario_directory.hpp>

#include <fmt/format.h>

#include <algorithm>
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

int list() {
    auto const files = shipped_scenarios();
    if (files.empty()) {
        fmt::print(stderr, "grovesim list: no scenario files in {}\n", shipped_scenario_directory().string());
        return ExitBadInput;
    }
    for (auto const& file : files) fmt::print("{}\n", display_path(file));
    return ExitSuccess;
}

} // namespace

void add_list_command(CLI::App& app, int& exit_status) {
    CLI::App* command = app.add_subcommand(
        "list", fmt::format("Print the shipped scenario files ({}), one path per line: `grovesim run $(grovesim list)` "
                            "replays them all.",
                            shipped_scenario_directory().string()));
    command->callback([&exit_status] { exit_status = list(); });
}

} // namespace grove::sim

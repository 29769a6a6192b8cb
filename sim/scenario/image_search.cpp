#include <sim/scenario/image_search.hpp>

#include <sim/scenario/strict_table.hpp>
#include <sim/scenario/untrusted_text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace grove::scenario {

namespace {

// At most this many entries of each directory are read for a suggestion: a missing image never scans a huge folder.
constexpr std::size_t MaxEntriesScanned = 4096;

} // namespace

bool is_valid_image_name(std::string_view name) {
    if (name.empty() || name.size() > MaxImageNameLength || name[0] == '.' || name[0] == '-') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.';
    });
}

std::optional<std::filesystem::path> ImageSearch::find(std::string_view name) const {
    if (!is_valid_image_name(name)) return std::nullopt;
    for (std::filesystem::path const& directory : m_directories) {
        std::filesystem::path path = directory / (std::string(name) + ".elf");
        std::error_code error;
        if (std::filesystem::is_regular_file(path, error)) return path;
    }
    return std::nullopt;
}

std::string ImageSearch::missing(std::string_view name) const {
    std::vector<std::string> tried;
    std::set<std::string> present;
    for (std::filesystem::path const& directory : m_directories) {
        tried.push_back(directory.string());
        std::error_code error;
        std::size_t scanned = 0;
        for (std::filesystem::directory_iterator it(directory, error), end;
             !error && it != end && scanned < MaxEntriesScanned; it.increment(error), ++scanned)
            if (it->path().extension() == ".elf") present.insert(it->path().stem().string());
    }
    std::vector<std::string_view> const candidates(present.begin(), present.end());
    std::string const where =
        tried.empty() ? std::string("no directory (give --images DIR)") : fmt::format("{}", fmt::join(tried, ", "));
    return fmt::format("no grove image {} ({}.elf) in {}{}; build it, or give the directory that holds it with "
                       "--images DIR",
                       quoted_text(name), printable(name, MaxImageNameLength + 8), where, suggestion(name, candidates));
}

} // namespace grove::scenario

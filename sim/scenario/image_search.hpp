#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grove::scenario {

// A scenario's `image = "pong"` names the file pong.elf; a valid image name is 1 to MaxImageNameLength letters,
// digits, '-', '_' or '.', not starting with '.' or '-', so that it can only name a file of the directory searched
// (no '/', no "..") and travels unquoted on a boot loader's module line.
inline constexpr std::size_t MaxImageNameLength = 64;
bool is_valid_image_name(std::string_view name);

// Where the images of a run are found, by name: `<directory>/<name>.elf` in the first of `directories` that holds
// it (a regular file). Any name: the build's own programs are just the last directory of the usual search.
class ImageSearch {
public:
    explicit ImageSearch(std::vector<std::filesystem::path> directories) : m_directories(std::move(directories)) {}

    // The image's path, or nothing when no directory holds <name>.elf (or the name is not a valid image name).
    std::optional<std::filesystem::path> find(std::string_view name) const;
    // Why find(name) found nothing: the image, every directory tried and the closest name present, if one is close.
    std::string missing(std::string_view name) const;
    std::vector<std::filesystem::path> const& directories() const { return m_directories; }

private:
    std::vector<std::filesystem::path> m_directories;
};

} // namespace grove::scenario

#include <sim/cli/images_option.hpp>
#include <sim/runner/grove_images.hpp>

#include <fmt/format.h>

namespace grove::sim {

void add_images_option(CLI::App& command, ImageDirectories& directories) {
    command.add_option("--images", directories,
                       fmt::format("A directory holding grove images <name>.elf: a scenario's image = \"name\" is "
                                   "the first <DIR>/<name>.elf of these directories (the option may be repeated), "
                                   "then of the build's own {}, for any name",
                                   runner::default_image_directory().string()));
}

} // namespace grove::sim

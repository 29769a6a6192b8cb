#include <sim/backend/tool_versions.hpp>
#include <sim/cli/version.hpp>
#include <sim/metal/metal_runner.hpp>

#include <grove_source_commit.hpp>

#include <fmt/format.h>

namespace grove::sim {

std::string version_text() {
    std::string const qemu = metal_host::default_metal_options().qemu;
    return fmt::format("grovesim {}\nsource commit: {}\nunicorn: {}\ncapstone: {}\nqemu: {} ({})", GROVE_VERSION,
                       GROVE_SOURCE_COMMIT, unicorn_version(), capstone_version(), qemu_version(qemu), qemu);
}

} // namespace grove::sim

#pragma once
// The versions of the tools a run depends on, read at run time (the build cannot know which library or QEMU the
// machine has): for `grovesim --version` and the context block of every benchmark's JSON.
#include <string>

namespace grove::sim {

// "2.0.1": the Unicorn library this process loaded (uc_version).
std::string unicorn_version();
// "4.0": the Capstone library this process loaded (cs_version).
std::string capstone_version();
// The first line of `<qemu> --version`, or "unavailable" when it does not run.
std::string qemu_version(std::string const& qemu = "qemu-system-x86_64");

} // namespace grove::sim

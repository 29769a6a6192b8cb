#pragma once
#include <string>

namespace grove::sim {

// What `grovesim --version` prints: Grove's version and source commit (fixed at build time), and the Unicorn,
// Capstone and QEMU versions found at run time, one per line.
std::string version_text();

} // namespace grove::sim

#include <sim/backend/tool_versions.hpp>

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include <cstdio>

namespace grove::sim {

namespace {

std::string dotted(unsigned major, unsigned minor) { return std::to_string(major) + "." + std::to_string(minor); }

// `program` quoted for sh -c: inside single quotes, each ' written '\''.
std::string shell_quoted(std::string const& program) {
    std::string quoted = "'";
    for (char c : program) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

} // namespace

std::string unicorn_version() {
    unsigned major = 0;
    unsigned minor = 0;
    unsigned const packed = uc_version(&major, &minor);
    // uc_version packs major.minor.patch.extra as bytes; the patch level is the second-lowest byte.
    return dotted(major, minor) + "." + std::to_string((packed >> 8) & 0xff);
}

std::string capstone_version() {
    int major = 0;
    int minor = 0;
    (void)cs_version(&major, &minor);
    return dotted(static_cast<unsigned>(major), static_cast<unsigned>(minor));
}

std::string qemu_version(std::string const& qemu) {
    std::FILE* pipe = popen((shell_quoted(qemu) + " --version 2>/dev/null").c_str(), "r");
    if (pipe == nullptr) return "unavailable";
    char line[256] = {};
    bool const has_line = std::fgets(line, sizeof line, pipe) != nullptr;
    int const status = pclose(pipe);
    if (!has_line || status != 0) return "unavailable";
    std::string text = line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

} // namespace grove::sim

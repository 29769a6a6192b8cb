#include <bench/support/host_channel.hpp>

#include <cerrno>
#include <cstring>

namespace grove::bench {

std::string describe_errno(char const* call) { return std::string(call) + ": " + std::strerror(errno); }

} // namespace grove::bench

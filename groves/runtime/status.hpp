#pragma once
#include <core/base/std.hpp>

namespace grove::rt {

// The name of a status of core/abi/status.hpp ("LimitExceeded"), given either the status or a failed syscall's
// result -(status); "Unknown" for anything else.
char const* status_name(long status_or_result);

} // namespace grove::rt

#pragma once
#include <core/abi/syscall.hpp>

namespace grove::rt {

// Answers one Call: `request` as received (header and payload), `reply` zeroed; fill in the reply's tag and payload.
using CallHandler = void (*)(abi::Message const& request, abi::Message& reply);

// Serves the Calls that arrive on the grove's own endpoint, each answered with what `handle` made of it, until the
// kernel asks the grove to stop: then returns 0 (the exit code of a graceful stop). Messages that are not Calls
// (nobody waits for an answer) and other kernel notices are dropped; a failed receive or reply is printed with
// `name` and serving goes on.
int serve_calls(char const* name, CallHandler handle);

} // namespace grove::rt

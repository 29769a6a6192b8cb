#pragma once
#include <core/base/std.hpp>

namespace grove::rt {

// Exit codes the runtime and the programs share (the BSD sysexits values).
inline constexpr int ExitUsage = 64;    // bad arguments
inline constexpr int ExitNoInput = 66;  // what it was asked to read does not exist
inline constexpr int ExitSoftware = 70; // a runtime panic, or an instruction that should have faulted did not

// Prints "panic: <message>" on the console and ends the grove with `exit_code`.
[[noreturn, gnu::format(printf, 2, 3)]] void panic(int exit_code, char const* format, ...);

// Prints `text` (the usage of a program) and ends the grove with ExitUsage.
[[noreturn]] void usage(char const* text);

} // namespace grove::rt

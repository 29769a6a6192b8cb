#pragma once
#include <core/base/std.hpp>

namespace grove {

// What a broken invariant does is the backend's choice: the simulator reports and aborts, the kernel prints on
// the serial port and halts, tests turn it into a failure. The hook must not return; if it does, or none is
// installed, the CPU traps.
using PanicHandler = void (*)(char const* file, int line, char const* message);

void set_panic_handler(PanicHandler handler);
[[noreturn]] void panic(char const* file, int line, char const* message);

} // namespace grove

#define GROVE_STRINGIFY_(x) #x
#define GROVE_STRINGIFY(x) GROVE_STRINGIFY_(x)

// Checked in every build: the cost is a compare and a predicted branch.
#define GROVE_ASSERT(cond)                                                                                             \
    do {                                                                                                               \
        if (!(cond)) [[unlikely]]                                                                                      \
            ::grove::panic(__FILE__, __LINE__, "assertion failed: " #cond);                                            \
    } while (0)

#define GROVE_UNREACHABLE() ::grove::panic(__FILE__, __LINE__, "unreachable")

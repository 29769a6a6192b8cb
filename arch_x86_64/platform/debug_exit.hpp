#pragma once
#include <core/base/std.hpp>

namespace grove::metal {

// QEMU's isa-debug-exit device at port 0xf4 (-device isa-debug-exit,iobase=0xf4,iosize=0x04): writing v makes
// QEMU exit with status (v << 1) | 1. On a machine without the device the write does nothing and the kernel halts.
// The only QEMU-specific thing in the kernel; boot tests read their verdict from it.
class DebugExit {
public:
    static constexpr u32 Success = 0x10; // QEMU exits with 33
    static constexpr u32 Failure = 0x11; // QEMU exits with 35 (failed self-test, panic)

    [[noreturn]] static void exit(u32 code);
};

} // namespace grove::metal

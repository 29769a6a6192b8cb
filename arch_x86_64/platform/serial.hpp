#pragma once
#include <core/base/std.hpp>

namespace grove::metal {

// COM1 at 115200 baud, 8 data bits, no parity, one stop bit; polled, no interrupts. The kernel's only console.
// Stateless apart from the port: every function may be called at any time after init(), including from a panic.
class Serial {
public:
    static void init();
    static void write(char const* text, usize length);
    static void write(char const* text);
    static void write_hex(u64 value);
    static void write_decimal(u64 value);
};

} // namespace grove::metal

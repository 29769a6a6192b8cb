#pragma once
#include <core/base/std.hpp>

namespace grove::metal {

// COM1 at 115200 baud, 8 data bits, no parity, one stop bit; polled, no interrupts. The kernel's only console.
// Stateless apart from the port: every function may be called at any time after init(), including from a panic.
// Bytes go out in bursts of the transmit FIFO's 16, one status read per burst and one port write per byte (a single
// rep outsb): under QEMU's -icount a byte costs about one instruction.
class Serial {
public:
    static void init();
    // `text` as it is, without newline translation.
    static void write_raw(char const* text, usize length);
    // `text` with each "\n" written as "\r\n".
    static void write(char const* text, usize length);
    static void write(char const* text);
    static void write_hex(u64 value);
    static void write_decimal(u64 value);
};

} // namespace grove::metal

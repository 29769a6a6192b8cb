#include <arch_x86_64/platform/serial.hpp>

#include <arch_x86_64/platform/cpu.hpp>
#include <core/base/decimal.hpp>

namespace grove::metal {

namespace {
constexpr u16 Com1 = 0x3f8;
constexpr u16 Data = Com1 + 0, InterruptEnable = Com1 + 1, FifoControl = Com1 + 2, LineControl = Com1 + 3,
              ModemControl = Com1 + 4, LineStatus = Com1 + 5;
constexpr u8 TransmitEmpty = 0x20; // THRE: with the FIFO on, the whole transmit FIFO is empty
constexpr usize FifoDepth = 16;    // the 16550A's transmit FIFO, enabled by init()
} // namespace

void Serial::init() {
    cpu::out8(InterruptEnable, 0x00);
    cpu::out8(LineControl, 0x80); // divisor latch
    cpu::out8(Data, 0x01);        // 115200 / 1
    cpu::out8(InterruptEnable, 0x00);
    cpu::out8(LineControl, 0x03); // 8N1
    cpu::out8(FifoControl, 0xc7);
    cpu::out8(ModemControl, 0x03);
}

void Serial::write_raw(char const* text, usize length) {
    while (length > 0) {
        usize const burst = length < FifoDepth ? length : FifoDepth;
        while ((cpu::in8(LineStatus) & TransmitEmpty) == 0) {}
        cpu::out8_string(Data, text, burst);
        text += burst;
        length -= burst;
    }
}

void Serial::write(char const* text, usize length) {
    usize start = 0;
    for (usize i = 0; i < length; ++i) {
        if (text[i] != '\n') continue;
        write_raw(text + start, i - start);
        write_raw("\r\n", 2);
        start = i + 1;
    }
    write_raw(text + start, length - start);
}

void Serial::write(char const* text) { write(text, string_length(text)); }

void Serial::write_hex(u64 value) {
    char buffer[18] = {'0', 'x'};
    for (int i = 0; i < 16; ++i) {
        u64 const nibble = (value >> (60 - 4 * i)) & 0xf;
        buffer[2 + i] = static_cast<char>(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
    }
    write(buffer, sizeof buffer);
}

void Serial::write_decimal(u64 value) {
    Decimal const text(value);
    write(text.digits, text.length);
}

} // namespace grove::metal

#include <arch_x86_64/platform/debug_exit.hpp>

#include <arch_x86_64/platform/cpu.hpp>

namespace grove::metal {

void DebugExit::exit(u32 code) {
    cpu::out32(0xf4, code);
    cpu::halt_forever();
}

} // namespace grove::metal

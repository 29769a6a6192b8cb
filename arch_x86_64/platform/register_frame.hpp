#pragma once
#include <arch_x86_64/boot/boot_constants.hpp>
#include <core/base/std.hpp>

namespace grove::metal {

// A thread's registers as the trampoline saves them on an interrupt (trampoline/trampoline.S): the general
// registers it pushes, the vector and error code, and the five words the CPU pushes. Also the saved context of a
// thread that is not running: resume() copies it back onto the trampoline stack and returns with iretq.
struct RegisterFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error_code;
    u64 rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(RegisterFrame) == FRAME_WORDS * sizeof(u64));
static_assert(__builtin_offsetof(RegisterFrame, cs) == FRAME_CS_WORD * sizeof(u64));

} // namespace grove::metal

extern "C" {
// The top of the trampoline's interrupt stack (RSP0), where every trap from ring 1 leaves its frame: in grove
// tables, the top of the running context's entry page (MetalArch).
extern grove::metal::RegisterFrame trampoline_ring1_frame;
// Returns to ring 1 under page tables `cr3` with the frame at trampoline_ring1_frame as `cr3` maps it; comes back
// when the next interrupt or exception arrives from ring 1, with its frame in the same place. Interrupts must be
// disabled.
void trampoline_enter_ring1(grove::u64 cr3);
// An exception in ring 0: a kernel bug. Prints the frame and panics.
[[noreturn]] void metal_kernel_exception(grove::metal::RegisterFrame const* frame);
}

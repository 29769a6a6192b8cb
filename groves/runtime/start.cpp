// The entry point of every grove. The kernel starts the main thread at _start with rdi = argc, rsi = argv and
// rsp = the top of the main stack (16-byte aligned, as before a call). _start runs the static initializers,
// calls main(argc, argv) and ends the grove with its return value. It is in assembly because C++ may not call
// main itself.
#include <groves/runtime/syscall.hpp>

asm(R"(
    .section .text._start, "ax", @progbits
    .p2align 4
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp                  # the outermost frame: backtraces stop here
    and $-16, %rsp                  # tolerate a misaligned stack top
    mov %rdi, %r12                  # argc and argv survive the initializers in callee-saved registers
    mov %rsi, %r13
    call grove_runtime_initialize
    mov %r12, %rdi
    mov %r13, %rsi
    call main
    movslq %eax, %rdi
    call grove_runtime_exit
    ud2
    .size _start, . - _start
    .text
)");

using InitFunction = void (*)();

// Bounds of the initializer arrays, defined by the linker.
// NOLINTBEGIN(bugprone-reserved-identifier): the linker defines these symbols under these reserved names.
extern "C" InitFunction __preinit_array_start[];
extern "C" InitFunction __preinit_array_end[];
extern "C" InitFunction __init_array_start[];
extern "C" InitFunction __init_array_end[];
// NOLINTEND(bugprone-reserved-identifier)

extern "C" void grove_runtime_initialize() {
    for (InitFunction* f = __preinit_array_start; f != __preinit_array_end; ++f) (*f)();
    for (InitFunction* f = __init_array_start; f != __init_array_end; ++f) (*f)();
}

extern "C" [[noreturn]] void grove_runtime_exit(long code) { grove::rt::sys_exit(code); }

// Destructors of static objects are registered here and never run: a grove ends by Exit, which reclaims
// everything.
extern "C" int atexit(void (*)()) { return 0; }

#include <groves/runtime/console.hpp>
#include <groves/runtime/panic.hpp>
#include <groves/runtime/syscall.hpp>

namespace grove::rt {

void panic(int exit_code, char const* format, ...) {
    print("panic: ");
    std::va_list arguments;
    va_start(arguments, format);
    vprint(format, arguments);
    va_end(arguments);
    print("\n");
    sys_exit(exit_code);
}

void usage(char const* text) {
    print("usage: %s\n", text);
    sys_exit(ExitUsage);
}

} // namespace grove::rt

// A call through a pure virtual function: the C++ runtime's hook, for the rare grove with abstract classes.
// NOLINTNEXTLINE(bugprone-reserved-identifier): the name the C++ ABI gives this hook.
extern "C" void __cxa_pure_virtual() { grove::rt::panic(grove::rt::ExitSoftware, "pure virtual call"); }

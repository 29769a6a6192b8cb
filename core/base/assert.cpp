#include <core/base/assert.hpp>

namespace grove {

namespace {
PanicHandler g_panic_handler = nullptr;
}

void set_panic_handler(PanicHandler handler) { g_panic_handler = handler; }

void panic(char const* file, int line, char const* message) {
    if (g_panic_handler != nullptr) g_panic_handler(file, line, message);
    __builtin_trap();
}

} // namespace grove

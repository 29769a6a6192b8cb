// Test programs turn a core panic into a message on stderr and an abort, which GoogleTest reports (and which
// death tests can expect).
#include <core/base/assert.hpp>

#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void abort_with_message(char const* file, int line, char const* message) {
    std::fprintf(stderr, "core panic at %s:%d: %s\n", file, line, message);
    std::abort();
}

struct InstallPanicHandler {
    InstallPanicHandler() { grove::set_panic_handler(abort_with_message); }
} const g_install;

} // namespace

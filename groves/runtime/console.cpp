#include <groves/runtime/console.hpp>
#include <groves/runtime/format.hpp>
#include <groves/runtime/syscall.hpp>

namespace grove::rt {
namespace {

void flush_to_console(char const* bytes, usize length) { write(bytes, length); }

} // namespace

bool write(char const* text, usize length) {
    while (length > 0) {
        long written = sys_console_write(text, length);
        if (written <= 0) return false;
        auto count = static_cast<usize>(written);
        if (count > length) return false;
        text += count;
        length -= count;
    }
    return true;
}

usize vprint(char const* format, std::va_list arguments) {
    char storage[PrintBufferSize];
    OutputBuffer out(storage, sizeof storage, flush_to_console);
    usize produced = format_to(out, format, arguments);
    out.flush();
    return produced;
}

usize print(char const* format, ...) {
    std::va_list arguments;
    va_start(arguments, format);
    usize produced = vprint(format, arguments);
    va_end(arguments);
    return produced;
}

} // namespace grove::rt

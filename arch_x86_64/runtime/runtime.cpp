// What a freestanding C++ kernel needs from a runtime: the four memory functions the compiler may call on its
// own, the handlers of pure virtual calls and of deleting destructors (never reached: nothing is allocated), and
// the static constructors of .init_array (run_static_constructors, called first by kernel_main).
#include <arch_x86_64/runtime/runtime.hpp>

#include <core/base/assert.hpp>

extern "C" {

void* memcpy(void* destination, void const* source, grove::usize length) {
    void* d = destination;
    asm volatile("rep movsb" : "+D"(d), "+S"(source), "+c"(length) : : "memory");
    return destination;
}

void* memset(void* destination, int value, grove::usize length) {
    void* d = destination;
    asm volatile("rep stosb" : "+D"(d), "+c"(length) : "a"(value) : "memory");
    return destination;
}

void* memmove(void* destination, void const* source, grove::usize length) {
    auto* d = static_cast<unsigned char*>(destination);
    auto const* s = static_cast<unsigned char const*>(source);
    if (d <= s || d >= s + length) return memcpy(destination, source, length);
    // Overlapping with the destination above the source: copy backwards.
    d += length - 1;
    s += length - 1;
    asm volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(length) : : "memory");
    return destination;
}

int memcmp(void const* a, void const* b, grove::usize length) {
    auto const* x = static_cast<unsigned char const*>(a);
    auto const* y = static_cast<unsigned char const*>(b);
    for (grove::usize i = 0; i < length; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

// NOLINTNEXTLINE(bugprone-reserved-identifier): the name the C++ ABI gives this hook.
void __cxa_pure_virtual() { grove::panic(__FILE__, __LINE__, "pure virtual call"); }

// Destructors of function-local statics (-fno-use-cxa-atexit): the kernel never exits, so they never run.
int atexit(void (*)()) { return 0; }

using Constructor = void (*)();
extern Constructor init_array_start[];
extern Constructor init_array_end[];

} // extern "C"

void operator delete(void*) noexcept { grove::panic(__FILE__, __LINE__, "operator delete in the kernel"); }
void operator delete(void*, grove::usize) noexcept {
    grove::panic(__FILE__, __LINE__, "operator delete in the kernel");
}
// The deleting destructor of an over-aligned class with a virtual destructor (the Kernel) names this one.
void operator delete(void*, grove::usize, std::align_val_t) noexcept {
    grove::panic(__FILE__, __LINE__, "operator delete in the kernel");
}

namespace grove::metal {

void run_static_constructors() {
    for (Constructor* c = init_array_start; c != init_array_end; ++c) (*c)();
}

} // namespace grove::metal

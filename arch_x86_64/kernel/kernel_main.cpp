// The boot flow after boot/boot.S: runtime, serial console, panic handler, boot information, descriptors, frame
// allocator and MetalArch, then the boot mode. Today the only mode is the platform self-test; the core's Kernel
// takes its place (see arch_x86_64/README.md).
#include <arch_x86_64/metal_arch.hpp>
#include <arch_x86_64/platform/boot_info.hpp>
#include <arch_x86_64/platform/cpu.hpp>
#include <arch_x86_64/platform/debug_exit.hpp>
#include <arch_x86_64/platform/descriptors.hpp>
#include <arch_x86_64/platform/serial.hpp>
#include <arch_x86_64/runtime/runtime.hpp>
#include <arch_x86_64/selftest/self_test.hpp>

extern "C" {
extern char kernel_image_start[], kernel_image_end[];
void kernel_main(grove::u32 magic, grove::u64 info);
}

namespace grove::metal {
namespace {

BootInfo boot_info;
// Constructed in kernel_main: a MetalArch with its vtable pointer would otherwise be constant-initialised into
// .data, putting its tables (most of a megabyte of zeros) into the image file.
alignas(MetalArch) u8 arch_storage[sizeof(MetalArch)];
MetalArch* arch_pointer = nullptr;

[[noreturn]] void panic_to_serial(char const* file, int line, char const* message) {
    asm volatile("cli");
    Serial::write("PANIC ");
    Serial::write(file);
    Serial::write(":");
    Serial::write_decimal(static_cast<u64>(line));
    Serial::write(": ");
    Serial::write(message);
    Serial::write("\n");
    DebugExit::exit(DebugExit::Failure);
}

void print_boot_summary(MetalArch const& arch) {
    Serial::write("grove: booted by ");
    Serial::write(boot_info.protocol());
    Serial::write(", ");
    Serial::write_decimal(arch.free_pages().value);
    Serial::write(" free frames of ");
    Serial::write_decimal(arch.managed_pages().value);
    Serial::write(", ");
    Serial::write_decimal(boot_info.modules().size);
    Serial::write(" modules, timer ");
    Serial::write_decimal(arch.local_apic().timer_per_tsc_q32() * 1000 >> 32);
    Serial::write("/1000 counts per tick\n");
    for (BootModule const& module : boot_info.modules()) {
        Serial::write("grove: module '");
        Serial::write(module.name);
        Serial::write("' at ");
        Serial::write_hex(module.start);
        Serial::write(", ");
        Serial::write_decimal(module.end - module.start);
        Serial::write(" bytes\n");
    }
}

} // namespace
} // namespace grove::metal

void kernel_main(grove::u32 magic, grove::u64 info) {
    using namespace grove;
    using namespace grove::metal;
    run_static_constructors();
    Serial::init();
    set_panic_handler(panic_to_serial);
    Serial::write("grove: kernel at ");
    Serial::write_hex(reinterpret_cast<u64>(kernel_image_start));
    Serial::write("..");
    Serial::write_hex(reinterpret_cast<u64>(kernel_image_end));
    Serial::write("\n");
    if (!boot_info.parse(magic, info)) panic(__FILE__, __LINE__, "not booted by a Multiboot loader");

    Descriptors::install();
    arch_pointer = new (arch_storage) MetalArch();
    MetalArch& arch = *arch_pointer;
    MemoryRegion reserved[FrameAllocator::MaxReserved];
    usize reserved_count = 0;
    reserved[reserved_count++] = MemoryRegion{reinterpret_cast<u64>(kernel_image_start),
                                              static_cast<u64>(kernel_image_end - kernel_image_start)};
    for (BootModule const& module : boot_info.modules())
        if (reserved_count < FrameAllocator::MaxReserved)
            reserved[reserved_count++] = MemoryRegion{module.start, module.end - module.start};
    arch.init(boot_info.available_memory(), {reserved, reserved_count});
    print_boot_summary(arch);

    SelfTest self_test(arch);
    bool const passed = self_test.run();
    Serial::write(passed ? "grove: self-test passed\n" : "grove: self-test FAILED\n");
    DebugExit::exit(passed ? DebugExit::Success : DebugExit::Failure);
}

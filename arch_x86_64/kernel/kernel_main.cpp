// The boot flow after boot/boot.S: runtime, serial console, panic handler, boot information, descriptors, frame
// allocator and MetalArch, then the boot mode: a boot module that starts with the plan magic is a boot plan, which
// the core's Kernel runs (plan/plan_runner.hpp); without one, the platform self-test runs.
#include <arch_x86_64/isa/bochs_display.hpp>
#include <arch_x86_64/memory/physical_memory.hpp>
#include <arch_x86_64/metal_arch.hpp>
#include <arch_x86_64/platform/boot_info.hpp>
#include <arch_x86_64/platform/cpu.hpp>
#include <arch_x86_64/platform/debug_exit.hpp>
#include <arch_x86_64/platform/descriptors.hpp>
#include <arch_x86_64/platform/serial.hpp>
#include <arch_x86_64/runtime/runtime.hpp>
#include <arch_x86_64/plan/plan_runner.hpp>
#include <arch_x86_64/selftest/self_test.hpp>
#include <core/grove/admission.hpp>
#include <core/plan/plan_format.hpp>
#include <core/plan/plan_reader.hpp>

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
// The plan and its runner (which holds the Kernel): in static storage, constructed only when a plan is booted.
alignas(BootPlan) u8 plan_storage[sizeof(BootPlan)];
alignas(PlanRunner) u8 runner_storage[sizeof(PlanRunner)];

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
    Serial::write("/1000 counts per tick, umip ");
    Serial::write(Descriptors::umip() ? "on\n" : "off (sgdt, sidt, sldt, str and smsw run in ring 1)\n");
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

// The first boot module that starts with the plan magic, or nullptr.
BootModule const* find_plan_module() {
    for (BootModule const& module : boot_info.modules()) {
        auto const* bytes = reinterpret_cast<u8 const*>(module.start);
        if (module.end - module.start < sizeof plan::Magic) continue;
        bool matches = true;
        for (usize i = 0; i < sizeof plan::Magic; ++i) matches = matches && bytes[i] == plan::Magic[i];
        if (matches) return &module;
    }
    return nullptr;
}

// The picture the machine's display shows at the end of a run (arch_x86_64/isa/bochs_display.hpp), read back
// through the kernel's identity map: a line "grove: display <w>x<h>x<bpp> picture <hash>" that the host compares
// with the simulator's. Nothing when there is no Bochs display (its Id register does not answer) or it is off.
void report_display() {
    using namespace x86::bochs;
    auto read = [](Register r) {
        cpu::out16(IndexPort, static_cast<u16>(r));
        return cpu::in16(DataPort);
    };
    u16 const id = read(Register::Id);
    if (id < 0xB0C0 || id > IdLatest) return;
    u16 constexpr Shown = EnableOn | EnableLinearFramebuffer;
    if ((read(Register::Enable) & Shown) != Shown) return;
    Picture const p{read(Register::XRes),      read(Register::YRes),    read(Register::Bpp),
                    read(Register::VirtWidth), read(Register::XOffset), read(Register::YOffset)};
    if (!p.is_shown()) return;
    auto const* framebuffer = static_cast<u8 const volatile*>(physical_to_pointer(PhysAddr{FramebufferBase}));
    u64 const hash = picture_hash(p, [framebuffer](u64 offset) { return framebuffer[offset]; });
    Serial::write("grove: display ");
    Serial::write_decimal(p.width);
    Serial::write("x");
    Serial::write_decimal(p.height);
    Serial::write("x");
    Serial::write_decimal(p.bpp);
    Serial::write(" picture ");
    Serial::write_hex(hash);
    Serial::write("\n");
}

// Reads, validates and runs the plan; false when the plan or one of its images is refused.
bool run_plan(MetalArch& arch, BootModule const& module) {
    BootPlan& plan = *new (plan_storage) BootPlan();
    PlanCheck const check =
        read_boot_plan({reinterpret_cast<u8 const*>(module.start), module.end - module.start}, plan);
    if (check != PlanCheck::Ok) {
        Serial::write("grove: boot plan rejected: ");
        Serial::write(plan_check_name(check));
        Serial::write("\n");
        return false;
    }
    Serial::write("grove: running the boot plan: ");
    Serial::write_decimal(plan.groves.size());
    Serial::write(" groves, ");
    Serial::write_decimal(plan.faults.size());
    Serial::write(" faults, ");
    Serial::write_decimal(plan.duration.value);
    Serial::write(" ticks\n");
    PlanRunner& runner = *new (runner_storage) PlanRunner(arch, plan, boot_info.modules());
    if (!runner.prepare()) return false;
    arch.set_console_comments();
    runner.run();
    report_display();
    Serial::write("grove: boot plan done\n");
    return true;
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
    // Admission reserves groves' limits from AdmissionMemory (core/grove/admission.hpp): the frames must be there.
    if (arch.free_pages() < pages_for(AdmissionMemory))
        panic(__FILE__, __LINE__, "fewer free frames than AdmissionMemory: give the machine more RAM (-m)");

    if (BootModule const* plan = find_plan_module()) {
        bool const ran = run_plan(arch, *plan);
        DebugExit::exit(ran ? DebugExit::Success : DebugExit::Failure);
    }

    SelfTest self_test(arch);
    bool const passed = self_test.run();
    Serial::write(passed ? "grove: self-test passed\n" : "grove: self-test FAILED\n");
    DebugExit::exit(passed ? DebugExit::Success : DebugExit::Failure);
}

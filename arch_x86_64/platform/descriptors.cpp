#include <arch_x86_64/platform/descriptors.hpp>

#include <arch_x86_64/boot/boot_constants.hpp>
#include <arch_x86_64/isa/exceptions.hpp>
#include <arch_x86_64/platform/cpu.hpp>

extern "C" {
extern grove::u64 gdt_tss_descriptor[2];
extern grove::u8 gdt_pointer[10];
extern grove::u64 idt[512];
extern grove::u8 tss[];
extern grove::u8 tss_end[];
extern grove::u8 tss_io_bitmap[];
extern grove::u64 trampoline_kernel_cr3;
extern grove::u64 trampoline_vector_table[];
extern grove::u64 trampoline_vector_count;
extern grove::u8 trampoline_text_start[];
extern grove::u8 trampoline_data_start[];
extern grove::u8 trampoline_stack_start[];
extern grove::u8 trampoline_end[];
}

namespace grove::metal {

namespace {

constexpr u64 InterruptGate = 0xe;
bool s_umip = false;
constexpr u8 Ist1 = 1;

void set_gate(u64 vector, u64 handler, u64 dpl, u8 ist) {
    u64 const low = (handler & 0xffff) | (u64{KERNEL_CODE_SELECTOR} << 16) | (u64{ist} << 32) | (InterruptGate << 40) |
                    (dpl << 45) | (1ull << 47) | ((handler >> 16) & 0xffff) << 48;
    idt[2 * vector] = low;
    idt[2 * vector + 1] = handler >> 32;
}

void set_ports(IoPortRange range, bool allowed) {
    for (u32 port = range.first; port <= range.last; ++port) {
        u8 const bit = static_cast<u8>(1u << (port & 7));
        if (allowed) tss_io_bitmap[port >> 3] = static_cast<u8>(tss_io_bitmap[port >> 3] & ~bit);
        else tss_io_bitmap[port >> 3] = static_cast<u8>(tss_io_bitmap[port >> 3] | bit);
    }
}

} // namespace

void Descriptors::install() {
    u64 const base = reinterpret_cast<u64>(tss);
    u64 const limit = static_cast<u64>(tss_end - tss) - 1;
    constexpr u64 AvailableTss = 0x9, PresentBit = 1ull << 47;
    gdt_tss_descriptor[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (AvailableTss << 40) | PresentBit |
                            (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt_tss_descriptor[1] = base >> 32;

    for (u64 i = 0; i < trampoline_vector_count; ++i) {
        u64 const vector = trampoline_vector_table[2 * i];
        u64 const handler = trampoline_vector_table[2 * i + 1];
        u64 const dpl = x86::gate_open_to_ring1(static_cast<u8>(vector)) ? 1 : 0;
        auto const exception = static_cast<x86::Vector>(vector);
        bool const machine = exception == x86::Vector::NonMaskableInterrupt || exception == x86::Vector::DoubleFault ||
                             exception == x86::Vector::MachineCheck;
        u8 const ist = machine ? Ist1 : 0;
        set_gate(vector, handler, dpl, ist);
    }

    struct [[gnu::packed]] {
        u16 limit;
        u64 base;
    } const idt_pointer{static_cast<u16>(sizeof(u64) * 512 - 1), reinterpret_cast<u64>(idt)};
    asm volatile("lgdt (%0)" : : "r"(gdt_pointer) : "memory");
    asm volatile("lidt %0" : : "m"(idt_pointer) : "memory");
    asm volatile("ltr %w0" : : "r"(TSS_SELECTOR) : "memory");
    // A null LDTR: an LDT selector loaded by a grove is then #GP(selector), as x86::load_segment says, instead of a
    // walk of whatever the boot loader left in LDTR.
    asm volatile("lldt %w0" : : "r"(u16{0}) : "memory");
    // UMIP: sgdt, sidt, sldt, str and smsw in ring 1 are #GP instead of handing out the kernel's table addresses.
    s_umip = cpu::has_umip();
    if (s_umip) cpu::write_cr4(cpu::read_cr4() | CR4_UMIP);
}

bool Descriptors::umip() { return s_umip; }

void Descriptors::load_io_ports(Span<IoPortRange const> previous, Span<IoPortRange const> next) {
    for (IoPortRange const& range : previous) set_ports(range, false);
    for (IoPortRange const& range : next) set_ports(range, true);
}

u64 Descriptors::trampoline_text_start() { return reinterpret_cast<u64>(::trampoline_text_start); }
u64 Descriptors::trampoline_data_start() { return reinterpret_cast<u64>(::trampoline_data_start); }
u64 Descriptors::trampoline_stack_start() { return reinterpret_cast<u64>(::trampoline_stack_start); }
u64 Descriptors::trampoline_end() { return reinterpret_cast<u64>(::trampoline_end); }

void Descriptors::set_kernel_cr3(u64 cr3) { trampoline_kernel_cr3 = cr3; }

} // namespace grove::metal

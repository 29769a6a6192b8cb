#pragma once
#include <core/arch/arch.hpp>

namespace grove::metal {

// The GDT, the TSS and the IDT, all in the trampoline (trampoline/trampoline.S) so that the CPU can reach them
// under a grove's page tables. The GDT and the TSS's stacks are static; install() fills the TSS descriptor and
// every gate: the 32 exceptions (DPL 0, except #BP: DPL 1 so that int3 in a grove traps as a breakpoint), the
// timer, the spurious vector, and the syscall gate int 0x80 with DPL 1. NMI, #DF and #MC run on IST1.
//
// The TSS's I/O-permission bitmap is all ones (every port denied) except the ports of the address space last
// given to load_io_ports, whose bits are clear.
//
// install() also loads a null LDTR and sets CR4.UMIP where the CPU has it (CPUID.7.0:ECX bit 2), so that the
// descriptor-table reads (sgdt, sidt, sldt, str, smsw) are #GP in ring 1, as the simulator decides them
// (arch_x86_64/isa/instruction.hpp). Without UMIP they run and hand a grove the kernel's table addresses.
class Descriptors {
public:
    static void install();
    // Whether install() found and enabled UMIP.
    static bool umip();
    // Denies `previous` again and allows `next` (either may be empty).
    static void load_io_ports(Span<IoPortRange const> previous, Span<IoPortRange const> next);
    // Physical ranges of the trampoline: text (read and execute), data (read only), stacks (read and write).
    static u64 trampoline_text_start();
    static u64 trampoline_data_start();
    static u64 trampoline_stack_start();
    static u64 trampoline_end();
    // Where the entry stubs find the kernel's CR3.
    static void set_kernel_cr3(u64 cr3);
};

} // namespace grove::metal

// probe NAME
//
// Executes one instruction probe, chosen by NAME, from ring 1: the table of what a grove may and may not execute,
// run on both targets (scenarios/adversarial/instruction_probes.toml) so that `grovesim diff` shows the simulator
// deciding as the CPU does (arch_x86_64/isa/). Each probe runs in its own function, so the two targets must agree
// on the trap kind, the pc and the error code. A probe whose instruction runs ends in report(): a read of an
// unmapped address that carries the result (rflags, a selector), so that the fault event, which the comparison
// covers, holds it. A probe that neither faults nor reports exits with 0; an unknown name prints the usage and
// exits with 64.
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

// Canonical, outside the grove window, never mapped: a read of ReportBase + value is a page fault at that address.
constexpr u64 ReportBase = 0x0000'6000'0000'0000;
constexpr u64 ReportMask = 0x0000'00FF'FFFF'FFFF;

[[noreturn, gnu::noinline]] void report(u64 value) {
    asm volatile("movq (%0), %%rax" : : "r"(ReportBase + (value & ReportMask)) : "rax", "memory");
    __builtin_unreachable();
}

u8 g_buffer[64];
struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};
DescriptorPointer g_descriptor{0, 0};

#define PROBE(function, ...)                                                                                           \
    [[gnu::noinline]] void function() { asm volatile(__VA_ARGS__); }

// Privileged at CPL 1: #GP(0).
PROBE(probe_hlt, "hlt")
PROBE(probe_cli, "cli")
PROBE(probe_sti, "sti")
PROBE(probe_mov_from_cr0, "mov %%cr0, %%rax" ::: "rax")
PROBE(probe_mov_from_cr2, "mov %%cr2, %%rax" ::: "rax")
PROBE(probe_mov_from_cr3, "mov %%cr3, %%rax" ::: "rax")
PROBE(probe_mov_from_cr4, "mov %%cr4, %%rax" ::: "rax")
PROBE(probe_mov_to_cr0, "mov $0x80050033, %%eax; mov %%rax, %%cr0" ::: "rax")
PROBE(probe_mov_to_cr3, "xor %%eax, %%eax; mov %%rax, %%cr3" ::: "rax")
PROBE(probe_mov_to_cr4, "xor %%eax, %%eax; mov %%rax, %%cr4" ::: "rax")
PROBE(probe_mov_from_dr7, "mov %%dr7, %%rax" ::: "rax")
PROBE(probe_mov_to_dr7, "xor %%eax, %%eax; mov %%rax, %%dr7" ::: "rax")
PROBE(probe_clts, "clts")
PROBE(probe_invd, "invd")
PROBE(probe_wbinvd, "wbinvd")
PROBE(probe_wrmsr, "wrmsr" : : "c"(0xc000'0103u), "a"(0u), "d"(0u))
PROBE(probe_rdmsr, "rdmsr" : : "c"(0xc000'0080u) : "rax", "rdx")
PROBE(probe_rdpmc, "rdpmc" : : "c"(0u) : "rax", "rdx")
PROBE(probe_lgdt, "lgdt %0" : : "m"(g_descriptor))
PROBE(probe_lidt, "lidt %0" : : "m"(g_descriptor))
PROBE(probe_lldt, "xor %%eax, %%eax; lldt %%ax" ::: "rax")
PROBE(probe_ltr, "mov $0x28, %%eax; ltr %%ax" ::: "rax")
PROBE(probe_lmsw, "mov $0x33, %%eax; lmsw %%ax" ::: "rax")
PROBE(probe_invlpg, "invlpg %0" : : "m"(g_buffer))
PROBE(probe_swapgs, "swapgs")
// Descriptor-table reads: #GP(0) under CR4.UMIP.
PROBE(probe_sgdt, "sgdt %0" : "=m"(g_descriptor))
PROBE(probe_sidt, "sidt %0" : "=m"(g_descriptor))
PROBE(probe_sldt, "sldt %%ax" ::: "rax")
PROBE(probe_str, "str %%ax" ::: "rax")
PROBE(probe_smsw, "smsw %0" : "=m"(g_buffer))
PROBE(probe_smsw_register, "smsw %%eax" ::: "rax")
// Undefined on this CPU: #UD.
PROBE(probe_ud2, "ud2")
PROBE(probe_syscall, "syscall" ::: "rcx", "r11")
PROBE(probe_sysret, ".byte 0x0f, 0x07")
PROBE(probe_sysenter, ".byte 0x0f, 0x34")
PROBE(probe_sysexit, ".byte 0x0f, 0x35")
PROBE(probe_getsec, ".byte 0x0f, 0x37")
PROBE(probe_vmread, ".byte 0x0f, 0x78, 0xc3")
PROBE(probe_vmwrite, ".byte 0x0f, 0x79, 0xd8")
PROBE(probe_rsm, ".byte 0x0f, 0xaa")
PROBE(probe_vmcall, ".byte 0x0f, 0x01, 0xc1")
PROBE(probe_monitor, ".byte 0x0f, 0x01, 0xc8")
PROBE(probe_rdtscp, ".byte 0x0f, 0x01, 0xf9" ::: "rax", "rcx", "rdx")
PROBE(probe_rdrand, ".byte 0x0f, 0xc7, 0xf0" ::: "rax")
PROBE(probe_lock_register_add, ".byte 0xf0, 0x01, 0xc0" ::: "rax")
PROBE(probe_call_far_register, ".byte 0xff, 0xd8")
PROBE(probe_mov_to_cs, "xor %%eax, %%eax; .byte 0x8e, 0xc8" ::: "rax")
PROBE(probe_into, ".byte 0xce")
// int n: only the breakpoint and syscall gates are open to ring 1; every other is #GP(n * 8 + 2).
PROBE(probe_int_0x00, "int $0x00")
PROBE(probe_int_0x01, "int $0x01")
PROBE(probe_int_0x03, ".byte 0xcd, 0x03")
PROBE(probe_int_0x06, "int $0x06")
PROBE(probe_int_0x0c, "int $0x0c")
PROBE(probe_int_0x0d, "int $0x0d")
PROBE(probe_int_0x0e, "int $0x0e")
PROBE(probe_int_0x21, "int $0x21")
PROBE(probe_int3, "int3")
// Port I/O without the io_port capability: #GP(0).
PROBE(probe_in, "inb $0x60, %%al" ::: "rax")
PROBE(probe_out_dx, "mov $0x3f8, %%edx; outb %%al, %%dx" ::: "rdx")
PROBE(probe_outsb, "mov $0x3f8, %%edx; rep outsb" : : "S"(g_buffer), "c"(4) : "rdx", "memory")
// Segment loads: an LDT selector (null LDTR) or a ring-0 one is #GP(selector). (A null selector with RPL 0 into SS
// is #GP(0) by the SDM, but QEMU 7.2 loads it: not probed.)
PROBE(probe_mov_fs_ldt, "mov $0x1234, %%eax; mov %%eax, %%fs" ::: "rax")
PROBE(probe_mov_ds_kernel, "mov $0x10, %%eax; mov %%eax, %%ds" ::: "rax")
PROBE(probe_mov_ss_kernel, "mov $0x10, %%eax; mov %%eax, %%ss" ::: "rax")
PROBE(probe_pop_gs_ldt, "pushq $0x1234; pop %%gs" ::: "memory")
// iretq to ring 0: #GP(0x08).
PROBE(probe_iretq_to_ring0, "mov %%rsp, %%rdx; pushq $0x10; push %%rdx; pushfq; pushq $0x08; lea 1f(%%rip), %%rax;"
                            "push %%rax; iretq; 1:" ::
          : "rax", "rdx", "memory")

// Instructions that run: their result is reported.
[[gnu::noinline]] void probe_iretq_same_ring() {
    u64 flags = 0;
    asm volatile("mov %%rsp, %%rdx; mov %%ss, %%eax; push %%rax; push %%rdx; pushfq; mov %%cs, %%eax; push %%rax;"
                 "lea 1f(%%rip), %%rax; push %%rax; iretq; 1: pushfq; pop %0"
                 : "=r"(flags)
                 :
                 : "rax", "rdx", "memory");
    report(flags);
}
[[gnu::noinline]] void probe_popf_iopl3() {
    u64 flags = 0;
    asm volatile("pushfq; orq $0x3000, (%%rsp); popfq; pushfq; pop %0" : "=r"(flags) : : "memory", "cc");
    report(flags);
}
[[gnu::noinline]] void probe_popf_clear_if() {
    u64 flags = 0;
    asm volatile("pushfq; andq $~0x200, (%%rsp); popfq; pushfq; pop %0" : "=r"(flags) : : "memory", "cc");
    report(flags);
}
[[gnu::noinline]] void probe_mov_fs_null() {
    u64 selector = 0;
    asm volatile("xor %%eax, %%eax; mov %%eax, %%fs; mov %%fs, %%eax; mov %%rax, %0" : "=r"(selector) : : "rax");
    report(selector | 0x1'0000);
}
[[gnu::noinline]] void probe_selectors() {
    u64 cs = 0;
    u64 ss = 0;
    asm volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
    report(cs << 16 | ss);
}

#undef PROBE

struct Probe {
    char const* name;
    void (*run)();
};

constexpr Probe Probes[] = {
    {"hlt", probe_hlt},
    {"cli", probe_cli},
    {"sti", probe_sti},
    {"mov-from-cr0", probe_mov_from_cr0},
    {"mov-from-cr2", probe_mov_from_cr2},
    {"mov-from-cr3", probe_mov_from_cr3},
    {"mov-from-cr4", probe_mov_from_cr4},
    {"mov-to-cr0", probe_mov_to_cr0},
    {"mov-to-cr3", probe_mov_to_cr3},
    {"mov-to-cr4", probe_mov_to_cr4},
    {"mov-from-dr7", probe_mov_from_dr7},
    {"mov-to-dr7", probe_mov_to_dr7},
    {"clts", probe_clts},
    {"invd", probe_invd},
    {"wbinvd", probe_wbinvd},
    {"wrmsr", probe_wrmsr},
    {"rdmsr", probe_rdmsr},
    {"rdpmc", probe_rdpmc},
    {"lgdt", probe_lgdt},
    {"lidt", probe_lidt},
    {"lldt", probe_lldt},
    {"ltr", probe_ltr},
    {"lmsw", probe_lmsw},
    {"invlpg", probe_invlpg},
    {"swapgs", probe_swapgs},
    {"sgdt", probe_sgdt},
    {"sidt", probe_sidt},
    {"sldt", probe_sldt},
    {"str", probe_str},
    {"smsw", probe_smsw},
    {"smsw-register", probe_smsw_register},
    {"ud2", probe_ud2},
    {"syscall", probe_syscall},
    {"sysret", probe_sysret},
    {"sysenter", probe_sysenter},
    {"sysexit", probe_sysexit},
    {"getsec", probe_getsec},
    {"vmread", probe_vmread},
    {"vmwrite", probe_vmwrite},
    {"rsm", probe_rsm},
    {"vmcall", probe_vmcall},
    {"monitor", probe_monitor},
    {"rdtscp", probe_rdtscp},
    {"rdrand", probe_rdrand},
    {"lock-register-add", probe_lock_register_add},
    {"call-far-register", probe_call_far_register},
    {"mov-to-cs", probe_mov_to_cs},
    {"into", probe_into},
    {"int-0x00", probe_int_0x00},
    {"int-0x01", probe_int_0x01},
    {"int-0x03", probe_int_0x03},
    {"int-0x06", probe_int_0x06},
    {"int-0x0c", probe_int_0x0c},
    {"int-0x0d", probe_int_0x0d},
    {"int-0x0e", probe_int_0x0e},
    {"int-0x21", probe_int_0x21},
    {"int3", probe_int3},
    {"in", probe_in},
    {"out-dx", probe_out_dx},
    {"outsb", probe_outsb},
    {"mov-fs-ldt", probe_mov_fs_ldt},
    {"mov-ds-kernel", probe_mov_ds_kernel},
    {"mov-ss-kernel", probe_mov_ss_kernel},
    {"pop-gs-ldt", probe_pop_gs_ldt},
    {"iretq-to-ring0", probe_iretq_to_ring0},
    {"iretq-same-ring", probe_iretq_same_ring},
    {"popf-iopl3", probe_popf_iopl3},
    {"popf-clear-if", probe_popf_clear_if},
    {"mov-fs-null", probe_mov_fs_null},
    {"selectors", probe_selectors},
};

} // namespace

int main(int argc, char** argv) {
    char const* name = argument(argc, argv, 1, nullptr);
    if (argc == 2) {
        for (Probe const& probe : Probes) {
            if (!is_mode(name, probe.name)) continue;
            probe.run();
            return 0;
        }
    }
    print("probe: one of");
    for (Probe const& probe : Probes) print(" %s", probe.name);
    usage("\n");
}

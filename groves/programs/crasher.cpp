// crasher MODE [N]
//
// Does one forbidden thing, chosen by MODE, so that the kernel must handle it as a crash of this grove:
//   null               read address 0                          page fault (not present)
//   wild-write-kernel  write 0xffff800000000000                page fault (kernel half, never mapped for a grove)
//   wild-write-grove   write 0x10000000                        page fault (in the window, not mapped here)
//   ud2                ud2                                     invalid opcode
//   div0               div by zero                             divide error
//   hlt cli sti        the instruction                         general protection (privileged)
//   mov-cr3            mov rax, cr3                            general protection (privileged)
//   mov-to-cr0         mov cr0, rax                            general protection (privileged)
//   lgdt lidt          lgdt/lidt of a descriptor on the stack  general protection (privileged)
//   wrmsr rdmsr        wrmsr (TSC_AUX) / rdmsr (EFER)          general protection (privileged)
//   invlpg             invlpg of the own code                  general protection (privileged)
//   in                 in al, 0x60                             general protection (no IoPort capability)
//   out                out 0x80, al                            general protection (no IoPort capability)
//   stack-overflow     unbounded recursion, 1 KiB per frame    page fault on the stack guard page
//   jump-garbage       jump into a data buffer                 page fault (execute of a non-executable page)
//   int3               int3                                    breakpoint
//   exit N             Exit with code N                        a clean exit, no crash
// Each mode runs in its own function, so a crash report's symbol names it (crash_null+0x..).
// If the instruction does not fault, the grove says so and exits with 70; an unknown mode prints the usage and
// exits with 64.
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* Usage =
    "crasher null|wild-write-kernel|wild-write-grove|ud2|div0|hlt|cli|sti|mov-cr3|mov-to-cr0|lgdt|lidt|wrmsr|"
    "rdmsr|invlpg|in|out|stack-overflow|jump-garbage|int3|exit N";

constexpr u64 KernelHalfAddress = 0xffff'8000'0000'0000;
constexpr u64 OtherGroveAddress = 0x1000'0000;

// Garbage in a writable data page: never executable under W^X. The bytes would decode as invalid opcodes if
// the page were executable.
u8 g_garbage[64] = {0xff, 0xff, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef};

// Opaque to the optimizer, so that no access below is folded away or recognised as undefined behaviour.
volatile u64 g_zero = 0;
volatile u64 g_recursion_limit = ~u64{0};

[[gnu::noinline]] void crash_null() {
    u64 value = 0;
    asm volatile("movq (%1), %0" : "=r"(value) : "r"(g_zero) : "memory");
}

[[gnu::noinline]] void crash_wild_write_kernel() {
    asm volatile("movq $0x5a5a, (%0)" : : "r"(KernelHalfAddress + g_zero) : "memory");
}

[[gnu::noinline]] void crash_wild_write_grove() {
    asm volatile("movq $0x5a5a, (%0)" : : "r"(OtherGroveAddress + g_zero) : "memory");
}

[[gnu::noinline]] void crash_ud2() { asm volatile("ud2"); }

[[gnu::noinline]] void crash_div0() {
    u32 quotient = 1;
    u32 remainder = 0;
    auto divisor = static_cast<u32>(g_zero);
    asm volatile("divl %2" : "+a"(quotient), "+d"(remainder) : "r"(divisor));
}

[[gnu::noinline]] void crash_hlt() { asm volatile("hlt"); }
[[gnu::noinline]] void crash_cli() { asm volatile("cli"); }
[[gnu::noinline]] void crash_sti() { asm volatile("sti"); }

[[gnu::noinline]] void crash_mov_cr3() {
    u64 value = 0;
    asm volatile("mov %%cr3, %0" : "=r"(value));
}

// The value is the usual cr0 of a long-mode kernel (PG WP AM NE ET MP PE), so that even an emulator that
// wrongly executed it would not change its mode.
[[gnu::noinline]] void crash_mov_to_cr0() {
    u64 value = 0x8005'0033;
    asm volatile("mov %0, %%cr0" : : "r"(value) : "memory");
}

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

[[gnu::noinline]] void crash_lgdt() {
    DescriptorPointer pointer{0, 0};
    asm volatile("lgdt %0" : : "m"(pointer) : "memory");
}

[[gnu::noinline]] void crash_lidt() {
    DescriptorPointer pointer{0, 0};
    asm volatile("lidt %0" : : "m"(pointer) : "memory");
}

[[gnu::noinline]] void crash_wrmsr() {
    // IA32_TSC_AUX: harmless to write, should it ever run.
    asm volatile("wrmsr" : : "c"(0xc000'0103u), "a"(0u), "d"(0u) : "memory");
}

[[gnu::noinline]] void crash_rdmsr() {
    u32 low = 0;
    u32 high = 0;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(0xc000'0080u)); // IA32_EFER
}

[[gnu::noinline]] void crash_invlpg() { asm volatile("invlpg (%0)" : : "r"(&crash_invlpg) : "memory"); }

[[gnu::noinline]] void crash_in() {
    u8 value = 0;
    asm volatile("inb $0x60, %0" : "=a"(value));
}

[[gnu::noinline]] void crash_out() { asm volatile("outb %0, $0x80" : : "a"(u8{0x42})); }

// 1 KiB per frame, and a use of the frame after the call, so that the recursion is neither a loop nor bounded.
[[gnu::noinline]] u64 crash_stack_overflow(u64 depth) {
    volatile u8 frame[1024];
    frame[0] = static_cast<u8>(depth);
    frame[sizeof frame - 1] = static_cast<u8>(depth >> 8);
    if (depth == g_recursion_limit) return depth;
    return crash_stack_overflow(depth + 1) + frame[0] + frame[sizeof frame - 1];
}

[[gnu::noinline]] void crash_jump_garbage() { asm volatile("jmp *%0" : : "r"(&g_garbage[0]) : "memory"); }

[[gnu::noinline]] void crash_int3() { asm volatile("int3"); }

struct Mode {
    char const* name;
    void (*run)();
};

void run_stack_overflow() { crash_stack_overflow(0); }

constexpr Mode Modes[] = {
    {"null", crash_null},
    {"wild-write-kernel", crash_wild_write_kernel},
    {"wild-write-grove", crash_wild_write_grove},
    {"ud2", crash_ud2},
    {"div0", crash_div0},
    {"hlt", crash_hlt},
    {"cli", crash_cli},
    {"sti", crash_sti},
    {"mov-cr3", crash_mov_cr3},
    {"mov-to-cr0", crash_mov_to_cr0},
    {"lgdt", crash_lgdt},
    {"lidt", crash_lidt},
    {"wrmsr", crash_wrmsr},
    {"rdmsr", crash_rdmsr},
    {"invlpg", crash_invlpg},
    {"in", crash_in},
    {"out", crash_out},
    {"stack-overflow", run_stack_overflow},
    {"jump-garbage", crash_jump_garbage},
    {"int3", crash_int3},
};

} // namespace

int main(int argc, char** argv) {
    char const* mode = argument(argc, argv, 1, nullptr);
    if (is_mode(mode, "exit")) {
        u64 code = 0;
        if (argc != 3 || !parse_unsigned(argv[2], code) || code > 255) usage(Usage);
        print("crasher: exit %lu\n", code);
        return static_cast<int>(code);
    }
    if (argc == 2) {
        for (Mode const& candidate : Modes) {
            if (!is_mode(mode, candidate.name)) continue;
            print("crasher: %s\n", candidate.name);
            candidate.run();
            print("crasher: %s did not fault\n", candidate.name);
            return ExitSoftware;
        }
    }
    usage(Usage);
}

// hostile physical-cycle PHYS LIMIT-KIB | hostile table-spray LIMIT-KIB | hostile physical-alias PHYS
// hostile physical-ram PHYS
// hostile handles PEER COUNT | hostile symbol-bomb
//
// An adversary of the kernel's accounting and mapping rules (scenarios/adversarial/limits_*.toml). Each mode tries
// one way around a promise and says whether the kernel held it:
//   physical-cycle  PhysicalMap one page of PHYS, MemoryUnmap it, MemoryMap one page, again and again: memory
//                   unmapped but never charged must not pay for new memory. Exits 1 when it mapped more than
//                   LIMIT-KIB, 0 when the kernel refused (LimitExceeded) within it.
//   table-spray     MemoryMap one page in every 2 MiB from 4 GiB up, each page costing a page table: the tables
//                   must be charged to it. Exits 1 when a refusal other than LimitExceeded came, or when it mapped
//                   more pages than LIMIT-KIB holds with a table each (the tables were free); otherwise it holds
//                   what it has, forever.
//   physical-alias  PhysicalMap PHYS writable, then again executable at another address: W^X for aliases too.
//                   Exits 1 when an executable mapping of it was made, 0 otherwise.
//   physical-ram    PhysicalMap PHYS (RAM, covered by its capability): RAM is never a physical range. Exits 1 when
//                   it was mapped, 0 when refused with AccessDenied.
//   handles         Looks PEER up COUNT times: the file-handle limit must be what stops it (LimitExceeded), never
//                   the handle table. Exits 0 after LimitExceeded, 1 after any other refusal, 2 when none came.
//   symbol-bomb     Faults (a null read) inside a function whose symbol is a valid 238-byte mangled C++ name that
//                   demangles to 142 MB (each of its 22 template levels names the one before twice): the crash
//                   report must show the name raw and bounded, and the run must finish
//                   (scenarios/adversarial/symbol_bomb.toml).
// 64 on bad arguments.
#include <core/base/units.hpp>
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* Usage = "hostile physical-cycle PHYS LIMIT-KIB | table-spray LIMIT-KIB | physical-alias PHYS | "
                              "physical-ram PHYS | handles PEER COUNT | symbol-bomb";
constexpr u64 DeviceWindow = 0x2'0000'0000; // 8 GiB
constexpr u64 HeapBase = 0x1'0000'0000;     // 4 GiB
constexpr u64 TableSpan = u64{2} << 20;     // the memory one page table maps
constexpr u64 HoldPause = 1'000'000'000;
constexpr long Rw = abi::ProtRead | abi::ProtWrite;
volatile u64 g_zero = 0; // opaque to the optimizer: the read below is not folded away

[[noreturn]] void hold_forever() {
    for (;;) {
        sys_heartbeat();
        sys_sleep(HoldPause);
    }
}

int physical_cycle(u64 physical, u64 limit) {
    u64 mapped = 0;
    for (;;) {
        long const device = sys_physical_map(DeviceWindow, physical, PageSize, Rw);
        if (device < 0) {
            print("hostile: PhysicalMap refused: %s\n", status_name(device));
            return 1;
        }
        if (sys_memory_unmap(DeviceWindow, PageSize) < 0) return 1;
        long const result = sys_memory_map(HeapBase + mapped, PageSize, Rw);
        if (result < 0) {
            print("hostile: MemoryMap refused after %lu KiB: %s\n", mapped / 1024, status_name(result));
            return mapped <= limit && result == -abi::StatusLimitExceeded ? 0 : 1;
        }
        mapped += PageSize;
        if (mapped > limit) {
            print("hostile: %lu KiB mapped, beyond the %lu KiB limit\n", mapped / 1024, limit / 1024);
            return 1;
        }
    }
}

int table_spray(u64 limit) {
    u64 pages = 0;
    for (;;) {
        long const result = sys_memory_map(HeapBase + pages * TableSpan, PageSize, Rw);
        if (result < 0) {
            print("hostile: %lu pages, one per 2 MiB, then %s\n", pages, status_name(result));
            if (result != -abi::StatusLimitExceeded || pages * 2 * PageSize > limit) return 1;
            hold_forever();
        }
        ++pages;
    }
}

int physical_alias(u64 physical) {
    if (sys_physical_map(DeviceWindow, physical, PageSize, Rw) < 0) return 1;
    long const executable =
        sys_physical_map(DeviceWindow + PageSize, physical, PageSize, abi::ProtRead | abi::ProtExecute);
    long const execute_only = sys_physical_map(DeviceWindow + 2 * PageSize, physical, PageSize, abi::ProtExecute);
    print("hostile: the same page executable: %s, execute-only: %s\n", status_name(executable),
          status_name(execute_only));
    return executable >= 0 || execute_only >= 0 ? 1 : 0;
}

int physical_ram(u64 physical) {
    long const result = sys_physical_map(DeviceWindow, physical, PageSize, abi::ProtRead);
    print("hostile: PhysicalMap of RAM at 0x%lx: %s\n", physical, status_name(result));
    return result == -abi::StatusAccessDenied ? 0 : 1;
}

int handles(char const* peer, u64 count) {
    for (u64 i = 0; i < count; ++i) {
        long const result = sys_lookup(peer, strlen(peer));
        if (result < 0) {
            print("hostile: lookup %lu refused: %s\n", i + 1, status_name(result));
            return result == -abi::StatusLimitExceeded ? 0 : 1;
        }
    }
    print("hostile: %lu lookups, none refused\n", count);
    return 2;
}

// The assembler name replaces the C++ one in the symbol table, so the crash pc falls inside this symbol.
[[gnu::noinline]] void
symbol_bomb() asm("_Z1f1AIiiE1AIS0_S0_E1AIS2_S2_E1AIS4_S4_E1AIS6_S6_E1AIS8_S8_E1AISA_SA_E1AISC_SC_E1AISE_SE_E1AISG_SG_"
                  "E1AISI_SI_E1AISK_SK_E1AISM_SM_E1AISO_SO_E1AISQ_SQ_E1AISS_SS_E1AISU_SU_E1AISW_SW_E1AISY_SY_E1AIS10_"
                  "S10_E1AIS12_S12_E1AIS14_S14_E1AIS16_S16_E");
[[gnu::noinline]] void symbol_bomb() {
    u64 value = 0;
    asm volatile("movq (%1), %0" : "=r"(value) : "r"(g_zero) : "memory");
}

} // namespace

int main(int argc, char** argv) {
    char const* mode = argument(argc, argv, 1, nullptr);
    u64 a = 0, b = 0;
    if (is_mode(mode, "physical-cycle") && argc == 4 && parse_unsigned(argv[2], a) && parse_unsigned(argv[3], b))
        return physical_cycle(a, b * 1024);
    if (is_mode(mode, "table-spray") && argc == 3 && parse_unsigned(argv[2], a)) return table_spray(a * 1024);
    if (is_mode(mode, "physical-alias") && argc == 3 && parse_unsigned(argv[2], a)) return physical_alias(a);
    if (is_mode(mode, "physical-ram") && argc == 3 && parse_unsigned(argv[2], a)) return physical_ram(a);
    if (is_mode(mode, "handles") && argc == 4 && parse_unsigned(argv[3], b)) return handles(argv[2], b);
    if (is_mode(mode, "symbol-bomb") && argc == 2) {
        symbol_bomb();
        return 1; // the read did not fault
    }
    usage(Usage);
}

// hostile physical-cycle PHYS LIMIT-KIB | hostile table-spray LIMIT-KIB | hostile physical-alias PHYS
// hostile physical-ram PHYS
// hostile handles PEER COUNT
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
// 64 on bad arguments.
#include <core/base/units.hpp>
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* Usage = "hostile physical-cycle PHYS LIMIT-KIB | table-spray LIMIT-KIB | physical-alias PHYS | "
                              "physical-ram PHYS | handles PEER COUNT";
constexpr u64 DeviceWindow = 0x2'0000'0000; // 8 GiB
constexpr u64 HeapBase = 0x1'0000'0000;     // 4 GiB
constexpr u64 TableSpan = u64{2} << 20;     // the memory one page table maps
constexpr u64 HoldPause = 1'000'000'000;
constexpr long Rw = abi::ProtRead | abi::ProtWrite;

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
    long const executable = sys_physical_map(DeviceWindow + PageSize, physical, PageSize,
                                             abi::ProtRead | abi::ProtExecute);
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
    usage(Usage);
}

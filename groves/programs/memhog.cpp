// memhog step-kib max-kib [hold-ticks|forever]
//
// Maps memory with MemoryMap (MemoryManage capability) in steps of `step-kib` KiB (rounded up to whole pages),
// from HeapBase upwards, until `max-kib` KiB are mapped or the kernel refuses. Writes and reads back every page
// it maps. Prints its progress (at most about 16 lines) and the first refusal (LimitExceeded, OutOfMemory,
// AccessDenied...). Then it holds the memory for `hold-ticks` ticks of virtual time (or forever, with
// heartbeats) and exits: 0 when it reached max-kib, 1 after a refusal, 64 on bad arguments.
#include <core/base/units.hpp>
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* Usage = "memhog step-kib max-kib [hold-ticks|forever]";
constexpr u64 HeapBase = 0x1'0000'0000; // 4 GiB: far from the image and the stacks
constexpr u64 MaxBytes = 0x1000'0000'0000;
constexpr u64 HoldPause = 1'000'000'000; // ticks: the heartbeat period when holding forever

u64 pattern_of(u64 address) { return address ^ 0x6d656d686f67'0000; } // "memhog"

// Writes then reads a word in every page of [base, base + length); false on the first wrong read.
bool touch(u64 base, u64 length) {
    for (u64 address = base; address < base + length; address += PageSize)
        *reinterpret_cast<u64 volatile*>(address) = pattern_of(address);
    for (u64 address = base; address < base + length; address += PageSize)
        if (*reinterpret_cast<u64 volatile*>(address) != pattern_of(address)) return false;
    return true;
}

void hold(u64 ticks) {
    if (ticks == Forever) {
        for (;;) {
            sys_heartbeat();
            sys_sleep(HoldPause);
        }
    }
    if (ticks > 0) sys_sleep(ticks);
}

} // namespace

int main(int argc, char** argv) {
    u64 step_kib = 0;
    u64 max_kib = 0;
    u64 hold_ticks = 0;
    if (argc < 3 || argc > 4 || !parse_unsigned(argv[1], step_kib) || !parse_unsigned(argv[2], max_kib) ||
        (argc == 4 && !parse_count(argv[3], hold_ticks)))
        usage(Usage);
    if (step_kib == 0 || step_kib > MaxBytes / 1024 || max_kib > MaxBytes / 1024) usage(Usage);
    u64 step = (step_kib * 1024 + PageSize - 1) & ~(PageSize - 1);
    u64 max = (max_kib * 1024 + PageSize - 1) & ~(PageSize - 1);
    u64 steps = (max + step - 1) / step;
    u64 report_every = steps / 16 == 0 ? 1 : steps / 16;

    print("memhog: mapping %lu KiB in steps of %lu KiB at 0x%lx\n", max / 1024, step / 1024, HeapBase);
    u64 mapped = 0;
    u64 done_steps = 0;
    bool refused = false;
    while (mapped < max) {
        u64 length = max - mapped < step ? max - mapped : step;
        long result = sys_memory_map(HeapBase + mapped, length, abi::ProtRead | abi::ProtWrite);
        if (result < 0) {
            print("memhog: map of %lu KiB at 0x%lx refused: %s, %lu KiB mapped\n", length / 1024, HeapBase + mapped,
                  status_name(result), mapped / 1024);
            refused = true;
            break;
        }
        if (!touch(HeapBase + mapped, length))
            panic(ExitSoftware, "memhog: memory at 0x%lx does not keep what was written", HeapBase + mapped);
        mapped += length;
        ++done_steps;
        if (done_steps % report_every == 0 || mapped == max) print("memhog: %lu KiB mapped\n", mapped / 1024);
    }
    if (!refused) print("memhog: reached %lu KiB\n", mapped / 1024);
    if (hold_ticks != 0) print("memhog: holding %lu KiB for %s ticks\n", mapped / 1024, argv[3]);
    hold(hold_ticks);
    return refused ? 1 : 0;
}

// io port PORT [in|out] [VALUE]
// io phys ADDRESS [LENGTH]
// io loop rdtsc|out|outs PORT [KIB]
//
// Device access, for the capability scenarios:
//   port   one `in al, dx` (default) or `out dx, al` of VALUE (default 0) on PORT (0..0xffff). Without an
//          IoPort capability for PORT the instruction faults (general protection) and the grove crashes.
//   phys   maps LENGTH bytes (default 4096) of physical memory at ADDRESS, read-only, with PhysicalMap
//          (PhysicalMemory capability), at PhysicalWindow, and reads the first word.
//   loop   never returns: `rdtsc` in a loop, `out dx, al` on PORT in a loop, or `rep outsb` of KIB KiB (default
//          32768, mapped with MemoryMap at BufferWindow) to PORT in a loop. What a simulator must survive.
// Exits 0 on success, 1 when PhysicalMap is refused, 64 on bad arguments.
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* Usage =
    "io port PORT [in|out] [VALUE] | io phys ADDRESS [LENGTH] | io loop rdtsc|out|outs PORT [KIB]";
constexpr u64 PhysicalWindow = 0x2'0000'0000; // 8 GiB
constexpr u64 BufferWindow = 0x3'0000'0000;   // 12 GiB

[[gnu::noinline]] u8 port_in(u16 port) {
    u8 value = 0;
    asm volatile("inb %1, %0" : "=a"(value) : "d"(port) : "memory");
    return value;
}

[[gnu::noinline]] void port_out(u16 port, u8 value) {
    asm volatile("outb %0, %1" : : "a"(value), "d"(port) : "memory");
}

int run_port(int argc, char** argv) {
    u64 port = 0;
    u64 value = 0;
    char const* direction = argument(argc, argv, 3, "in");
    bool out = is_mode(direction, "out");
    if (argc < 3 || argc > 5 || !parse_unsigned(argv[2], port) || port > 0xffff ||
        (!out && !is_mode(direction, "in")) || (argc == 5 && (!out || !parse_unsigned(argv[4], value) || value > 0xff)))
        usage(Usage);
    if (out) {
        print("io: out 0x%lx, 0x%lx\n", port, value);
        port_out(static_cast<u16>(port), static_cast<u8>(value));
        print("io: out done\n");
    } else {
        print("io: in 0x%lx\n", port);
        unsigned got = port_in(static_cast<u16>(port));
        print("io: in 0x%lx = 0x%x\n", port, got);
    }
    return 0;
}

int run_phys(int argc, char** argv) {
    u64 address = 0;
    u64 length = 4096;
    if (argc < 3 || argc > 4 || !parse_unsigned(argv[2], address) || (argc == 4 && !parse_unsigned(argv[3], length)) ||
        length == 0 || length > 0x1000'0000)
        usage(Usage);
    long mapped = sys_physical_map(PhysicalWindow, address, length, abi::ProtRead);
    if (mapped < 0) {
        print("io: PhysicalMap of 0x%lx (%lu bytes) refused: %s\n", address, length, status_name(mapped));
        return 1;
    }
    u64 word = *reinterpret_cast<u64 volatile*>(PhysicalWindow);
    print("io: physical 0x%lx mapped at 0x%lx, first word 0x%lx\n", address, PhysicalWindow, word);
    return 0;
}

[[noreturn]] int run_loop(int argc, char** argv) {
    char const* kind = argument(argc, argv, 2, "");
    u64 port = 0;
    u64 kib = 32768;
    if (argc < 4 || argc > 5 || !parse_unsigned(argv[3], port) || port > 0xffff ||
        (argc == 5 && (!parse_unsigned(argv[4], kib) || kib == 0 || kib > 65536)))
        usage(Usage);
    if (is_mode(kind, "rdtsc")) {
        print("io: rdtsc in a loop\n");
        for (;;) asm volatile("rdtsc" : : : "rax", "rdx", "memory");
    }
    if (is_mode(kind, "out")) {
        print("io: out 0x%lx in a loop\n", port);
        for (;;) port_out(static_cast<u16>(port), 0x55);
    }
    if (!is_mode(kind, "outs")) usage(Usage);
    u64 const length = kib * 1024;
    long mapped = sys_memory_map(BufferWindow, length, abi::ProtRead | abi::ProtWrite);
    if (mapped < 0) {
        print("io: MemoryMap of %lu KiB refused: %s\n", kib, status_name(mapped));
        sys_exit(1);
    }
    print("io: rep outsb of %lu KiB to 0x%lx in a loop\n", kib, port);
    for (;;) {
        u64 source = BufferWindow;
        u64 count = length;
        asm volatile("rep outsb" : "+S"(source), "+c"(count) : "d"(static_cast<u16>(port)) : "memory");
    }
}

} // namespace

int main(int argc, char** argv) {
    char const* mode = argument(argc, argv, 1, nullptr);
    if (is_mode(mode, "port")) return run_port(argc, argv);
    if (is_mode(mode, "phys")) return run_phys(argc, argv);
    if (is_mode(mode, "loop")) run_loop(argc, argv);
    usage(Usage);
}

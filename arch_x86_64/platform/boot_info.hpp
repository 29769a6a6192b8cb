#pragma once
#include <core/base/std.hpp>
#include <core/base/units.hpp>

namespace grove::metal {

struct MemoryRegion {
    u64 base = 0;
    u64 length = 0;
};

// A boot module (a grove image, later the scenario plan): where the loader put it, and its command line.
struct BootModule {
    static constexpr usize MaxName = 64;
    u64 start = 0;
    u64 end = 0; // exclusive
    char name[MaxName]{};
};

// What the boot loader told the kernel, copied out of the Multiboot2 (GRUB) or Multiboot1 (QEMU -kernel)
// information structure into static storage before any frame is handed out, so the structure itself may be
// overwritten afterwards. Entries beyond the capacities are dropped (and counted).
class BootInfo {
public:
    static constexpr usize MaxRegions = 32;
    static constexpr usize MaxModules = 16;
    static constexpr u32 Multiboot1Magic = 0x2badb002;
    static constexpr u32 Multiboot2Magic = 0x36d76289;

    // Reads the structure at physical `info` (identity mapped). False when `magic` is neither protocol's.
    bool parse(u32 magic, u64 info);

    Span<MemoryRegion const> available_memory() const { return {m_regions, m_region_count}; }
    Span<BootModule const> modules() const { return {m_modules, m_module_count}; }
    char const* protocol() const { return m_protocol; }
    usize dropped() const { return m_dropped; }

private:
    void parse_multiboot2(u64 info);
    void parse_multiboot1(u64 info);
    void add_region(u64 base, u64 length);
    void add_module(u64 start, u64 end, char const* name);

    MemoryRegion m_regions[MaxRegions]{};
    usize m_region_count = 0;
    BootModule m_modules[MaxModules]{};
    usize m_module_count = 0;
    usize m_dropped = 0;
    char const* m_protocol = "none";
};

} // namespace grove::metal

#include <arch_x86_64/platform/boot_info.hpp>

namespace grove::metal {

namespace {

template<typename T>
T read(u64 address) {
    T value;
    copy_bytes(&value, reinterpret_cast<void const*>(address), sizeof value);
    return value;
}

constexpr u32 AvailableMemory = 1;

} // namespace

bool BootInfo::parse(u32 magic, u64 info) {
    if (magic == Multiboot2Magic) {
        m_protocol = "multiboot2";
        parse_multiboot2(info);
        return true;
    }
    if (magic == Multiboot1Magic) {
        m_protocol = "multiboot1";
        parse_multiboot1(info);
        return true;
    }
    return false;
}

void BootInfo::parse_multiboot2(u64 info) {
    constexpr u32 TagEnd = 0, TagModule = 3, TagMemoryMap = 6;
    u32 const total = read<u32>(info);
    u64 tag = info + 8;
    while (tag + 8 <= info + total) {
        u32 const type = read<u32>(tag);
        u32 const size = read<u32>(tag + 4);
        if (type == TagEnd || size < 8) break;
        if (type == TagMemoryMap) {
            u32 const entry_size = read<u32>(tag + 8);
            for (u64 e = tag + 16; entry_size >= 24 && e + entry_size <= tag + size; e += entry_size)
                if (read<u32>(e + 16) == AvailableMemory) add_region(read<u64>(e), read<u64>(e + 8));
        } else if (type == TagModule) {
            add_module(read<u32>(tag + 8), read<u32>(tag + 12), reinterpret_cast<char const*>(tag + 16));
        }
        tag += (u64{size} + 7) & ~u64{7};
    }
}

void BootInfo::parse_multiboot1(u64 info) {
    constexpr u32 HasModules = 1u << 3, HasMemoryMap = 1u << 6;
    u32 const flags = read<u32>(info);
    if ((flags & HasMemoryMap) != 0) {
        u64 const map = read<u32>(info + 48);
        u64 const length = read<u32>(info + 44);
        for (u64 e = map; e + 24 <= map + length; e += u64{read<u32>(e)} + 4)
            if (read<u32>(e + 20) == AvailableMemory) add_region(read<u64>(e + 4), read<u64>(e + 12));
    }
    if ((flags & HasModules) != 0) {
        u32 const count = read<u32>(info + 20);
        u64 const table = read<u32>(info + 24);
        for (u32 i = 0; i < count; ++i) {
            u64 const m = table + 16 * u64{i};
            u32 const name = read<u32>(m + 8);
            add_module(read<u32>(m), read<u32>(m + 4), name == 0 ? "" : reinterpret_cast<char const*>(u64{name}));
        }
    }
}

void BootInfo::add_region(u64 base, u64 length) {
    if (m_region_count == MaxRegions) {
        ++m_dropped;
        return;
    }
    m_regions[m_region_count++] = MemoryRegion{base, length};
}

void BootInfo::add_module(u64 start, u64 end, char const* name) {
    if (m_module_count == MaxModules || end < start) {
        ++m_dropped;
        return;
    }
    BootModule& module = m_modules[m_module_count++];
    module.start = start;
    module.end = end;
    usize i = 0;
    for (; i + 1 < BootModule::MaxName && name[i] != '\0'; ++i) module.name[i] = name[i];
    module.name[i] = '\0';
}

} // namespace grove::metal

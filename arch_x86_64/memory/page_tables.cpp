#include <arch_x86_64/memory/page_tables.hpp>

#include <arch_x86_64/memory/physical_memory.hpp>

namespace grove::metal {

namespace {

constexpr u64 TableBits = PageTables::Present | PageTables::Writable;

u64* table_of(u64 entry) { return static_cast<u64*>(physical_to_pointer(PhysAddr{entry & PageTables::AddressMask})); }

usize index_at(u64 address, int level) { return static_cast<usize>((address >> (12 + 9 * level)) & 511); }

} // namespace

Result<PageTables> PageTables::create(FrameAllocator& frames, PhysAddr trampoline_table) {
    if (frames.free_pages() < PageCount(3)) return Error::OutOfMemory;
    PhysAddr const pml4 = frames.allocate_zeroed().release_value();
    PhysAddr const pdpt = frames.allocate_zeroed().release_value();
    PhysAddr const pd = frames.allocate_zeroed().release_value();
    table_of(pml4.value)[0] = pdpt.value | TableBits;
    table_of(pdpt.value)[0] = pd.value | TableBits;
    table_of(pd.value)[0] = trampoline_table.value | TableBits | SharedTable;
    return PageTables(pml4);
}

u64* PageTables::leaf(u64 address) const {
    u64* table = table_of(m_root.value);
    for (int level = 3; level > 0; --level) {
        u64 const entry = table[index_at(address, level)];
        if ((entry & Present) == 0) return nullptr;
        table = table_of(entry);
    }
    return &table[index_at(address, 0)];
}

u64 PageTables::missing_tables(u64 base, PageCount pages) const {
    u64 count = 0;
    u64 counted_region[4] = {~0ull, ~0ull, ~0ull, ~0ull}; // by level: the last region whose table was counted
    for (u64 i = 0; i < pages.value; ++i) {
        u64 const address = base + i * PageSize;
        u64* table = table_of(m_root.value);
        bool missing = false;
        for (int level = 3; level > 0; --level) {
            if (!missing) {
                u64 const entry = table[index_at(address, level)];
                missing = (entry & Present) == 0;
                if (!missing) table = table_of(entry);
            }
            // The table below this level covers 2^(12 + 9 * level) bytes.
            u64 const region = address >> (12 + 9 * level);
            if (missing && counted_region[level] != region) {
                counted_region[level] = region;
                ++count;
            }
        }
    }
    return count;
}

u64& PageTables::ensure_leaf(FrameAllocator& frames, u64 address) {
    u64* table = table_of(m_root.value);
    for (int level = 3; level > 0; --level) {
        u64& entry = table[index_at(address, level)];
        if ((entry & Present) == 0) {
            Result<PhysAddr> frame = frames.allocate_zeroed();
            GROVE_ASSERT(frame.has_value()); // reserved by the caller
            entry = frame.value().value | TableBits;
            m_table_pages += PageCount(1);
        }
        table = table_of(entry);
    }
    return table[index_at(address, 0)];
}

void PageTables::destroy(FrameAllocator& frames) {
    u64* pml4 = table_of(m_root.value);
    for (usize i = 0; i < 256; ++i) {
        if ((pml4[i] & Present) == 0) continue;
        u64* pdpt = table_of(pml4[i]);
        for (usize j = 0; j < 512; ++j) {
            if ((pdpt[j] & Present) == 0) continue;
            u64* pd = table_of(pdpt[j]);
            for (usize k = 0; k < 512; ++k) {
                if ((pd[k] & Present) == 0 || (pd[k] & SharedTable) != 0) continue;
                u64* pt = table_of(pd[k]);
                for (usize l = 0; l < 512; ++l)
                    if ((pt[l] & Mapped) != 0 && (pt[l] & Physical) == 0) frames.free(PhysAddr{pt[l] & AddressMask});
                frames.free(PhysAddr{pd[k] & AddressMask});
            }
            frames.free(PhysAddr{pdpt[j] & AddressMask});
        }
        frames.free(PhysAddr{pml4[i] & AddressMask});
    }
    frames.free(m_root);
    m_root = PhysAddr{};
    m_table_pages = PageCount{};
}

u64 PageTables::leaf_bits(Permissions permissions) {
    u64 bits = Mapped;
    if (has(permissions, Permissions::Read) || has(permissions, Permissions::Write) ||
        has(permissions, Permissions::Execute))
        bits |= Present;
    if (has(permissions, Permissions::Write)) bits |= Writable;
    if (!has(permissions, Permissions::Execute)) bits |= NoExecute;
    return bits;
}

} // namespace grove::metal

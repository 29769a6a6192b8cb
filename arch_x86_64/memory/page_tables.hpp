#pragma once
#include <arch_x86_64/memory/frame_allocator.hpp>
#include <core/arch/arch.hpp>

namespace grove::metal {

// One grove address space's 4-level page tables, rooted at a PML4 frame. Only the lower half is used: the grove
// window (layout::WindowBase..WindowEnd) with 4 KiB pages, plus the shared trampoline page table hung at
// PML4[0] -> PDPT[0] -> PD[0] (covering 0..2 MiB; it maps nothing but the trampoline). Nothing else of the kernel
// is ever mapped here, and no entry has the user bit: ring 1 is supervisor for paging.
//
// Leaf entries carry two software bits: Mapped (the page belongs to a mapping, even with no access, when the
// present bit is clear) and Physical (the frame is not the allocator's: unmap does not free it).
// Owns every table frame and every non-physical leaf frame reachable from the root; the shared trampoline table
// is marked in its PD entry and is never freed here.
class PageTables {
public:
    static constexpr u64 Present = 1ull << 0;
    static constexpr u64 Writable = 1ull << 1;
    static constexpr u64 WriteThrough = 1ull << 3; // PWT
    static constexpr u64 CacheDisable = 1ull << 4; // PCD: with PWT, uncached (PAT entry 3, UC, at reset)
    static constexpr u64 Mapped = 1ull << 9;
    static constexpr u64 Physical = 1ull << 10;
    static constexpr u64 SharedTable = 1ull << 11;
    static constexpr u64 NoExecute = 1ull << 63;
    static constexpr u64 AddressMask = 0x000f'ffff'ffff'f000ull;

    // New tables holding only the trampoline (3 frames). OutOfMemory when the allocator cannot give 3 frames.
    static Result<PageTables> create(FrameAllocator& frames, PhysAddr trampoline_table);
    PageTables() = default;

    PhysAddr root() const { return m_root; }
    // The table frames held: the 3 of create() and every table ensure_leaf() added.
    PageCount table_pages() const { return m_table_pages; }

    // The leaf entry of the page holding `address`, or nullptr when a table on the way is missing.
    u64* leaf(u64 address) const;
    // How many table frames mapping [base, base + pages) would add.
    u64 missing_tables(u64 base, PageCount pages) const;
    // The leaf entry for `address`, creating tables on the way. The caller reserved the frames (missing_tables).
    u64& ensure_leaf(FrameAllocator& frames, u64 address);
    // Frees every table and every non-physical leaf frame.
    void destroy(FrameAllocator& frames);

    // The leaf bits of a grove mapping with these permissions (x86 cannot express write-only or execute-only:
    // any permission makes the page readable).
    static u64 leaf_bits(Permissions permissions);

private:
    explicit PageTables(PhysAddr root) : m_root(root) {}

    PhysAddr m_root{};
    PageCount m_table_pages = Arch::SpaceTablePages; // create() builds the PML4, a PDPT and a PD
};

} // namespace grove::metal

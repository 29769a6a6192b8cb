#pragma once
#include <core/arch/arch.hpp>

#include <cstdint>
#include <set>

namespace grove::sim {

// The page tables metal would build for one address space (arch_x86_64/memory/page_tables.hpp), counted without
// being built: a backend that has no x86 page tables (the simulator, the tests' fake) charges what metal spends.
// A new space holds Arch::SpaceTablePages (the PML4, and the PDPT and PD of the shared trampoline table at 0); a
// mapping adds a PT per 2 MiB region, a PD per 1 GiB region and a PDPT per 512 GiB region that has none yet.
// Invariant: pages() == SpaceTablePages + the tables added; tables are only ever added (freed with the space).
class PageTableCount {
public:
    PageTableCount() {
        m_tables.insert(key(3, 0));
        m_tables.insert(key(2, 0));
    }

    // The tables mapping [base, base + pages) would add.
    PageCount missing(VirtAddr base, PageCount pages) const {
        u64 count = 0;
        for_each_table(base, pages, [&](std::uint64_t table) { count += m_tables.count(table) == 0 ? 1 : 0; });
        return PageCount(count);
    }
    // Adds them; returns how many.
    PageCount add(VirtAddr base, PageCount pages) {
        u64 count = 0;
        for_each_table(base, pages, [&](std::uint64_t table) { count += m_tables.insert(table).second ? 1 : 0; });
        return PageCount(count);
    }
    PageCount pages() const { return Arch::SpaceTablePages + PageCount(m_tables.size() - 2); }

private:
    // A table: its level (1 PT, covering 2 MiB; 2 PD, 1 GiB; 3 PDPT, 512 GiB) and the region of that size it maps.
    static std::uint64_t key(int level, std::uint64_t region) { return (std::uint64_t(level) << 60) | region; }
    static std::uint64_t region_of(std::uint64_t address, int level) { return address >> (12 + 9 * level); }

    // Calls f(table) for every table [base, base + pages) needs.
    template<typename F>
    static void for_each_table(VirtAddr base, PageCount pages, F&& f) {
        if (pages.is_zero()) return;
        std::uint64_t const last = base.value + (pages.value - 1) * PageSize;
        for (int level = 1; level <= 3; ++level)
            for (std::uint64_t r = region_of(base.value, level); r <= region_of(last, level); ++r) f(key(level, r));
    }

    std::set<std::uint64_t> m_tables;
};

} // namespace grove::sim

#include <sim/backend/unicorn_space.hpp>

#include <core/abi/syscall.hpp>
#include <core/base/assert.hpp>
#include <core/grove/layout.hpp>
#include <sim/backend/disassembler.hpp>
#include <sim/backend/snapshot_registers.hpp>
#include <sim/backend/virtual_clock.hpp>

#include <unicorn/unicorn.h>

#include <algorithm>
#include <cstring>

namespace grove::sim {
namespace {

constexpr u64 EmulatorStoppedWithoutReason = 0x1000; // FaultInfo::error_code of an EmulatorError
constexpr u64 EmulatorStaleSite = 0x1001;
constexpr u64 EmulatorUnexpectedInterrupt = 0x1002; // a vector no instruction of ring 1 can raise
constexpr u64 EmulatorSegmentLoad = 0x1003;         // a selector the CPU would load and Unicorn cannot (§6)
using x86::InstructionClass;
using x86::MaxInstructionLength;

u64 page_of(u64 address) { return address / PageSize; }

u32 unicorn_protection(Permissions p) {
    u32 prot = UC_PROT_NONE;
    if (has(p, Permissions::Read)) prot |= UC_PROT_READ;
    if (has(p, Permissions::Write)) prot |= UC_PROT_WRITE;
    if (has(p, Permissions::Execute)) prot |= UC_PROT_EXEC;
    return prot;
}

UnicornSpace* space_of(void* user) { return static_cast<UnicornSpace*>(user); }

void hook_block(uc_engine*, uint64_t address, uint32_t size, void* user) { space_of(user)->on_block(address, size); }
void hook_inline_site(uc_engine*, uint64_t address, uint32_t, void* user) { space_of(user)->on_inline_site(address); }
void hook_observed_instruction(uc_engine*, uint64_t address, uint32_t, void* user) {
    space_of(user)->on_observed_instruction(address);
}

// The classes a code hook emulates where they are, without leaving Unicorn: they only read and write registers,
// the grove's memory and the port log.
bool is_emulated_inline(x86::InstructionClass kind) {
    switch (kind) {
    case x86::InstructionClass::TimeStamp:
    case x86::InstructionClass::CpuIdentity:
    case x86::InstructionClass::PortIo:
    case x86::InstructionClass::StringPortIo: return true;
    default: return false;
    }
}
void hook_interrupt(uc_engine*, uint32_t vector, void* user) { space_of(user)->on_interrupt(vector); }
bool hook_invalid_memory(uc_engine*, uc_mem_type type, uint64_t address, int size, int64_t, void* user) {
    return space_of(user)->on_invalid_memory(type, address, size);
}
void hook_memory_sync(uc_engine*, uc_mem_type, uint64_t, int, int64_t, void*) {}
bool hook_invalid_instruction(uc_engine*, void* user) { return space_of(user)->on_invalid_instruction(); }
uint32_t hook_port_in(uc_engine*, uint32_t, int, void* user) {
    space_of(user)->on_unexpected_port();
    return ~uint32_t{0};
}
void hook_port_out(uc_engine*, uint32_t, int, uint32_t, void* user) { space_of(user)->on_unexpected_port(); }

template<typename F>
void* callback(F* function) {
    return reinterpret_cast<void*>(function);
}

// The fixed answers of cpuid: a vendor string of our own, and the baseline x86_64 features that Unicorn runs.
struct CpuIdLeaf {
    u32 eax, ebx, ecx, edx;
};
constexpr u32 text4(char a, char b, char c, char d) {
    return static_cast<u32>(static_cast<u8>(a)) | static_cast<u32>(static_cast<u8>(b)) << 8 |
           static_cast<u32>(static_cast<u8>(c)) << 16 | static_cast<u32>(static_cast<u8>(d)) << 24;
}
CpuIdLeaf cpuid_leaf(u32 leaf) {
    switch (leaf) {
    case 0: return {1, text4('G', 'r', 'o', 'v'), text4('t', 'C', 'P', 'U'), text4('e', 'V', 'i', 'r')};
    case 1: return {0x000006F1, 0, 0x00002001 /* sse3 cx16 */, 0x07808111 /* fpu tsc cx8 cmov mmx fxsr sse sse2 */};
    case 0x80000000: return {0x80000001, 0, 0, 0};
    case 0x80000001: return {0, 0, 0x1 /* lahf */, 0x20100000 /* nx lm */};
    default: return {0, 0, 0, 0};
    }
}

} // namespace

UnicornSpace::UnicornSpace(AddressSpaceId id, Machine machine) : m_id(id), m_machine(machine) {
    uc_engine* engine = nullptr;
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &engine) != UC_ERR_OK) return;
    m_engine = engine;
    uc_ctl_exits_enable(engine);
    uc_hook hook = 0;
    bool ok = uc_hook_add(engine, &hook, UC_HOOK_BLOCK, callback(hook_block), this, 1, 0) == UC_ERR_OK;
    ok = ok && uc_hook_add(engine, &hook, UC_HOOK_INTR, callback(hook_interrupt), this, 1, 0) == UC_ERR_OK;
    ok = ok && uc_hook_add(engine, &hook, UC_HOOK_MEM_INVALID, callback(hook_invalid_memory), this, 1, 0) == UC_ERR_OK;
    // Exact faults: a read and write hook on address 0, which is never mapped: its mere presence makes Unicorn keep
    // rip exact at every memory access, so that a fault names the faulting instruction and not an earlier block.
    // It also sends every load and store through Unicorn's slow path, which Fast avoids (fault_precision.hpp).
    if (m_machine.precision == FaultPrecision::Exact)
        ok = ok && uc_hook_add(engine, &hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, callback(hook_memory_sync), this, 0,
                               0) == UC_ERR_OK;
    ok = ok &&
         uc_hook_add(engine, &hook, UC_HOOK_INSN_INVALID, callback(hook_invalid_instruction), this, 1, 0) == UC_ERR_OK;
    // Port I/O never reaches Unicorn (every in/out is a stop site); these catch an encoding the rules missed.
    ok = ok && uc_hook_add(engine, &hook, UC_HOOK_INSN, callback(hook_port_in), this, 1, 0, UC_X86_INS_IN) == UC_ERR_OK;
    ok = ok &&
         uc_hook_add(engine, &hook, UC_HOOK_INSN, callback(hook_port_out), this, 1, 0, UC_X86_INS_OUT) == UC_ERR_OK;
    // Every instruction, for an observer (a debugger): added before any code is translated, so no block lacks it.
    if (m_machine.observer != nullptr)
        ok = ok &&
             uc_hook_add(engine, &hook, UC_HOOK_CODE, callback(hook_observed_instruction), this, 1, 0) == UC_ERR_OK;
    write_register(UC_X86_REG_RFLAGS, x86::rflags::Initial);
    // The selectors a grove reads on metal (mov from cs and ss, the frame of an iretq). Unicorn takes the values
    // without a descriptor table; they do not change its privilege level (DESIGN.md §6).
    write_register(UC_X86_REG_CS, x86::selectors::Ring1Code);
    write_register(UC_X86_REG_SS, x86::selectors::Ring1Data);
    ok = ok && uc_context_alloc(engine, &m_pristine) == UC_ERR_OK && uc_context_save(engine, m_pristine) == UC_ERR_OK;
    publish_sites();
    if (!ok) {
        if (m_pristine != nullptr) uc_context_free(m_pristine);
        m_pristine = nullptr;
        uc_close(engine);
        m_engine = nullptr;
    }
}

UnicornSpace::~UnicornSpace() {
    if (m_pristine != nullptr) uc_context_free(m_pristine);
    if (m_engine != nullptr) uc_close(m_engine);
}

// --- memory -----------------------------------------------------------------------------------------------------

bool UnicornSpace::can_map(VirtAddr base, PageCount pages) const {
    u64 length = 0;
    if (!base.is_page_aligned() || pages.is_zero() || !checked_mul(pages.value, PageSize, length)) return false;
    if (!layout::in_window(base.value, length)) return false;
    auto it = m_pages.lower_bound(page_of(base.value));
    return it == m_pages.end() || it->first >= page_of(base.value) + pages.value;
}

bool UnicornSpace::is_mapped(VirtAddr base, PageCount pages) const {
    u64 length = 0;
    if (!base.is_page_aligned() || pages.is_zero() || !checked_mul(pages.value, PageSize, length)) return false;
    if (!layout::in_window(base.value, length)) return false;
    u64 const first = page_of(base.value);
    for (u64 p = first; p < first + pages.value; ++p)
        if (m_pages.find(p) == m_pages.end()) return false;
    return true;
}

Result<void> UnicornSpace::map(VirtAddr base, PageCount pages, Permissions permissions, PhysAddr const* physical) {
    u64 const first = page_of(base.value);
    u64 const end = first + pages.value;
    bool const ordinary = physical == nullptr;
    if (ordinary && !m_memory.reserve(first, pages.value)) {
        m_memory.drop_unused();
        return Error::OutOfMemory;
    }
    for (u64 i = 0; i < pages.value; ++i)
        m_pages[first + i] = ordinary ? Page{permissions, false, m_memory.host(first + i), 0}
                                      : Page{permissions, true, nullptr, physical->value + i * PageSize};
    std::vector<std::pair<u64, u64>> blocks;
    split_into_regions(first, end, blocks);
    if (m_regions.size() + blocks.size() > MaxRegions) { // merging can only lower the count: checked before it
        m_pages.erase(m_pages.find(first), m_pages.lower_bound(end));
        if (ordinary) m_memory.drop_unused();
        return Error::OutOfMemory;
    }
    if (ordinary) {
        m_memory.hold(first, pages.value);
        m_frame_pages += pages;
    }
    for (auto const& [block, count] : blocks) add_region(block, count);
    // Instructions at the end of the page before may now be complete.
    if (has(permissions, Permissions::Execute)) rescan_sites(base.value, base.value + pages.value * PageSize);
    return {};
}

Result<PageCount> UnicornSpace::unmap(VirtAddr base, PageCount pages) {
    u64 const length = pages.value * PageSize;
    u64 const first = page_of(base.value);
    u64 const end = first + pages.value;
    // The regions the range touches, and what stays of them.
    auto touched = m_regions.upper_bound(first);
    if (touched != m_regions.begin() && std::prev(touched)->first + std::prev(touched)->second.pages > first) --touched;
    auto const touched_end = m_regions.lower_bound(end);
    usize touched_count = 0;
    std::vector<std::pair<u64, u64>> remains;
    for (auto it = touched; it != touched_end; ++it) {
        ++touched_count;
        u64 const region_end = it->first + it->second.pages;
        if (it->first < first) split_into_regions(it->first, first, remains);
        if (region_end > end) split_into_regions(end, region_end, remains);
    }
    if (m_regions.size() - touched_count + remains.size() > MaxRegions) return Error::OutOfMemory;
    // Before the pages go: their translated blocks are found through them, and a later mapping may reuse the
    // host memory behind them.
    invalidate_code(base.value, base.value + length);
    // The engine lets go of the host memory before it is released.
    for (auto it = touched; it != touched_end;) unmap_region(it++);
    for (auto const& [block, count] : remains) map_region(block, count);
    PageCount ordinary{};
    for (u64 p = first; p < end; ++p) {
        auto it = m_pages.find(p);
        if (!it->second.physical) {
            ordinary += PageCount(1);
            m_memory.release(p, 1);
        }
        m_pages.erase(it);
    }
    m_frame_pages -= ordinary;
    rescan_sites(base.value, base.value + length);
    return ordinary;
}

void UnicornSpace::split_into_regions(u64 first, u64 end, std::vector<std::pair<u64, u64>>& blocks) const {
    for (u64 p = first; p < end;) {
        Page const& head = m_pages.at(p);
        u64 size = 1;
        for (u64 next = 2; p % next == 0 && p + next <= end && next <= HostSlabs::SlabPages; next *= 2) {
            bool same = true;
            for (u64 q = p + size; q < p + next && same; ++q) {
                Page const& page = m_pages.at(q);
                same = page.permissions == head.permissions && continues(head, page, q - p);
            }
            if (!same) break;
            size = next;
        }
        blocks.emplace_back(p, size);
        p += size;
    }
}

void UnicornSpace::add_region(u64 first, u64 pages) {
    Permissions const permissions = m_pages.at(first).permissions;
    while (pages < HostSlabs::SlabPages) {
        auto buddy = m_regions.find(first ^ pages);
        if (buddy == m_regions.end() || buddy->second.pages != pages || buddy->second.head->permissions != permissions)
            break;
        u64 const low = std::min(first, buddy->first);
        Page const& lower = m_pages.at(low);
        Page const& upper = m_pages.at(low + pages);
        if (!continues(lower, upper, pages)) break;
        unmap_region(buddy);
        first = low;
        pages *= 2;
    }
    map_region(first, pages);
}

bool UnicornSpace::continues(Page const& head, Page const& page, u64 distance) {
    if (head.physical != page.physical) return false;
    return head.physical ? page.physical_address == head.physical_address + distance * PageSize
                         : page.host == head.host + distance * PageSize;
}

void UnicornSpace::map_region(u64 first, u64 pages) {
    Page const& head = m_pages.at(first);
    Permissions const permissions = head.permissions;
    Region& region = m_regions[first];
    region = Region{pages, this, &head};
    if (!head.physical) {
        GROVE_ASSERT(uc_mem_map_ptr(m_engine, first * PageSize, pages * PageSize, unicorn_protection(permissions),
                                    head.host) == UC_ERR_OK);
        return;
    }
    // Device memory: every access goes to the machine's bus (uc_mmio_map); a missing callback makes Unicorn refuse
    // that kind of access as the page table would (a page fault through on_invalid_memory).
    bool const readable = has(permissions, Permissions::Read);
    bool const writable = has(permissions, Permissions::Write);
    GROVE_ASSERT(uc_mmio_map(m_engine, first * PageSize, pages * PageSize, readable ? &mmio_read : nullptr, &region,
                             writable ? &mmio_write : nullptr, &region) == UC_ERR_OK);
}

std::uint64_t UnicornSpace::mmio_read(uc_struct*, std::uint64_t offset, unsigned size, void* user_data) {
    auto const& region = *static_cast<Region const*>(user_data);
    return region.space->memory_read(region.head->physical_address + offset, static_cast<u8>(size));
}

void UnicornSpace::mmio_write(uc_struct*, std::uint64_t offset, unsigned size, std::uint64_t value, void* user_data) {
    auto const& region = *static_cast<Region const*>(user_data);
    region.space->memory_write(region.head->physical_address + offset, static_cast<u8>(size), value);
}

u64 UnicornSpace::memory_read(u64 physical, u8 size) {
    u64 const value = m_machine.bus->read_memory(physical, size, m_machine.clock->now());
    stop_for_devices();
    return value;
}

void UnicornSpace::memory_write(u64 physical, u8 size, u64 value) {
    m_machine.bus->write_memory(physical, size, value, m_machine.clock->now());
    stop_for_devices();
}

void UnicornSpace::unmap_region(std::map<u64, Region>::iterator region) {
    GROVE_ASSERT(uc_mem_unmap(m_engine, region->first * PageSize, region->second.pages * PageSize) == UC_ERR_OK);
    m_regions.erase(region);
}

bool UnicornSpace::pages_allow(u64 address, u64 length, Permissions needed, Accessor by) const {
    if (length == 0) return true;
    u64 end = 0;
    if (!checked_add(address, length, end)) return false;
    for (u64 p = page_of(address); p <= page_of(end - 1); ++p) {
        auto it = m_pages.find(p);
        if (it == m_pages.end()) return false;
        if (needed != Permissions::None && !has(it->second.permissions, needed)) return false;
        // As on metal, the kernel reaches device memory only below KernelPhysicalLimit.
        if (by == Accessor::Kernel && it->second.physical && it->second.physical_address >= KernelPhysicalLimit)
            return false;
    }
    return true;
}

UnicornSpace::Page const& UnicornSpace::page_at(u64 address) const { return m_pages.find(page_of(address))->second; }

void UnicornSpace::read_bytes(u64 address, void* destination, u64 length) {
    auto* to = static_cast<std::uint8_t*>(destination);
    for (u64 done = 0, chunk = 0; done < length; done += chunk) {
        chunk = std::min<u64>(length - done, PageSize - (address + done) % PageSize);
        Page const& page = page_at(address + done);
        u64 const offset = (address + done) % PageSize;
        if (!page.physical) {
            std::memcpy(to + done, page.host + offset, chunk);
            continue;
        }
        // The kernel's copy of device memory: byte by byte through the bus, as a CPU's string copy would be.
        for (u64 i = 0; i < chunk; ++i)
            to[done + i] = static_cast<std::uint8_t>(memory_read(page.physical_address + offset + i, 1));
    }
}

void UnicornSpace::write_bytes(u64 address, void const* source, u64 length) {
    auto const* from = static_cast<std::uint8_t const*>(source);
    for (u64 done = 0, chunk = 0; done < length; done += chunk) {
        chunk = std::min<u64>(length - done, PageSize - (address + done) % PageSize);
        Page const& page = page_at(address + done);
        u64 const offset = (address + done) % PageSize;
        if (!page.physical) {
            std::memcpy(page.host + offset, from + done, chunk);
            continue;
        }
        for (u64 i = 0; i < chunk; ++i) memory_write(page.physical_address + offset + i, 1, from[done + i]);
    }
}

Result<void> UnicornSpace::load(VirtAddr destination, void const* source, Bytes length) {
    if (!pages_allow(destination.value, length.value, Permissions::None)) return Error::InvalidArgument;
    if (length.is_zero()) return {};
    write_bytes(destination.value, source, length.value);
    u64 const end = destination.value + length.value;
    bool executable = false;
    for (u64 p = page_of(destination.value); p <= page_of(end - 1); ++p)
        executable = executable || has(m_pages.at(p).permissions, Permissions::Execute);
    if (executable) {
        invalidate_code(destination.value, end);
        rescan_sites(destination.value, end);
    }
    return {};
}

bool UnicornSpace::cpu_read(u64 address, void* destination, u64 length) {
    if (!pages_allow(address, length, Permissions::Read, Accessor::Cpu)) return false;
    read_bytes(address, destination, length);
    return true;
}

bool UnicornSpace::cpu_write(u64 address, void const* source, u64 length) {
    if (!pages_allow(address, length, Permissions::Write, Accessor::Cpu)) return false;
    write_bytes(address, source, length);
    return true;
}

std::uint8_t* UnicornSpace::host_within_page(u64 address, u64 length, Permissions needed) const {
    if (length == 0 || address % PageSize + length > PageSize) return nullptr;
    auto it = m_pages.find(page_of(address));
    if (it == m_pages.end() || it->second.physical || !has(it->second.permissions, needed)) return nullptr;
    return it->second.host + address % PageSize;
}

Result<void> UnicornSpace::copy_from_user(void* destination, VirtAddr source, Bytes length) {
    // Most copies (a message, a name) lie within one page: one lookup checks it and finds its bytes.
    if (std::uint8_t const* host = host_within_page(source.value, length.value, Permissions::Read)) {
        std::memcpy(destination, host, length.value);
        return {};
    }
    if (!pages_allow(source.value, length.value, Permissions::Read)) return Error::InvalidArgument;
    read_bytes(source.value, destination, length.value);
    return {};
}

Result<void> UnicornSpace::copy_to_user(VirtAddr destination, void const* source, Bytes length) {
    // Data pages hold no translated code (W^X), so a plain store into the host memory is all a write takes.
    if (std::uint8_t* host = host_within_page(destination.value, length.value, Permissions::Write)) {
        std::memcpy(host, source, length.value);
        return {};
    }
    if (!pages_allow(destination.value, length.value, Permissions::Write)) return Error::InvalidArgument;
    write_bytes(destination.value, source, length.value);
    return {};
}

void UnicornSpace::set_io_ports(Span<IoPortRange const> ports) { m_ports.assign(ports.begin(), ports.end()); }

bool UnicornSpace::may_access_ports(u16 port, u8 size) const {
    for (u32 p = port; p < u32{port} + size; ++p) {
        if (p > 0xFFFF) return false;
        bool covered = false;
        for (IoPortRange const& range : m_ports) covered = covered || range.contains(static_cast<u16>(p));
        if (!covered) return false;
    }
    return true;
}

usize UnicornSpace::peek(u64 address, void* destination, usize capacity) {
    usize done = 0;
    while (done < capacity) {
        u64 const at = address + done;
        // Device memory is not read for a report: a read may change the device.
        auto const page = m_pages.find(page_of(at));
        if (at < address || page == m_pages.end() || page->second.physical) break;
        usize const chunk = std::min<usize>(capacity - done, PageSize - at % PageSize);
        read_bytes(at, static_cast<std::uint8_t*>(destination) + done, chunk);
        done += chunk;
    }
    return done;
}

// --- stop sites and translated blocks ---------------------------------------------------------------------------

void UnicornSpace::invalidate_code(u64 begin, u64 end) {
    // Page by page: Unicorn translates only the first address of a range to its host memory, and the pages of
    // different mappings are not contiguous there. Pages that were never executable hold no blocks.
    bool any = false;
    for (u64 p = page_of(begin); p <= page_of(end - 1); ++p) {
        auto it = m_pages.find(p);
        if (it == m_pages.end() || !has(it->second.permissions, Permissions::Execute)) continue;
        uc_ctl_remove_cache(m_engine, p * PageSize, (p + 1) * PageSize);
        any = true;
    }
    if (!any) return;
    m_block_counts.clear();
    m_block_cache.fill(CachedBlock{});
}

void UnicornSpace::rescan_sites(u64 begin, u64 end) {
    constexpr u64 Reach = MaxInstructionLength;
    u64 const scan_begin = begin > Reach ? begin - (Reach - 1) : 0;
    u64 const window_end = end + Reach;
    std::vector<std::uint8_t> bytes(window_end - scan_begin, 0);
    std::vector<bool> readable(bytes.size(), false);
    for (u64 at = scan_begin; at < window_end;) {
        u64 const chunk_end = std::min(window_end, (page_of(at) + 1) * PageSize);
        // Device memory is never code (map refuses Execute for it), and a read may change the device: not read.
        auto const page = m_pages.find(page_of(at));
        if (page != m_pages.end() && !page->second.physical) {
            read_bytes(at, bytes.data() + (at - scan_begin), chunk_end - at);
            std::fill(readable.begin() + static_cast<long>(at - scan_begin),
                      readable.begin() + static_cast<long>(chunk_end - scan_begin), true);
        }
        at = chunk_end;
    }
    std::vector<u64> found;
    for (u64 at = scan_begin; at < end; ++at) {
        usize const index = at - scan_begin;
        if (!readable[index]) continue;
        auto page = m_pages.find(page_of(at));
        if (!has(page->second.permissions, Permissions::Execute)) continue;
        usize available = 0;
        while (available < Reach && index + available < bytes.size() && readable[index + available]) ++available;
        if (x86::classify_instruction(bytes.data() + index, available).kind != InstructionClass::Ordinary)
            found.push_back(at);
    }
    auto const first = m_sites.lower_bound(scan_begin);
    auto const last = m_sites.lower_bound(end);
    if (std::equal(first, last, found.begin(), found.end())) return;
    for (auto it = m_inline.lower_bound(scan_begin); it != m_inline.end() && it->first < end;) {
        if (std::binary_search(found.begin(), found.end(), it->first)) {
            ++it;
            continue;
        }
        uc_hook_del(m_engine, it->second);
        it = m_inline.erase(it);
    }
    for (u64 at : found) {
        if (m_sites.count(at) != 0 || m_inline.size() >= MaxInlineSites) continue;
        usize const index = at - scan_begin;
        usize available = 0;
        while (available < Reach && index + available < bytes.size() && readable[index + available]) ++available;
        if (!is_emulated_inline(x86::classify_instruction(bytes.data() + index, available).kind)) continue;
        uc_hook hook = 0;
        GROVE_ASSERT(uc_hook_add(m_engine, &hook, UC_HOOK_CODE, callback(hook_inline_site), this, at, at) == UC_ERR_OK);
        m_inline.emplace(at, hook);
    }
    m_sites.erase(first, last);
    m_sites.insert(found.begin(), found.end());
    // Blocks translated with the old exits may run through a new site (they hold its first byte) or stop at one
    // that is gone (they end just before it).
    invalidate_code(scan_begin > 0 ? scan_begin - 1 : 0, end);
    publish_sites();
}

void UnicornSpace::publish_sites() {
    m_site_buffer.clear();
    for (u64 site : m_sites)
        if (m_inline.count(site) == 0) m_site_buffer.push_back(site);
    uc_ctl_set_exits(m_engine, m_site_buffer.data(), m_site_buffer.size());
}

u32 UnicornSpace::count_block(u64 address, u32 size) {
    if (size == 0) return 0;
    u64 const key = block_key(address, size);
    auto it = m_block_counts.find(key);
    if (it != m_block_counts.end()) return it->second;
    m_code_buffer.resize(size);
    read_bytes(address, m_code_buffer.data(), size);
    u32 const instructions = m_machine.disassembler->count_instructions(m_code_buffer.data(), size, address);
    m_block_counts.emplace(key, instructions);
    return instructions;
}

void UnicornSpace::settle_block(u64 pc) {
    if (m_block == nullptr) return;
    CachedBlock const block = *m_block;
    m_block = nullptr;
    u64 const address = block.key & BlockAddressMask;
    u32 const size = static_cast<u32>(block.key >> BlockSizeShift);
    if (pc < address || pc >= address + size) return; // it ran to its end
    m_code_buffer.resize(size);
    read_bytes(address, m_code_buffer.data(), size);
    u32 const retired = m_machine.disassembler->count_instructions(m_code_buffer.data(), size, address, pc);
    m_machine.clock->unretire(block.instructions - retired);
}

// --- hooks ----------------------------------------------------------------------------------------------------

void UnicornSpace::record(Trap trap, u64 resume_pc) {
    m_trapped = true;
    m_stop_at = 0;
    m_trap = trap;
    m_resume_pc = resume_pc;
    // When uc_emu_start returns, Unicorn invalidates the translated block before every exit (it assumes exits
    // change between runs): with exits in use that is a walk over all stop sites and the retranslation of the
    // blocks they touch, on every trap (tens to hundreds of µs). Ours never change between runs, so the exits are
    // switched off for the rest of this run, which translates nothing more: after uc_emu_stop Unicorn leaves at
    // the next block boundary without looking up another block. run() switches them on again.
    uc_ctl_exits_disable(m_engine);
    uc_emu_stop(m_engine);
}

void UnicornSpace::on_block(u64 address, u32 size) {
    // Runs before every block the guest executes: the hot path of the simulator. A cache hit is two compares, two
    // stores and an add, without a stack frame; everything else is out of line.
    VirtualClock& clock = *m_machine.clock;
    if (clock.now().value >= m_stop_at) [[unlikely]]
        return stop_before_block(address);
    CachedBlock& slot = m_block_cache[(address ^ (address >> 12)) & (BlockCacheSize - 1)];
    if (slot.key != block_key(address, size)) [[unlikely]]
        return enter_uncached_block(slot, address, size);
    m_block = &slot;
    clock.retire(slot.instructions);
}

void UnicornSpace::on_inline_site(u64 pc) {
    if (m_trapped) return; // the run is stopping
    // The block was counted to its end: what follows the site has not run yet.
    settle_block(pc);
    Trap trap;
    if (handle_site(pc, trap)) return record(trap, pc);
    // Emulated: handle_site moved rip past the instruction, and writing rip from a hook makes Unicorn leave the
    // block and go on there, inside the same uc_emu_start (so the exits' invalidation on return is not paid).
}

void UnicornSpace::on_observed_instruction(u64 pc) {
    if (m_trapped) return; // the run is stopping: this instruction does not execute
    // The block hook counted the whole block at its start (it runs before the first instruction's code hook): this
    // instruction starts that many instructions before the block's end.
    Ticks time = m_machine.clock->now();
    if (m_block != nullptr) {
        m_block_position = pc == (m_block->key & BlockAddressMask) ? 0 : m_block_position + 1;
        time = Ticks(time.value - (m_block->instructions - m_block_position));
    }
    if (m_machine.observer->on_instruction(*this, m_loaded_thread, pc, time) == InstructionObserver::Verdict::Abandon)
        record(Trap::make_fault(TrapKind::EmulatorError, pc, FaultInfo{0, Access::Read, EmulatorStoppedWithoutReason}),
               pc);
}

void UnicornSpace::enter_uncached_block(CachedBlock& slot, u64 address, u32 size) {
    slot = CachedBlock{block_key(address, size), count_block(address, size)};
    m_block = &slot;
    m_machine.clock->retire(slot.instructions);
}

void UnicornSpace::stop_before_block(u64 address) {
    if (m_trapped) return; // the run is stopping: Unicorn may still enter a block before it leaves
    m_block = nullptr;
    record(Trap::make_timer(address), address);
}

void UnicornSpace::on_interrupt(u32 vector) {
    u64 const rip = read_register(UC_X86_REG_RIP);
    if (vector == abi::SyscallVector) {
        SyscallArgs args;
        int const registers[] = {UC_X86_REG_RAX, UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX,
                                 UC_X86_REG_R10, UC_X86_REG_R8,  UC_X86_REG_R9};
        u64 values[7]{};
        void* pointers[7];
        for (usize i = 0; i < 7; ++i) pointers[i] = &values[i];
        uc_reg_read_batch(m_engine, const_cast<int*>(registers), pointers, 7);
        args.number = values[0];
        for (usize i = 0; i < 6; ++i) args.arg[i] = values[i + 1];
        record(Trap::make_syscall(rip, args), rip);
        return;
    }
    if (vector == x86::vector_number(x86::Vector::Breakpoint)) {
        u8 previous = 0;
        peek(rip - 1, &previous, 1);
        record(Trap::make_fault(TrapKind::Breakpoint, x86::breakpoint_pc(rip, previous), {}), rip);
        return;
    }
    // `int n` through a closed gate is a stop site and never gets here: what remains are the exceptions Unicorn
    // raises for the instruction at rip (a fault) or, for #DB, after it.
    if (vector >= 32) {
        record(Trap::make_fault(TrapKind::EmulatorError, rip, FaultInfo{0, Access::Read, EmulatorUnexpectedInterrupt}),
               rip);
        return;
    }
    record(Trap::make_fault(x86::trap_kind_of(static_cast<u8>(vector)), rip, {}), rip);
}

bool UnicornSpace::on_invalid_memory(int type, u64 address, int) {
    Access access = Access::Read;
    bool present = false;
    switch (type) {
    case UC_MEM_READ_PROT: present = true; [[fallthrough]];
    case UC_MEM_READ_UNMAPPED: access = Access::Read; break;
    case UC_MEM_WRITE_PROT: present = true; [[fallthrough]];
    case UC_MEM_WRITE_UNMAPPED: access = Access::Write; break;
    case UC_MEM_FETCH_PROT: present = true; [[fallthrough]];
    default: access = Access::Execute; break;
    }
    u64 const code = x86::page_fault::error_code(present, access);
    u64 const pc = access == Access::Execute ? address : read_register(UC_X86_REG_RIP);
    record(Trap::make_fault(TrapKind::PageFault, pc, FaultInfo{address, access, code}), pc);
    // A fetch fault's pc is the address fetched; a data fault's is rip, current only under a memory hook.
    m_trap_inexact = access != Access::Execute && m_machine.precision == FaultPrecision::Fast;
    return false;
}

bool UnicornSpace::on_invalid_instruction() {
    u64 const rip = read_register(UC_X86_REG_RIP);
    record(Trap::make_fault(TrapKind::InvalidOpcode, rip, {}), rip);
    return false;
}

void UnicornSpace::on_unexpected_port() {
    u64 const rip = read_register(UC_X86_REG_RIP);
    record(Trap::make_fault(TrapKind::GeneralProtection, rip, {}), rip);
}

// --- running ----------------------------------------------------------------------------------------------------

u64 UnicornSpace::read_register(int reg) const {
    u64 value = 0;
    uc_reg_read(m_engine, reg, &value);
    return value;
}

void UnicornSpace::write_register(int reg, u64 value) { uc_reg_write(m_engine, reg, &value); }

RegisterSnapshot UnicornSpace::registers() const {
    return snapshot_registers([this](int reg) { return read_register(reg); });
}

Trap UnicornSpace::run() {
    for (;;) {
        m_trapped = false;
        m_trap_inexact = false;
        m_block = nullptr;
        m_stop_at = m_machine.clock->deadline().value; // the kernel sets the deadline only between runs
        u64 const start = read_register(UC_X86_REG_RIP);
        uc_err const error = uc_emu_start(m_engine, start, 0, 0, 0);
        uc_ctl_exits_enable(m_engine); // record() may have switched them off
        if (m_trapped) {
            if (read_register(UC_X86_REG_RIP) != m_resume_pc) write_register(UC_X86_REG_RIP, m_resume_pc);
            settle_block(m_resume_pc);
            return m_trap;
        }
        u64 const rip = read_register(UC_X86_REG_RIP);
        settle_block(rip);
        if (error != UC_ERR_OK)
            return Trap::make_fault(TrapKind::EmulatorError, rip, FaultInfo{0, Access::Read, u64{error}});
        if (m_sites.count(rip) == 0)
            return Trap::make_fault(TrapKind::EmulatorError, rip,
                                    FaultInfo{0, Access::Read, EmulatorStoppedWithoutReason});
        Trap trap;
        if (handle_site(rip, trap)) return trap;
    }
}

bool UnicornSpace::handle_site(u64 pc, Trap& trap) {
    u8 bytes[MaxInstructionLength]{};
    usize const available = peek(pc, bytes, sizeof bytes);
    x86::Instruction const site = x86::classify_instruction(bytes, available);
    auto fault = [&](TrapKind kind, u64 code) {
        trap = Trap::make_fault(kind, pc, FaultInfo{0, Access::Read, code});
        return true;
    };
    // rdtsc, cpuid and port I/O cost what a trap costs (a real in or out takes about a microsecond).
    auto retire = [&] {
        write_register(UC_X86_REG_RIP, pc + site.length);
        m_machine.clock->retire(VirtualClock::DeviceInstructionCost.value);
        return false;
    };
    switch (site.kind) {
    case InstructionClass::Ordinary: return fault(TrapKind::EmulatorError, EmulatorStaleSite);
    case InstructionClass::Privileged:
        fault(TrapKind::GeneralProtection, 0);
        trap.fault.cause = FaultCause::PrivilegedInstruction;
        return true;
    case InstructionClass::Undefined: return fault(TrapKind::InvalidOpcode, 0);
    case InstructionClass::SoftwareInterrupt:
        return fault(TrapKind::GeneralProtection, x86::gate_error_code(site.vector));
    case InstructionClass::TimeStamp: {
        u64 const now = m_machine.clock->now().value;
        write_register(UC_X86_REG_RAX, now & 0xFFFFFFFF);
        write_register(UC_X86_REG_RDX, now >> 32);
        return retire();
    }
    case InstructionClass::CpuIdentity: {
        CpuIdLeaf const leaf = cpuid_leaf(static_cast<u32>(read_register(UC_X86_REG_RAX)));
        write_register(UC_X86_REG_RAX, leaf.eax);
        write_register(UC_X86_REG_RBX, leaf.ebx);
        write_register(UC_X86_REG_RCX, leaf.ecx);
        write_register(UC_X86_REG_RDX, leaf.edx);
        return retire();
    }
    case InstructionClass::PortIo: {
        u16 const port =
            site.has_port_immediate ? site.port_immediate : static_cast<u16>(read_register(UC_X86_REG_RDX) & 0xFFFF);
        if (!may_access_ports(port, site.operand_size)) {
            fault(TrapKind::GeneralProtection, 0);
            trap.fault.cause = FaultCause::IoPort;
            trap.fault.port = port;
            return true;
        }
        u64 const rax = read_register(UC_X86_REG_RAX);
        u64 const mask = site.operand_size == 4 ? 0xFFFFFFFF : (u64{1} << (8 * site.operand_size)) - 1;
        retire(); // the access happens at the instruction's time
        if (site.is_output) port_write(port, site.operand_size, static_cast<u32>(rax & mask));
        else if (site.operand_size == 4) write_register(UC_X86_REG_RAX, port_read(port, 4)); // clears the upper half
        else write_register(UC_X86_REG_RAX, (rax & ~mask) | (port_read(port, site.operand_size) & mask));
        return false;
    }
    case InstructionClass::StringPortIo: return emulate_string_io(pc, site, trap);
    case InstructionClass::FlagsLoad: return emulate_flags_load(pc, site, trap);
    case InstructionClass::InterruptReturn: return emulate_interrupt_return(pc, site, trap);
    case InstructionClass::SegmentLoad: return emulate_segment_load(pc, site, trap);
    }
    return fault(TrapKind::EmulatorError, EmulatorStaleSite);
}

Trap UnicornSpace::page_fault_at(u64 pc, u64 address, Access access) const {
    bool const present = m_pages.find(page_of(address)) != m_pages.end();
    return Trap::make_fault(TrapKind::PageFault, pc,
                            FaultInfo{address, access, x86::page_fault::error_code(present, access)});
}

bool UnicornSpace::read_stack(u64 pc, u64 offset, u8 size, u64& value, Trap& trap) {
    u64 const address = read_register(UC_X86_REG_RSP) + offset;
    value = 0;
    if (cpu_read(address, &value, size)) return true;
    u64 faulting = address;
    while (pages_allow(faulting, 1, Permissions::Read, Accessor::Cpu)) ++faulting; // the first byte it cannot read
    trap = page_fault_at(pc, faulting, Access::Read);
    return false;
}

bool UnicornSpace::emulate_flags_load(u64 pc, x86::Instruction const& site, Trap& trap) {
    u64 popped = 0;
    if (!read_stack(pc, 0, site.operand_size, popped, trap)) return true;
    u64 const current = read_register(UC_X86_REG_RFLAGS);
    if (site.operand_size == 2) popped = (current & ~u64{0xFFFF}) | popped; // popfw: the low half only
    write_register(UC_X86_REG_RFLAGS, x86::rflags::after_popf(current, popped));
    write_register(UC_X86_REG_RSP, read_register(UC_X86_REG_RSP) + site.operand_size);
    write_register(UC_X86_REG_RIP, pc + site.length);
    m_machine.clock->retire(1);
    return false;
}

bool UnicornSpace::emulate_interrupt_return(u64 pc, x86::Instruction const& site, Trap& trap) {
    u8 const size = site.operand_size;
    u64 frame[5]{}; // rip, cs, rflags, rsp, ss
    for (u64 i = 0; i < 5; ++i)
        if (!read_stack(pc, i * size, size, frame[i], trap)) return true;
    auto const cs = static_cast<u16>(frame[1]);
    auto const ss = static_cast<u16>(frame[4]);
    x86::SegmentLoad const target = x86::return_to(cs, ss, size);
    if (!target.allowed) {
        trap = Trap::make_fault(TrapKind::GeneralProtection, pc, FaultInfo{0, Access::Read, target.error_code});
        return true;
    }
    u64 const current = read_register(UC_X86_REG_RFLAGS);
    u64 popped = frame[2];
    if (size < 8) popped = (current & ~((u64{1} << (8 * size)) - 1)) | popped;
    u64 rip = frame[0];
    u64 rsp = frame[3];
    if (size < 8) { // iretd and iretw zero-extend
        rip &= (u64{1} << (8 * size)) - 1;
        rsp &= (u64{1} << (8 * size)) - 1;
    }
    write_register(UC_X86_REG_SS, ss);
    write_register(UC_X86_REG_RFLAGS, x86::rflags::after_iret(current, popped));
    write_register(UC_X86_REG_RSP, rsp);
    write_register(UC_X86_REG_RIP, rip);
    m_machine.clock->retire(1);
    return false;
}

bool UnicornSpace::emulate_segment_load(u64 pc, x86::Instruction const& site, Trap& trap) {
    static constexpr int GeneralRegisters[16] = {UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
                                                 UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
                                                 UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
                                                 UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15};
    static constexpr int SegmentRegisters[6] = {UC_X86_REG_ES, UC_X86_REG_CS, UC_X86_REG_SS,
                                                UC_X86_REG_DS, UC_X86_REG_FS, UC_X86_REG_GS};
    u64 value = 0;
    if (site.from_stack) {
        if (!read_stack(pc, 0, site.operand_size, value, trap)) return true;
    } else {
        value = read_register(GeneralRegisters[site.source_register & 15]);
    }
    auto const selector = static_cast<u16>(value);
    x86::SegmentLoad const load = x86::load_segment(site.segment, selector);
    if (!load.allowed) {
        trap = Trap::make_fault(TrapKind::GeneralProtection, pc, FaultInfo{0, Access::Read, load.error_code});
        return true;
    }
    u64 const wide = selector;
    if (uc_reg_write(m_engine, SegmentRegisters[static_cast<u8>(site.segment)], &wide) != UC_ERR_OK) {
        trap = Trap::make_fault(TrapKind::EmulatorError, pc, FaultInfo{0, Access::Read, EmulatorSegmentLoad});
        return true;
    }
    if (site.from_stack) write_register(UC_X86_REG_RSP, read_register(UC_X86_REG_RSP) + site.operand_size);
    write_register(UC_X86_REG_RIP, pc + site.length);
    m_machine.clock->retire(1);
    return false;
}

u32 UnicornSpace::port_read(u16 port, u8 size) {
    u32 const value = m_machine.bus->read(port, size, m_machine.clock->now());
    stop_for_devices();
    return value;
}

void UnicornSpace::port_write(u16 port, u8 size, u32 value) {
    m_machine.port_log->record(PortWrite{m_id, port, size, value});
    m_machine.bus->write(port, size, value, m_machine.clock->now());
    stop_for_devices();
}

void UnicornSpace::stop_for_devices() {
    if (m_stop_at == 0) return; // trapped already
    u64 const at =
        m_machine.bus->interrupts().has_fired() ? m_machine.clock->now().value : m_machine.bus->next_event().value;
    if (at < m_stop_at) m_stop_at = at;
}

bool UnicornSpace::emulate_string_io(u64 pc, x86::Instruction const& site, Trap& trap) {
    u16 const port = static_cast<u16>(read_register(UC_X86_REG_RDX) & 0xFFFF);
    if (!may_access_ports(port, site.operand_size)) {
        trap = Trap::make_fault(TrapKind::GeneralProtection, pc, {});
        trap.fault.cause = FaultCause::IoPort;
        trap.fault.port = port;
        return true;
    }
    int const pointer_register = site.is_output ? UC_X86_REG_RSI : UC_X86_REG_RDI;
    u64 pointer = read_register(pointer_register);
    u64 remaining = site.repeat ? read_register(UC_X86_REG_RCX) : 1;
    u64 const step = (read_register(UC_X86_REG_RFLAGS) & x86::rflags::Direction) != 0 ? u64{0} - site.operand_size
                                                                                      : u64{site.operand_size};
    VirtualClock& clock = *m_machine.clock;
    clock.retire(VirtualClock::DeviceInstructionCost.value);
    // An interrupt is taken between two iterations: the iterations that fit before the deadline run (at least
    // one), then the instruction stops with its registers at the point reached and rip on it, and goes on when
    // the thread runs again.
    u64 const budget = m_stop_at > clock.now().value ? m_stop_at - clock.now().value : 1;
    u64 const iterations = std::min(remaining, budget);
    // Only the last PortLog::Capacity writes of a run can stay in the log: the earlier ones are counted.
    u64 const unrecorded = site.is_output && iterations > PortLog::Capacity ? iterations - PortLog::Capacity : 0;
    Permissions const needed = site.is_output ? Permissions::Read : Permissions::Write;
    // A write to a port no device claims is ignored (the bus would only look the port up again, every element).
    bool const claimed = m_machine.bus->device_at(port) != nullptr;
    u64 cached_page = ~u64{0};
    std::uint8_t* cached_host = nullptr;
    u64 done = 0;
    bool faulted = false;
    for (; done < iterations; ++done, pointer += step) {
        u32 value = ~u32{0};
        std::uint8_t* host = nullptr;
        if (page_of(pointer) == cached_page && pointer % PageSize + site.operand_size <= PageSize) {
            host = cached_host + pointer % PageSize;
        } else if ((host = host_within_page(pointer, site.operand_size, needed)) != nullptr) {
            cached_page = page_of(pointer);
            cached_host = host - pointer % PageSize;
        }
        bool moved = true;
        if (!site.is_output) value = port_read(port, site.operand_size);
        if (host != nullptr) {
            if (site.is_output) std::memcpy(&value, host, site.operand_size);
            else std::memcpy(host, &value, site.operand_size);
        } else { // an element across two pages, or one the grove may not touch
            moved = site.is_output ? cpu_read(pointer, &value, site.operand_size)
                                   : cpu_write(pointer, &value, site.operand_size);
        }
        if (!moved) {
            faulted = true;
            break;
        }
        if (site.is_output) {
            u32 const mask = site.operand_size == 4 ? ~u32{0} : (u32{1} << (8 * site.operand_size)) - 1;
            if (done >= unrecorded) m_machine.port_log->record(PortWrite{m_id, port, site.operand_size, value & mask});
            if (claimed) m_machine.bus->write(port, site.operand_size, value & mask, clock.now());
        }
    }
    stop_for_devices();
    m_machine.port_log->count_unkept(std::min(unrecorded, done));
    clock.retire(done);
    remaining -= done;
    write_register(pointer_register, pointer);
    if (site.repeat) write_register(UC_X86_REG_RCX, remaining);
    if (faulted) {
        trap = page_fault_at(pc, pointer, site.is_output ? Access::Read : Access::Write);
        return true;
    }
    if (remaining > 0) {
        trap = Trap::make_timer(pc);
        return true;
    }
    write_register(UC_X86_REG_RIP, pc + site.length);
    return false;
}

} // namespace grove::sim

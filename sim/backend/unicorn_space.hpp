#pragma once
#include <core/arch/arch.hpp>
#include <sim/backend/crash_report.hpp>
#include <sim/backend/fault_precision.hpp>
#include <sim/backend/host_slabs.hpp>
#include <sim/backend/instruction_observer.hpp>
#include <sim/backend/port_log.hpp>
#include <sim/devices/device_bus.hpp>
#include <arch_x86_64/isa/instruction.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

struct uc_struct;
struct uc_context;

namespace grove::sim {

class Disassembler;
class VirtualClock;

// One grove address space: its own Unicorn engine (so groves cannot see each other's memory, and nothing of the
// kernel is mapped at all), its page table of permissions, its I/O port ranges, and the stop sites of its code.
//
// Invariants: `m_pages` holds exactly the pages mapped in the engine, with the permissions the engine enforces,
// and `m_regions` (at most MaxRegions) covers exactly those pages; no page is both writable and executable, so
// code changes only through load(), which rescans it; every address inside executable memory where an
// instruction of an x86::InstructionClass other than Ordinary starts is a stop site: a code hook that emulates it
// (rdtsc, cpuid, port I/O; up to MaxInlineSites) or an exit of the engine, so Unicorn never executes such an
// instruction (and never translates one at an exit, so cannot abort on it): the backend decides what the CPU
// would do at CPL 1, from the shared x86 facts (arch_x86_64/isa/).
// Owns the engine and the host memory of ordinary pages; refers to the machine's clock, disassembler, port log
// and physical memory, which outlive it.
class UnicornSpace {
public:
    struct Machine {
        VirtualClock* clock = nullptr;
        Disassembler* disassembler = nullptr;
        PortLog* port_log = nullptr;
        DeviceBus* bus = nullptr; // where permitted port accesses go
        FaultPrecision precision = FaultPrecision::Exact;
        InstructionObserver* observer = nullptr; // when set, sees every instruction (instruction_observer.hpp)
    };

    // Why run() returned.
    struct RunResult {
        bool trapped = false; // `trap` is set
        Trap trap{};
    };

    // A new engine with no memory. is_open() is false when Unicorn could not create one.
    UnicornSpace(AddressSpaceId id, Machine machine);
    ~UnicornSpace();
    UnicornSpace(UnicornSpace const&) = delete;
    UnicornSpace& operator=(UnicornSpace const&) = delete;

    bool is_open() const { return m_engine != nullptr; }
    AddressSpaceId id() const { return m_id; }

    // --- memory: the caller (UnicornArch) validated frames; these validate the ranges -----------------------
    // True when [base, base + pages) is page aligned, inside the grove window, and each page is unmapped.
    bool can_map(VirtAddr base, PageCount pages) const;
    // True when every page of the range is mapped.
    bool is_mapped(VirtAddr base, PageCount pages) const;
    // The caller checked can_map. `physical` is null for ordinary memory, or the physical address of the first
    // page of device memory: every access to such pages (the grove's, and the kernel's copies) goes to the
    // machine's bus at the virtual time it happens, and a page no device claims reads all ones and drops writes.
    // OutOfMemory (and nothing changed) when the host refuses memory or the space would need more than MaxRegions
    // Unicorn regions.
    Result<void> map(VirtAddr base, PageCount pages, Permissions permissions, PhysAddr const* physical);
    // The caller checked is_mapped. Returns how many of the pages were ordinary (frame-backed) pages; OutOfMemory
    // (and nothing changed) when what stays mapped would need more than MaxRegions Unicorn regions.
    Result<PageCount> unmap(VirtAddr base, PageCount pages);
    // Unicorn 2.0.1 rebuilds its whole memory map on every region it adds or removes, at a cost that grows faster
    // than the square of the number of regions (measured: 500 one-page regions 0.8 s, 1 000 6 s, 2 000 45 s), and
    // aborts the process at about 4 000. A space therefore maps its pages as few regions as it can (aligned runs
    // of pages with the same permissions and consecutive host memory, merged with their buddies), and never more
    // than this many.
    static constexpr usize MaxRegions = 512;
    usize region_count() const { return m_regions.size(); }
    // Ordinary pages mapped (the frames this space holds).
    PageCount frame_pages() const { return m_frame_pages; }

    Result<void> load(VirtAddr destination, void const* source, Bytes length);
    Result<void> copy_from_user(void* destination, VirtAddr source, Bytes length);
    Result<void> copy_to_user(VirtAddr destination, void const* source, Bytes length);
    // Whether every page of [address, address + length) is mapped with `access`.
    bool allows(VirtAddr address, Bytes length, Permissions access) const {
        return pages_allow(address.value, length.value, access);
    }
    void set_io_ports(Span<IoPortRange const> ports);
    // True when every port of [port, port + size) is in one of the ranges.
    bool may_access_ports(u16 port, u8 size) const;
    // The kernel's view: bytes at `address` regardless of permissions, at most `capacity`, stopping at the first
    // unmapped page. Returns how many were read.
    usize peek(u64 address, void* destination, usize capacity);

    // --- CPU ------------------------------------------------------------------------------------------------
    uc_struct* engine() const { return m_engine; }
    u64 read_register(int reg) const;
    void write_register(int reg, u64 value);
    RegisterSnapshot registers() const;

    // Runs the loaded thread from its rip until a trap; emulates the allowed stop sites (rdtsc, cpuid,
    // permitted port I/O) on the way. Never returns without a trap.
    Trap run();
    // True when the trap of the last run() is a data fault whose pc may be wrong (FaultPrecision::Fast).
    bool trap_is_inexact() const { return m_trap_inexact; }

    // Thread bookkeeping of UnicornArch: the ThreadId index whose registers are in the engine, if any.
    static constexpr u32 NoThread = ~u32{0};
    u32 loaded_thread() const { return m_loaded_thread; }
    void set_loaded_thread(u32 index) { m_loaded_thread = index; }
    // The registers of a thread that never ran: everything zero but rflags.
    uc_context* pristine_context() const { return m_pristine; }

    // Stop sites currently registered (for tests and reports).
    usize site_count() const { return m_sites.size(); }
    // Sites of the instructions the backend emulates (rdtsc, cpuid, port I/O) get a code hook of their own, which
    // emulates the instruction without leaving Unicorn; the others are exits, where the run leaves Unicorn. Unicorn
    // walks every code hook at each hooked instruction, so past this many the further emulated sites are exits
    // (slower, the same results).
    static constexpr usize MaxInlineSites = 256;
    usize inline_site_count() const { return m_inline.size(); }

    // Hook entry points (called by Unicorn through the C callbacks).
    void on_block(u64 address, u32 size);
    void on_inline_site(u64 address);
    void on_observed_instruction(u64 address);
    void on_interrupt(u32 vector);
    bool on_invalid_memory(int type, u64 address, int size);
    bool on_invalid_instruction();
    void on_unexpected_port();

private:
    struct Page {
        Permissions permissions = Permissions::None;
        bool physical = false;
        std::uint8_t* host = nullptr; // an ordinary page's bytes, in m_memory
        u64 physical_address = 0;     // a physical page's address on the machine's bus
    };
    // A Unicorn region: `pages` pages from the page number that keys it, a power of two aligned to its size, with
    // the same permissions and consecutive host memory or physical addresses: those of `head`, its first page's
    // entry in m_pages (a map node: stable while the region is mapped, as the page is). Device memory's callbacks
    // get the region (stable while it is mapped) and find the space and the physical address through it.
    struct Region {
        u64 pages = 0;
        UnicornSpace* space = nullptr;
        Page const* head = nullptr;
    };
    // Who reaches guest memory: the kernel's copies, limited to KernelPhysicalLimit in device memory, or the
    // grove's own instructions (emulated ones included), which reach whatever their page table maps.
    enum class Accessor : u8 { Kernel, Cpu };
    // `page` is `distance` pages after `head` in the same kind of memory, consecutive in it.
    static bool continues(Page const& head, Page const& page, u64 distance);
    static std::uint64_t mmio_read(uc_struct* engine, std::uint64_t offset, unsigned size, void* user_data);
    static void mmio_write(uc_struct* engine, std::uint64_t offset, unsigned size, std::uint64_t value,
                           void* user_data);
    // An access to device memory through the bus, at the current virtual time; a device event it scheduled brings
    // the run's stop forward, as for ports.
    u64 memory_read(u64 physical, u8 size);
    void memory_write(u64 physical, u8 size, u64 value);
    // Splits [first, end) (mapped pages) into the regions it becomes: aligned powers of two, cut where
    // permissions or host memory stop being contiguous. Appends (first page, pages) pairs to `blocks`.
    void split_into_regions(u64 first, u64 end, std::vector<std::pair<u64, u64>>& blocks) const;
    // Maps the region of `pages` pages at `first` in Unicorn, merged with its buddy as long as they match.
    void add_region(u64 first, u64 pages);
    // Maps the region of `pages` pages at `first` in Unicorn with the permissions of its pages.
    void map_region(u64 first, u64 pages);
    void unmap_region(std::map<u64, Region>::iterator region);

    // Whether every page of [address, address + length) is mapped with `needed` and reachable by `by`.
    bool pages_allow(u64 address, u64 length, Permissions needed, Accessor by = Accessor::Kernel) const;
    // The mapped page that holds `address`.
    Page const& page_at(u64 address) const;
    // The host bytes of [address, address + length) when the range is not empty, lies within one page, and that
    // page is mapped with `needed`; null otherwise.
    std::uint8_t* host_within_page(u64 address, u64 length, Permissions needed) const;
    // The guest's bytes regardless of permissions (device memory through the bus). The caller guarantees that every
    // page of the range is mapped.
    void read_bytes(u64 address, void* destination, u64 length);
    void write_bytes(u64 address, void const* source, u64 length);
    // An access of the grove's own instruction that the backend emulates (a stack read of popf or iret, an element
    // of ins or outs): every page readable (writable), as the grove's page table maps it; false, with nothing
    // done, when one is not.
    bool cpu_read(u64 address, void* destination, u64 length);
    bool cpu_write(u64 address, void const* source, u64 length);
    // Drops the translated blocks of the executable pages that [begin, end) touches (end > begin), and the
    // instruction counts of blocks.
    void invalidate_code(u64 begin, u64 end);
    void rescan_sites(u64 begin, u64 end);
    void publish_sites();
    // The instruction count of a block that missed the direct-mapped cache.
    u32 count_block(u64 address, u32 size);
    void record(Trap trap, u64 resume_pc);
    // The block at `address` starts at or after m_stop_at: when the run has not trapped yet, the deadline is
    // reached, and the block is preempted (a Timer trap there, before it runs).
    [[gnu::noinline]] void stop_before_block(u64 address);
    // A permitted port access, through the machine's bus at the current virtual time. A device event it scheduled
    // (or an interrupt that fired) brings the run's stop forward, so that the interrupt comes at its time.
    u32 port_read(u16 port, u8 size);
    void port_write(u16 port, u8 size, u32 value);
    void stop_for_devices();
    // Takes back the instructions of the current block that did not retire because it stopped before `pc`.
    void settle_block(u64 pc);
    // Handles the stop site at `pc`: true with `trap` set when it traps, false when it was emulated.
    bool handle_site(u64 pc, Trap& trap);
    bool emulate_string_io(u64 pc, x86::Instruction const& site, Trap& trap);
    // popf, iret, and segment loads by mov or pop: as the CPU does them at CPL 1.
    bool emulate_flags_load(u64 pc, x86::Instruction const& site, Trap& trap);
    bool emulate_interrupt_return(u64 pc, x86::Instruction const& site, Trap& trap);
    bool emulate_segment_load(u64 pc, x86::Instruction const& site, Trap& trap);
    // Reads `size` bytes (2, 4 or 8) at rsp + `offset`; false with `trap` set to the page fault the CPU would
    // raise at `pc` when they are not readable.
    bool read_stack(u64 pc, u64 offset, u8 size, u64& value, Trap& trap);
    // The #PF of an access at `address` that the page table refuses, at the instruction `pc`.
    Trap page_fault_at(u64 pc, u64 address, Access access) const;

    AddressSpaceId m_id;
    Machine m_machine;
    uc_struct* m_engine = nullptr;
    uc_context* m_pristine = nullptr;
    u32 m_loaded_thread = NoThread;
    std::map<u64, Page> m_pages;     // page number -> page
    std::map<u64, Region> m_regions; // first page number -> region; together they cover exactly m_pages
    HostSlabs m_memory;              // behind the ordinary pages, by guest page number
    PageCount m_frame_pages{};
    std::vector<IoPortRange> m_ports;
    std::set<u64> m_sites;       // every stop site
    std::map<u64, u64> m_inline; // the sites emulated by a code hook (site -> Unicorn hook); the others are exits
    std::vector<u64> m_site_buffer;

    // Instruction counts of translated blocks, by (address, size); a direct-mapped cache in front of the map
    // keeps the block hook cheap.
    struct CachedBlock {
        u64 key = ~u64{0}; // block_key(address, size)
        u32 instructions = 0;
    };
    static constexpr u32 BlockSizeShift = 48; // guest addresses have 48 bits, a block is far smaller than 64 KiB
    static constexpr u64 BlockAddressMask = (u64{1} << BlockSizeShift) - 1;
    static u64 block_key(u64 address, u32 size) { return address | (u64{size} << BlockSizeShift); }
    static constexpr usize BlockCacheSize = 4096;
    std::array<CachedBlock, BlockCacheSize> m_block_cache{};
    // on_block for a block that missed the cache: counts it into `slot`, then enters it. Out of line, so that the
    // hit path needs no stack frame.
    [[gnu::noinline]] void enter_uncached_block(CachedBlock& slot, u64 address, u32 size);
    std::unordered_map<u64, u32> m_block_counts;
    std::vector<std::uint8_t> m_code_buffer;

    // The block running now (its slot in m_block_cache), counted ahead in the clock; null when none is.
    CachedBlock const* m_block = nullptr;
    // With an observer: which instruction of m_block runs now (0 at its start), for the instruction's time.
    u32 m_block_position = 0;

    // No block may start once the clock reaches this: the preemption deadline while the run goes on, 0 once it
    // trapped (the blocks Unicorn may still enter before it leaves then do nothing).
    u64 m_stop_at = 0;
    // What stopped the current run.
    bool m_trapped = false;
    bool m_trap_inexact = false;
    Trap m_trap{};
    u64 m_resume_pc = 0;
};

} // namespace grove::sim

#pragma once
#include <arch_x86_64/memory/frame_allocator.hpp>
#include <arch_x86_64/memory/page_tables.hpp>
#include <arch_x86_64/memory/physical_memory.hpp>
#include <arch_x86_64/platform/local_apic.hpp>
#include <arch_x86_64/platform/pic.hpp>
#include <arch_x86_64/platform/register_frame.hpp>
#include <core/arch/arch.hpp>
#include <core/machine/machine_backend.hpp>

namespace grove::metal {

// grove::Arch on the hardware (DESIGN.md §5). Groves run in ring 1 under their own page tables, which map only
// the grove's pages and the trampoline; the kernel runs in ring 0 under its identity map and reaches grove memory
// only through frames found by walking the grove's tables (never through a grove address, so a bad pointer from a
// grove cannot fault the kernel).
//
// Owns: the frame allocator, every address space (PageTables + its I/O-port ranges) and every thread context
// (RegisterFrame + FXSAVE area), in fixed tables. AddressSpaceId = (generation << 16) | (slot + 1), so a stale
// id is refused. Contexts are indexed by ThreadId::index and checked against its generation.
//
// Time: now() counts the TSC only while a grove runs (from entering ring 1 to the trap back) and while the kernel
// idles; the kernel's own work (the core, the trap path, the serial trace) takes no time, as in the simulator,
// whose kernel runs outside the emulated machine. Under QEMU with -icount shift=0 the TSC follows the virtual
// clock, one count per nanosecond, and one instruction costs one nanosecond: a tick is one guest instruction (plus
// the few of the entry and exit stubs). On hardware a tick is one TSC cycle (no calibration against a reference
// clock is done).
class MetalArch final : public Arch {
public:
    static constexpr usize MaxAddressSpaces = 128;
    static constexpr usize MaxContexts = 256; // the core's MaxThreads: ThreadId::index is below it
    static constexpr usize MaxIoRanges = 16;  // per space; set_io_ports refuses more with NoCapacity

    // Takes the machine: builds the trampoline's page table, records the kernel's CR3 for the entry stubs,
    // starts the local APIC. Descriptors::install() must have run. Called once.
    void init(Span<MemoryRegion const> available, Span<MemoryRegion const> reserved);

    Result<AddressSpaceId> create_address_space() override;
    void destroy_address_space(AddressSpaceId space) override;
    Result<void> map(AddressSpaceId space, VirtAddr base, PageCount pages, Permissions permissions) override;
    Result<PageCount> unmap(AddressSpaceId space, VirtAddr base, PageCount pages) override;
    Result<void> map_physical(AddressSpaceId space, VirtAddr base, PhysAddr physical, PageCount pages,
                              Permissions permissions) override;
    PageCount missing_tables(AddressSpaceId space, VirtAddr base, PageCount pages) const override;
    PageCount table_pages(AddressSpaceId space) const override;
    bool overlaps_ram(PhysAddr base, Bytes length) const override {
        return m_frames.overlaps_managed(base.value, length.value);
    }
    Result<void> load(AddressSpaceId space, VirtAddr destination, void const* source, Bytes length) override;
    Result<void> copy_from_user(AddressSpaceId space, void* destination, VirtAddr source, Bytes length) override;
    Result<void> copy_to_user(AddressSpaceId space, VirtAddr destination, void const* source, Bytes length) override;
    Result<void> check_user(AddressSpaceId space, VirtAddr address, Bytes length, Permissions access) const override;
    // Checks the range as copy_to_user would, without writing.
    Result<void> check_message_buffer(AddressSpaceId space, VirtAddr destination) override;
    Result<void> set_io_ports(AddressSpaceId space, Span<IoPortRange const> ports) override;
    // The legacy lines are the 8259 PIC pair's (platform/pic.hpp): a line fires once unmasked, is masked by the
    // interrupt entry, and is handed to the kernel by take_interrupts (MachineBackend).
    void set_irq_masked(u8 line, bool masked) override { Pic::set_masked(line, masked); }
    u16 take_interrupts() { return Pic::take_fired(); }
    PageCount free_pages() const override { return m_frames.free_pages(); }

    Result<void> create_context(ThreadId thread, AddressSpaceId space, VirtAddr entry, VirtAddr stack_top, u64 arg0,
                                u64 arg1) override;
    void destroy_context(ThreadId thread) override;
    void set_syscall_result(ThreadId thread, i64 rax, u64 rdx) override;

    Ticks now() const override;
    void set_preemption_deadline(Ticks deadline) override { m_deadline = deadline; }
    // Writes grove text to COM1. As it is (the self-test), or, once set_console_comments() was called, with "# "
    // at the start of every line, so that it never mixes with the JSON lines of a trace.
    void console_write(GroveId source, char const* text, usize length) override;
    void set_console_comments() { m_console_comments = true; }
    // Ends a grove's unfinished console line, so that the next line on COM1 starts at a line's beginning.
    void finish_console_line();

    // Runs `thread` in ring 1 in its address space until it traps; the caller guarantees the context exists.
    // Syscall: number and arguments from rax, rdi, rsi, rdx, r10, r8, r9; pc after the int 0x80.
    // PageFault: CR2 and the access (execute, write or read) from the error code. GeneralProtection (also #NP,
    // #SS, #TS, #AC, #BR, #OF), InvalidOpcode (also #NM), DivideError (also x87 and SIMD floating point),
    // Breakpoint (#BP, #DB; pc at the int3), Timer once now() reaches the preemption deadline (at once when
    // it already has) or when an interrupt line fires (take_interrupts). NMI, double fault and machine check panic.
    Trap resume(ThreadId thread);

    // Halts the CPU until now() reaches `deadline` (at once when it has) or an interrupt line fires: for a kernel
    // with no thread to run.
    // Under -icount QEMU advances the virtual clock straight to the timer, so idling costs no instructions.
    void idle_until(Ticks deadline);

    // The registers of a context, for diagnostics and tests; nullptr when `thread` has none.
    RegisterFrame const* registers(ThreadId thread) const;
    PageCount managed_pages() const { return m_frames.managed_pages(); }
    LocalApic const& local_apic() const { return m_apic; }

private:
    struct Space {
        bool used = false;
        u16 generation = 0;
        PageTables tables;
        IoPortRange io_ports[MaxIoRanges]{};
        usize io_port_count = 0;
        // The leaf entry of the page the last user copy went through (leaf_of). Table frames are freed only with
        // the whole space, so the pointer stays good; the entry itself is read again on every use.
        mutable u64 recent_page = ~u64{0};
        mutable u64* recent_leaf = nullptr;
    };
    struct Context {
        bool used = false;
        u32 generation = 0;
        usize space = 0; // slot
        alignas(16) u8 fpu[512]{};
    };
    enum class Check : u8 { Mapped, Readable, Writable };

    Space* find(AddressSpaceId id);
    Space const* find(AddressSpaceId id) const { return const_cast<MetalArch*>(this)->find(id); }
    Context* find(ThreadId thread);
    static bool valid_range(VirtAddr base, PageCount pages);
    // space.tables.leaf(address), through the space's one-entry cache.
    static u64* leaf_of(Space const& space, u64 address) {
        if ((address & ~(PageSize - 1)) == space.recent_page) [[likely]]
            return space.recent_leaf;
        return walk_to_leaf(space, address);
    }
    static u64* walk_to_leaf(Space const& space, u64 address);
    // The leaf entry (null when a table is missing) maps a page the kernel may copy through under `check`.
    static bool page_allows(u64 const* entry, Check check) {
        if (entry == nullptr || (*entry & PageTables::Mapped) == 0) return false;
        if ((*entry & PageTables::AddressMask) >= IdentityLimit)
            return false; // device memory beyond the kernel's reach
        switch (check) {
        case Check::Mapped: return true;
        case Check::Readable: return (*entry & PageTables::Present) != 0;
        case Check::Writable: {
            u64 constexpr Both = PageTables::Present | PageTables::Writable;
            return (*entry & Both) == Both;
        }
        }
        return false;
    }
    // Where the kernel reaches [address, address + length) of space `id` when it is non-empty, inside the page
    // the space's last copy went through, and passes `check`; null otherwise (then transfer() decides). The
    // cheapest check of all: a message copied to or from the same buffer again.
    u8* in_recent_page(AddressSpaceId id, u64 address, u64 length, Check check);
    // Where the kernel reaches [address, address + length) when it is non-empty, inside one page of the window,
    // and passes `check`; null otherwise.
    static u8* within_page(Space const& space, u64 address, u64 length, Check check);
    // Every byte of [address, address + length) is in the window and its page passes `check`.
    bool accessible(Space const& space, u64 address, u64 length, Check check) const;
    // Copies between kernel memory and grove memory; accessible() must hold for the range.
    void copy(Space const& space, u64 address, u8* kernel, u64 length, bool to_grove);
    // Checks the range with accessible(), then copies; InvalidArgument (and nothing copied) when the check fails.
    Result<void> transfer(AddressSpaceId id, u64 address, u8* kernel, u64 length, Check check, bool to_grove);
    // transfer() across pages (or of nothing), and every refusal.
    [[gnu::noinline]] Result<void> transfer_pages(Space const& space, u64 address, u8* kernel, u64 length, Check check,
                                                  bool to_grove);
    void switch_io_ports(usize slot);
    void switch_fpu(usize context);
    // On a #NM of context `index`: gives it the FPU/SSE state (saving the owner's) and clears CR0.TS; false when
    // TS was clear (the #NM is the grove's).
    bool take_fpu(usize index);
    // The registers of context `index`: the frame at the top of its entry page (metal_arch.cpp).
    static RegisterFrame& frame_of(usize index);
    // Maps context `index`'s entry page where the trampoline's interrupt stack is, for the next entry to ring 1.
    void map_entry_page(usize index);
    // Loads what context `index` runs with: its space's I/O ports, its FPU state, its entry page, its tables.
    void load_context(usize index);
    // The trap of an exception from ring 1 (any vector but the syscall, the timer and the spurious one).
    Trap exception(Space const& space, RegisterFrame const& frame);
    // For a #GP: what the instruction at the frame's pc is (an I/O-port access and its port, a privileged
    // instruction, or unknown), read through the grove's tables.
    FaultInfo general_protection_cause(Space const& space, RegisterFrame const& frame) const;
    // Up to `length` bytes of the grove's memory at `address` (through its tables; readable pages only) into
    // `bytes`; returns how many could be read.
    usize read_code(Space const& space, u64 address, u8* bytes, usize length) const;
    // The pc of a Breakpoint trap: the int3 (or `int 3`) itself, not the instruction after it.
    u64 breakpoint_pc(Space const& space, RegisterFrame const& frame) const;

    static constexpr usize None = ~usize{0};

    FrameAllocator m_frames;
    LocalApic m_apic;
    PhysAddr m_trampoline_table{};
    Space m_spaces[MaxAddressSpaces];
    Context m_contexts[MaxContexts];
    usize m_io_loaded = None;    // the space whose ports the TSS bitmap allows
    usize m_fpu_owner = None;    // the context whose FPU/SSE state is in the registers
    bool m_fpu_trapping = false; // CR0.TS is set: the context that runs is not the owner
    // The context whose I/O ports, FPU state, entry page and tables (m_loaded_cr3) are loaded for ring 1: it runs
    // again without any of the switches of load_context. Reset whenever one of them goes away.
    usize m_loaded = None;
    u64 m_loaded_cr3 = 0;
    // The trampoline table's entry for the interrupt stack's page, and the context whose entry page it maps.
    u64* m_entry_stack_pte = nullptr;
    u64 m_entry_stack_bits = 0;
    usize m_entry_page_owner = None;
    // now() between runs: the ticks counted so far. It moves only in resume() and idle_until(), by the TSC counts
    // that passed while the grove ran or the CPU idled.
    Ticks m_now{};
    Ticks m_deadline = Ticks::max();
    bool m_console_comments = false;
    bool m_console_mid_line = false;
};

static_assert(MachineBackend<MetalArch>);

} // namespace grove::metal

#pragma once
#include <core/abi/syscall.hpp>
#include <core/arch/trap.hpp>
#include <core/base/result.hpp>
#include <core/base/units.hpp>
#include <core/grove/ids.hpp>

namespace grove {

// Memory permissions of a mapping, as a bit set.
enum class Permissions : u8 { None = 0, Read = 1, Write = 2, Execute = 4 };
constexpr Permissions operator|(Permissions a, Permissions b) {
    return static_cast<Permissions>(static_cast<u8>(a) | static_cast<u8>(b));
}
constexpr bool has(Permissions set, Permissions bit) { return (static_cast<u8>(set) & static_cast<u8>(bit)) != 0; }

struct IoPortRange {
    u16 first = 0;
    u16 last = 0; // inclusive
    constexpr bool contains(u16 port) const { return port >= first && port <= last; }
};

// The kernel reaches physical memory below this address only (on metal, where its identity map ends): a grove's
// device pages at or above it are refused to the kernel's copies, on every backend.
inline constexpr u64 KernelPhysicalLimit = u64{4} << 30;

// The contract between the core and a backend (DESIGN.md §1). Implemented once by sim/ (Unicorn), once by
// arch_x86_64/ (the hardware) and once by tests/ (a fake with a manual clock). Only ids cross it.
//
// It is a class with virtual functions rather than a link-time choice so that a test or a benchmark can build
// several kernels, each with its own backend, in one process; a virtual call is noise beside a trap.
//
// The core never resumes a thread: every backend runs the one machine loop, run_machine
// (core/machine/machine_loop.hpp), which dispatches, resumes the thread until it traps, hands the trap to
// Kernel::on_trap, idles until the next deadline and applies the scripted actions at their time. The half of the
// contract that loop needs (resume, idle_until, set_preemption_deadline, now) is the MachineBackend concept
// (core/machine/machine_backend.hpp), checked by a static_assert beside each backend.
// Every call below either succeeds completely or fails and changes nothing.
class Arch {
public:
    virtual ~Arch() = default;

    // --- address spaces -------------------------------------------------------------------------------------
    // A new, empty address space, holding SpaceTablePages frames of page tables. NoCapacity when the backend has
    // no room for another; OutOfMemory when it has not the frames.
    virtual Result<AddressSpaceId> create_address_space() = 0;
    // Frees every mapping of the space, and its page tables. Contexts in it must have been destroyed first.
    virtual void destroy_address_space(AddressSpaceId space) = 0;
    // Maps `pages` zero-filled pages at `base` (page aligned) with `permissions`, taking one frame per page plus
    // the missing page tables. InvalidArgument when the range is not page aligned, leaves the grove window, or
    // overlaps an existing mapping; OutOfMemory when the backend has no frames left.
    virtual Result<void> map(AddressSpaceId space, VirtAddr base, PageCount pages, Permissions permissions) = 0;
    // Unmaps whole pages and returns the frames that came back: one per page map() gave, none for a page of
    // map_physical() (the kernel credits a grove's memory with exactly these). InvalidArgument when any page of the
    // range is not mapped (then nothing is unmapped). Page tables stay until the space is destroyed.
    virtual Result<PageCount> unmap(AddressSpaceId space, VirtAddr base, PageCount pages) = 0;
    // Maps device or firmware memory at a physical address (PhysicalMemory capability, checked by the core, which
    // also refuses Execute and RAM: see overlaps_ram). Takes frames only for page tables (missing_tables). The
    // grove's accesses reach the device uncached (metal: PCD and PWT in the leaf; the simulator: the device bus).
    // The kernel's own copies (copy_from_user, copy_to_user, check_user) reach such pages only below
    // KernelPhysicalLimit, and refuse the others as unmapped, on every backend.
    virtual Result<void> map_physical(AddressSpaceId space, VirtAddr base, PhysAddr physical, PageCount pages,
                                      Permissions permissions) = 0;
    // Page tables: every backend counts what x86_64 4-level paging spends, so that a grove pays the same on each.
    // A new space holds SpaceTablePages (its PML4, and the PDPT and PD that hold the shared trampoline table);
    // mapping a page adds a PT for each 2 MiB region, a PD for each 1 GiB region and a PDPT for each 512 GiB region
    // that has none yet. Tables are freed only with the space.
    static constexpr PageCount SpaceTablePages{3};
    // The table frames mapping [base, base + pages) would add to the space (0 for an unknown space).
    virtual PageCount missing_tables(AddressSpaceId space, VirtAddr base, PageCount pages) const = 0;
    // The table frames the space holds now (0 for an unknown space).
    virtual PageCount table_pages(AddressSpaceId space) const = 0;
    // True when [base, base + length) overlaps the machine's RAM (the frames the backend hands out, or the
    // kernel's own memory): such memory is never a grove's physical range, on any backend.
    virtual bool overlaps_ram(PhysAddr base, Bytes length) const = 0;
    // The kernel writing into a grove's memory regardless of the grove's permissions (loading an ELF image).
    // InvalidArgument unless every byte of the range is mapped.
    virtual Result<void> load(AddressSpaceId space, VirtAddr destination, void const* source, Bytes length) = 0;
    // Copies checked against the grove's own permissions: InvalidArgument unless every byte is mapped and
    // readable (copy_from_user) or writable (copy_to_user). Never faults the kernel.
    virtual Result<void> copy_from_user(AddressSpaceId space, void* destination, VirtAddr source, Bytes length) = 0;
    virtual Result<void> copy_to_user(AddressSpaceId space, VirtAddr destination, void const* source, Bytes length) = 0;
    // Whether copy_from_user (`access` Read) or copy_to_user (`access` Write) of [address, address + length) would
    // succeed now, checked on every page without copying: InvalidArgument when it would not. For the kernel's
    // copies that are checked whole before any byte moves (grants).
    virtual Result<void> check_user(AddressSpaceId space, VirtAddr address, Bytes length, Permissions access) const = 0;
    // Whether a message (abi::MessageSize bytes) could be copied to `destination` with copy_to_user now:
    // InvalidArgument when it could not. For the kernel, which checks a receive buffer before it takes a message
    // and then writes every byte of it in the same call: until then the range holds what it held or zeros. The
    // default checks by copying an empty message; a backend that can check without writing does that instead.
    virtual Result<void> check_message_buffer(AddressSpaceId space, VirtAddr destination) {
        abi::Message const empty{};
        return copy_to_user(space, destination, &empty, Bytes(abi::MessageSize));
    }
    // The I/O ports the space may use (replaces the previous set). On metal: the TSS I/O-permission bitmap.
    virtual Result<void> set_io_ports(AddressSpaceId space, Span<IoPortRange const> ports) = 0;
    // Masks (true) or unmasks a legacy interrupt line, 0 .. abi::IrqLines-1, in the machine's interrupt controller.
    // Every line starts masked. A line fires only while unmasked, and the machine masks it as it fires, before the
    // kernel hears of it (MachineBackend::take_interrupts); an interrupt raised while the line is masked is latched
    // and fires at the unmask.
    virtual void set_irq_masked(u8 line, bool masked) = 0;
    // Pages of memory the backend can still hand out: the counter that must return to its earlier value when a
    // grove dies.
    virtual PageCount free_pages() const = 0;

    // --- threads ----------------------------------------------------------------------------------------------
    // A CPU context for `thread` that starts at `entry` with `stack_top` as its stack pointer and arguments in
    // rdi and rsi.
    virtual Result<void> create_context(ThreadId thread, AddressSpaceId space, VirtAddr entry, VirtAddr stack_top,
                                        u64 arg0, u64 arg1) = 0;
    virtual void destroy_context(ThreadId thread) = 0;
    // What the thread sees in rax and rdx when it next runs.
    virtual void set_syscall_result(ThreadId thread, i64 rax, u64 rdx) = 0;

    // --- time and console -------------------------------------------------------------------------------------
    virtual Ticks now() const = 0;
    // The running thread traps with TrapKind::Timer once virtual time reaches `deadline`.
    virtual void set_preemption_deadline(Ticks deadline) = 0;
    virtual void console_write(GroveId source, char const* text, usize length) = 0;

protected:
    Arch() = default;
    Arch(Arch const&) = default;
    Arch& operator=(Arch const&) = default;
};

} // namespace grove

#pragma once
#include <core/arch/arch.hpp>
#include <core/machine/machine_backend.hpp>
#include <sim/backend/crash_report.hpp>
#include <sim/backend/disassembler.hpp>
#include <sim/backend/fault_precision.hpp>
#include <sim/backend/frame_pool.hpp>
#include <sim/backend/page_table_count.hpp>
#include <sim/backend/unicorn_space.hpp>
#include <sim/backend/virtual_clock.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct uc_context;

namespace grove::sim {

// The simulator's backend: grove::Arch over Unicorn, one engine per address space (UnicornSpace), one CPU
// context per ThreadId index, one virtual clock and one pool of page frames for the whole machine.
//
// A thread's registers live in its space's engine while it is the last thread that ran there, and in its own
// saved Unicorn context otherwise; switching between threads of one space saves and restores (about 145 ns),
// switching between spaces costs nothing. Physical memory (map_physical) is the device bus's: every access to it
// goes to the device model that claims the address (DeviceBus), or reads all ones and drops writes where none
// does, as on a PC; it is never host memory, and not part of the frame pool.
//
// Invariants: free_pages() == total - pages held by live spaces (mapped pages and page tables); every context refers to a live space; time only
// moves forward and depends only on what ran (VirtualClock).
class UnicornArch final : public Arch {
public:
    static constexpr usize MaxAddressSpaces = 128;
    static constexpr PageCount DefaultFrames = PageCount(65536); // 256 MiB
    static constexpr u64 MaxPhysicalAddress = u64{1} << 52;      // exclusive, as MetalArch::map_physical

    // `precision` applies to every address space of the machine (fault_precision.hpp).
    explicit UnicornArch(PageCount frames = DefaultFrames, FaultPrecision precision = FaultPrecision::Exact);
    ~UnicornArch() override;
    UnicornArch(UnicornArch const&) = delete;
    UnicornArch& operator=(UnicornArch const&) = delete;

    Result<AddressSpaceId> create_address_space() override;
    void destroy_address_space(AddressSpaceId space) override;
    Result<void> map(AddressSpaceId space, VirtAddr base, PageCount pages, Permissions permissions) override;
    Result<PageCount> unmap(AddressSpaceId space, VirtAddr base, PageCount pages) override;
    Result<void> map_physical(AddressSpaceId space, VirtAddr base, PhysAddr physical, PageCount pages,
                              Permissions permissions) override;
    PageCount missing_tables(AddressSpaceId space, VirtAddr base, PageCount pages) const override;
    PageCount table_pages(AddressSpaceId space) const override;
    bool overlaps_ram(PhysAddr base, Bytes length) const override { return m_frames.overlaps_ram(base, length); }
    Result<void> load(AddressSpaceId space, VirtAddr destination, void const* source, Bytes length) override;
    Result<void> copy_from_user(AddressSpaceId space, void* destination, VirtAddr source, Bytes length) override;
    Result<void> copy_to_user(AddressSpaceId space, VirtAddr destination, void const* source, Bytes length) override;
    Result<void> check_user(AddressSpaceId space, VirtAddr address, Bytes length, Permissions access) const override;
    Result<void> set_io_ports(AddressSpaceId space, Span<IoPortRange const> ports) override;
    void set_irq_masked(u8 line, bool masked) override { m_bus.interrupts().set_masked(line, masked); }
    PageCount free_pages() const override { return m_frames.free(); }

    Result<void> create_context(ThreadId thread, AddressSpaceId space, VirtAddr entry, VirtAddr stack_top, u64 arg0,
                                u64 arg1) override;
    void destroy_context(ThreadId thread) override;
    void set_syscall_result(ThreadId thread, i64 rax, u64 rdx) override;

    Ticks now() const override { return m_clock.now(); }
    void set_preemption_deadline(Ticks deadline) override { m_clock.set_deadline(deadline); }
    void console_write(GroveId source, char const* text, usize length) override;

    // --- the simulator's side ---------------------------------------------------------------------------------
    // Runs `thread` until it traps. The caller guarantees the thread has a context (create_context). Every trap
    // costs VirtualClock::TrapCost of virtual time. The thread is preempted (a Timer trap) at the next event of a
    // device, which is then stepped: an interrupt comes at its virtual time.
    Trap resume(ThreadId thread);
    // The kernel's idle skip: every thread is blocked, so time jumps to `t` (never backwards), or to the next
    // event of a device when that comes first, or not at all when an interrupt has fired.
    void idle_until(Ticks t);
    // The interrupt lines that fired since the last call (MachineBackend).
    u16 take_interrupts() { return m_bus.interrupts().take(); }
    // The machine's devices (sim/devices/): attach them before the run.
    DeviceBus& bus() { return m_bus; }

    // A debugger's view (sim/gdb/). The observer sees every instruction of every space created after this call:
    // set it before the first one (instruction_observer.hpp). null removes it for later spaces.
    void set_instruction_observer(InstructionObserver* observer) { m_observer = observer; }
    // Every thread that has a context, by index.
    std::vector<ThreadId> threads() const;
    // A register of `thread` (a UC_X86_REG_* id) into `value` (as wide as the register: 16 bytes for xmm, 10 for
    // st), from wherever it is: the engine of its space when it ran there last, its saved context, or, for a thread
    // that never ran, its start values over the registers every thread starts with. False for an unknown thread.
    bool read_thread_register(ThreadId thread, int reg, void* value);
    // Writes one; false for an unknown thread or one that never ran (its start values are the kernel's).
    bool write_thread_register(ThreadId thread, int reg, void const* value);
    // The address space of a thread, or nothing when it has no context.
    std::optional<AddressSpaceId> space_of(ThreadId thread) const;
    // Up to `capacity` bytes of `space` at `address` regardless of permissions, stopping at the first unmapped
    // page; how many were read (0 for an unknown space).
    usize peek(AddressSpaceId space, u64 address, void* destination, usize capacity);

    FaultPrecision fault_precision() const { return m_precision; }
    // True once resume() has returned a data fault whose pc (and the virtual time it left) may be wrong; only ever
    // under FaultPrecision::Fast. From then on the run is not exact: discard it and replay it with Exact.
    bool has_inexact_fault() const { return m_inexact_fault; }

    // Crash reports: the instruction at `pc` in `space` (Capstone's text and the bytes), and the registers of a
    // thread. Both read the kernel's view and never fail: unreadable bytes give decoded = false, an unknown
    // thread gives zeros.
    InstructionText describe_instruction(AddressSpaceId space, u64 pc);
    RegisterSnapshot registers(ThreadId thread);

    // What the console received, per grove serial and in total, bounded: of each the last ConsoleKept bytes at
    // least and at most twice that (the kernel already drops what a grove writes over its budget, but a grove may
    // have many incarnations, and a run many groves); what groves wrote to permitted ports.
    static constexpr usize ConsoleKept = usize{256} * 1024;
    std::string const& console(GroveId grove) { return m_console[grove.serial]; }
    std::string const& console_all() const { return m_console_all; }
    PortLog const& port_writes() const { return m_port_writes; }
    // Stop sites (instructions the backend decides) registered in a space, those of them emulated by a code hook,
    // and the space's Unicorn regions: for tests.
    usize site_count(AddressSpaceId space) const;
    usize inline_site_count(AddressSpaceId space) const;
    usize region_count(AddressSpaceId space) const;

private:
    struct Context {
        u32 generation = 0;
        AddressSpaceId space;
        uc_context* saved = nullptr; // null until the thread is first switched out
        bool fresh = true;           // never ran: registers come from `entry`...
        u64 entry = 0, stack_top = 0, arg0 = 0, arg1 = 0;
        bool has_result = false;
        i64 result_rax = 0;
        u64 result_rdx = 0;
    };

    UnicornSpace* find(AddressSpaceId id) const;
    Context* find(ThreadId thread);
    // Puts the registers of `thread` into its space's engine.
    void switch_to(u32 index, Context& context, UnicornSpace& space);

    VirtualClock m_clock;
    FramePool m_frames;
    FaultPrecision m_precision;
    bool m_inexact_fault = false;
    InstructionObserver* m_observer = nullptr;
    Disassembler m_disassembler;
    PortLog m_port_writes;
    DeviceBus m_bus;
    u32 m_next_space = 1;
    std::map<u32, std::unique_ptr<UnicornSpace>> m_spaces;
    std::map<u32, PageTableCount> m_tables; // by space: the page tables metal would hold, taken from m_frames
    std::map<u32, Context> m_contexts;      // by ThreadId::index
    std::map<u32, std::string> m_console;
    std::string m_console_all;
};

static_assert(MachineBackend<UnicornArch>);

} // namespace grove::sim

#pragma once
#include <core/arch/arch.hpp>
#include <core/machine/machine_backend.hpp>
#include <sim/backend/frame_pool.hpp>
#include <sim/backend/page_table_count.hpp>
#include <sim/devices/interrupt_controller.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace grove::testing {

// The test backend: address spaces are maps of page number to page contents, time is a manual clock, the console
// is a string per grove, and traps are scripted per thread. It enforces the same rules as the real backends
// (alignment, overlap, permissions on user copies, a finite pool of frames that page tables take from as on
// metal, RAM at the simulator's physical addresses) so core code is tested against them.
class FakeArch final : public Arch {
public:
    explicit FakeArch(PageCount frames = PageCount(65536)) : m_frames(frames) {}

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
    // Arch's check (by writing an empty message), or, after check_message_buffers_without_writing(), a check that
    // leaves the buffer as it is, as MetalArch does: tests run both and compare.
    Result<void> check_message_buffer(AddressSpaceId space, VirtAddr destination) override;
    Result<void> set_io_ports(AddressSpaceId space, Span<IoPortRange const> ports) override;
    void set_irq_masked(u8 line, bool masked) override { m_interrupts.set_masked(line, masked); }
    PageCount free_pages() const override { return m_frames.free(); }

    Result<void> create_context(ThreadId thread, AddressSpaceId space, VirtAddr entry, VirtAddr stack_top, u64 arg0,
                                u64 arg1) override;
    void destroy_context(ThreadId thread) override;
    void set_syscall_result(ThreadId thread, i64 rax, u64 rdx) override;

    Ticks now() const override { return m_now; }
    void set_preemption_deadline(Ticks deadline) override { m_deadline = deadline; }
    void console_write(GroveId source, char const* text, usize length) override;

    // --- what tests drive and inspect ------------------------------------------------------------------------
    // A trap the thread raises after running for `runs_for` of virtual time.
    struct Scripted {
        Trap trap;
        Ticks runs_for;
    };
    struct Context {
        AddressSpaceId space;
        u64 entry = 0, stack_top = 0, arg0 = 0, arg1 = 0;
        i64 rax = 0;
        u64 rdx = 0;
        std::deque<Scripted> script; // traps this thread will raise, in order
    };
    struct Page {
        Permissions permissions = Permissions::None;
        bool physical = false;
        std::vector<std::uint8_t> bytes;
    };
    struct Space {
        std::map<std::uint64_t, Page> pages; // page number -> page
        std::vector<IoPortRange> io_ports;
        sim::PageTableCount tables;
    };

    void advance(Ticks t) { m_now += t; }
    void set_now(Ticks t) { m_now = t; }
    Ticks preemption_deadline() const { return m_deadline; }

    // Runs `thread`: its next scripted trap once it has run for that trap's time, unless the preemption deadline
    // comes first (or has passed): then a Timer trap at the deadline, and the rest of the run is still to come.
    // With an empty script the thread runs until the deadline (the clock stays when there is none).
    Trap resume(ThreadId thread);
    // Time passes to `t` with nothing running (never backwards).
    void idle_until(Ticks t) { m_now = t > m_now ? t : m_now; }
    // The machine's interrupt lines: the simulator's controller (tests raise lines on it); the loop takes what
    // fired.
    sim::InterruptController& interrupts() { return m_interrupts; }
    u16 take_interrupts() { return m_interrupts.take(); }
    void script(ThreadId thread, Trap trap, Ticks runs_for = Ticks(0)) {
        m_contexts.at(thread.index).script.push_back(Scripted{trap, runs_for});
    }
    // The threads resume() ran, in order, with the time each one started.
    struct Resumed {
        ThreadId thread;
        Ticks at;
    };
    std::vector<Resumed> const& resumed() const { return m_resumed; }

    bool has_context(ThreadId thread) const;
    Context const& context(ThreadId thread) const { return m_contexts.at(thread.index); }
    Space const& space(AddressSpaceId id) const { return m_spaces.at(id.value); }
    std::map<std::uint32_t, Space> const& spaces() const { return m_spaces; }
    std::map<std::uint32_t, Context> const& contexts() const { return m_contexts; } // by ThreadId::index
    usize live_spaces() const { return m_spaces.size(); }
    usize live_contexts() const { return m_contexts.size(); }
    std::string const& console(GroveId grove) { return m_console[grove.serial]; }
    std::string const& console_all() const { return m_console_all; }

    // Makes the next `n` calls of map() fail with OutOfMemory (to test that callers roll back).
    void fail_next_maps(int n) { m_fail_maps = n; }
    void check_message_buffers_without_writing() { m_check_without_writing = true; }

private:
    Space* find(AddressSpaceId id);
    // Every byte of the range is mapped writable.
    bool is_writable(Space const& s, VirtAddr destination, Bytes length) const;
    bool range_ok(VirtAddr base, PageCount pages) const;

    sim::FramePool m_frames;
    Ticks m_now{};
    Ticks m_deadline = Ticks::max();
    std::uint32_t m_next_space = 1;
    int m_fail_maps = 0;
    bool m_check_without_writing = false;
    std::map<std::uint32_t, Space> m_spaces;
    std::map<std::uint32_t, Context> m_contexts; // by ThreadId::index
    std::map<std::uint32_t, std::uint32_t> m_context_generation;
    std::map<std::uint32_t, std::string> m_console;
    std::string m_console_all;
    std::vector<Resumed> m_resumed;
    sim::InterruptController m_interrupts;
};

static_assert(MachineBackend<FakeArch>);

} // namespace grove::testing

#include <arch_x86_64/metal_arch.hpp>

#include <arch_x86_64/boot/boot_constants.hpp>
#include <arch_x86_64/isa/instruction.hpp>
#include <arch_x86_64/memory/physical_memory.hpp>
#include <arch_x86_64/platform/cpu.hpp>
#include <arch_x86_64/platform/descriptors.hpp>
#include <arch_x86_64/platform/pic.hpp>
#include <arch_x86_64/platform/serial.hpp>
#include <core/grove/layout.hpp>

namespace grove::metal {

namespace {

// The page table that maps the trampoline (0..2 MiB) in every grove's address space. Kernel memory, identity
// mapped, so its address is its physical address.
alignas(4096) u64 trampoline_table[512];

// The page each context enters the kernel on. The shared trampoline table maps the interrupt stack's page (RSP0) to
// the entry page of the context about to run, so a trap from ring 1 leaves its frame at the top of that context's
// own page: a frame never moves, and switching threads rewrites one page-table entry (the CR3 write on the way to
// ring 1 flushes the TLB; no page is global). Only the running context's page is ever mapped in ring 1, and the
// trap overwrites all of its frame, so a grove cannot change what the kernel resumes.
struct alignas(4096) EntryPage {
    u8 stack[PageSize - sizeof(RegisterFrame)];
    RegisterFrame frame;
};
static_assert(sizeof(EntryPage) == PageSize);
EntryPage entry_pages[MetalArch::MaxContexts];

constexpr u64 DeviceNotAvailable = x86::vector_number(x86::Vector::DeviceNotAvailable); // CR0.TS set

u64 page_down(u64 address) { return address & ~(PageSize - 1); }

} // namespace

void MetalArch::init(Span<MemoryRegion const> available, Span<MemoryRegion const> reserved) {
    m_frames.init(available, reserved);

    u64 const text = Descriptors::trampoline_text_start(), data = Descriptors::trampoline_data_start(),
              stack = Descriptors::trampoline_stack_start(), end = Descriptors::trampoline_end();
    GROVE_ASSERT(end <= (u64{2} << 20));
    for (u64 page = text; page < end; page += PageSize) {
        u64 bits = PageTables::Present | PageTables::Mapped | PageTables::Physical;
        if (page >= data) bits |= PageTables::NoExecute;
        if (page >= stack) bits |= PageTables::Writable;
        trampoline_table[page / PageSize] = page | bits;
    }
    m_trampoline_table = PhysAddr{reinterpret_cast<u64>(trampoline_table)};
    u64 const entry_stack = reinterpret_cast<u64>(&trampoline_ring1_frame) & ~(PageSize - 1);
    GROVE_ASSERT(reinterpret_cast<u64>(&trampoline_ring1_frame) + sizeof(RegisterFrame) == entry_stack + PageSize);
    m_entry_stack_pte = &trampoline_table[entry_stack / PageSize];
    m_entry_stack_bits = *m_entry_stack_pte & ~PageTables::AddressMask;
    Descriptors::set_kernel_cr3(cpu::read_cr3());
    m_apic.init();
    Pic::init();
}

// --- address spaces ---------------------------------------------------------------------------------------------

MetalArch::Space* MetalArch::find(AddressSpaceId id) {
    usize const slot = (id.value & 0xffff) - 1;
    if ((id.value & 0xffff) == 0 || slot >= MaxAddressSpaces) return nullptr;
    Space& space = m_spaces[slot];
    if (!space.used || space.generation != (id.value >> 16)) return nullptr;
    return &space;
}

Result<AddressSpaceId> MetalArch::create_address_space() {
    usize slot = 0;
    while (slot < MaxAddressSpaces && m_spaces[slot].used) ++slot;
    if (slot == MaxAddressSpaces) return Error::NoCapacity;
    Result<PageTables> tables = PageTables::create(m_frames, m_trampoline_table);
    if (!tables) return tables.error();
    Space& space = m_spaces[slot];
    space.used = true;
    space.generation = static_cast<u16>(space.generation + 1);
    space.tables = tables.value();
    space.io_port_count = 0;
    space.recent_page = ~u64{0};
    space.recent_leaf = nullptr;
    return AddressSpaceId{(u32{space.generation} << 16) | static_cast<u32>(slot + 1)};
}

void MetalArch::destroy_address_space(AddressSpaceId id) {
    Space* space = find(id);
    if (space == nullptr) return;
    usize const slot = static_cast<usize>(space - m_spaces);
    for (Context const& context : m_contexts) GROVE_ASSERT(!context.used || context.space != slot);
    if (m_io_loaded == slot) {
        Descriptors::load_io_ports({space->io_ports, space->io_port_count}, {});
        m_io_loaded = None;
    }
    m_loaded = None; // no context of the space is left: it was not loaded either, but the slot may come back
    space->tables.destroy(m_frames);
    space->io_port_count = 0;
    space->used = false;
}

bool MetalArch::valid_range(VirtAddr base, PageCount pages) {
    u64 length = 0;
    if (!base.is_page_aligned() || pages.is_zero() || !checked_mul(pages.value, PageSize, length)) return false;
    return layout::in_window(base.value, length);
}

Result<void> MetalArch::map(AddressSpaceId id, VirtAddr base, PageCount pages, Permissions permissions) {
    Space* space = find(id);
    if (space == nullptr || !valid_range(base, pages)) return Error::InvalidArgument;
    for (u64 i = 0; i < pages.value; ++i) {
        u64 const* entry = space->tables.leaf(base.value + i * PageSize);
        if (entry != nullptr && (*entry & PageTables::Mapped) != 0) return Error::InvalidArgument;
    }
    u64 const needed = pages.value + space->tables.missing_tables(base.value, pages);
    if (needed > m_frames.free_pages().value) return Error::OutOfMemory;

    u64 const bits = PageTables::leaf_bits(permissions);
    for (u64 i = 0; i < pages.value; ++i) {
        u64& entry = space->tables.ensure_leaf(m_frames, base.value + i * PageSize);
        entry = m_frames.allocate_zeroed().release_value().value | bits;
    }
    return {};
}

Result<PageCount> MetalArch::unmap(AddressSpaceId id, VirtAddr base, PageCount pages) {
    Space* space = find(id);
    if (space == nullptr || !valid_range(base, pages)) return Error::InvalidArgument;
    for (u64 i = 0; i < pages.value; ++i) {
        u64 const* entry = space->tables.leaf(base.value + i * PageSize);
        if (entry == nullptr || (*entry & PageTables::Mapped) == 0) return Error::InvalidArgument;
    }
    PageCount freed{};
    for (u64 i = 0; i < pages.value; ++i) {
        u64* entry = space->tables.leaf(base.value + i * PageSize);
        if ((*entry & PageTables::Physical) == 0) {
            m_frames.free(PhysAddr{*entry & PageTables::AddressMask});
            freed += PageCount(1);
        }
        *entry = 0;
    }
    // The grove's tables are not loaded while the kernel runs, and loading them again flushes the TLB.
    return freed;
}

Result<void> MetalArch::map_physical(AddressSpaceId id, VirtAddr base, PhysAddr physical, PageCount pages,
                                     Permissions permissions) {
    Space* space = find(id);
    if (space == nullptr || !valid_range(base, pages) || !physical.is_page_aligned()) return Error::InvalidArgument;
    u64 const length = pages.value * PageSize;
    u64 end = 0;
    if (!checked_add(physical.value, length, end) || end > (u64{1} << 52)) return Error::InvalidArgument;
    // Device memory is never executed, and RAM the kernel hands out (or the kernel itself) is never device memory:
    // the core refuses both first, on every backend.
    if (has(permissions, Permissions::Execute)) return Error::InvalidArgument;
    if (overlaps_ram(physical, Bytes(length))) return Error::AccessDenied;
    for (u64 i = 0; i < pages.value; ++i) {
        u64 const* entry = space->tables.leaf(base.value + i * PageSize);
        if (entry != nullptr && (*entry & PageTables::Mapped) != 0) return Error::InvalidArgument;
    }
    if (space->tables.missing_tables(base.value, pages) > m_frames.free_pages().value) return Error::OutOfMemory;

    // Device memory is uncached: a register read must reach the device, and a framebuffer write the screen.
    u64 const bits =
        PageTables::leaf_bits(permissions) | PageTables::Physical | PageTables::CacheDisable | PageTables::WriteThrough;
    for (u64 i = 0; i < pages.value; ++i)
        space->tables.ensure_leaf(m_frames, base.value + i * PageSize) = (physical.value + i * PageSize) | bits;
    return {};
}

PageCount MetalArch::missing_tables(AddressSpaceId id, VirtAddr base, PageCount pages) const {
    Space const* space = find(id);
    if (space == nullptr || !valid_range(base, pages)) return PageCount{};
    return PageCount(space->tables.missing_tables(base.value, pages));
}

PageCount MetalArch::table_pages(AddressSpaceId id) const {
    Space const* space = find(id);
    return space == nullptr ? PageCount{} : space->tables.table_pages();
}

u64* MetalArch::walk_to_leaf(Space const& space, u64 address) {
    u64* entry = space.tables.leaf(address);
    if (entry != nullptr) { // a missing table may be created later: not remembered
        space.recent_page = page_down(address);
        space.recent_leaf = entry;
    }
    return entry;
}

bool MetalArch::accessible(Space const& space, u64 address, u64 length, Check check) const {
    if (length == 0) return true;
    if (!layout::in_window(address, length)) return false;
    for (u64 page = page_down(address); page < address + length; page += PageSize)
        if (!page_allows(leaf_of(space, page), check)) return false;
    return true;
}

void MetalArch::copy(Space const& space, u64 address, u8* kernel, u64 length, bool to_grove) {
    while (length != 0) {
        u64 const offset = address & (PageSize - 1);
        u64 const chunk = length < PageSize - offset ? length : PageSize - offset;
        u64 const frame = *leaf_of(space, address) & PageTables::AddressMask;
        auto* grove = static_cast<u8*>(physical_to_pointer(PhysAddr{frame})) + offset;
        if (to_grove) cpu::copy_memory(grove, kernel, chunk);
        else cpu::copy_memory(kernel, grove, chunk);
        address += chunk;
        kernel += chunk;
        length -= chunk;
    }
}

u8* MetalArch::within_page(Space const& space, u64 address, u64 length, Check check) {
    u64 const offset = address & (PageSize - 1);
    if (length == 0 || length > PageSize - offset || !layout::in_window(address, length)) return nullptr;
    u64 const* entry = leaf_of(space, address);
    if (!page_allows(entry, check)) return nullptr;
    return static_cast<u8*>(physical_to_pointer(PhysAddr{*entry & PageTables::AddressMask})) + offset;
}

Result<void> MetalArch::transfer(AddressSpaceId id, u64 address, u8* kernel, u64 length, Check check, bool to_grove) {
    Space* space = find(id);
    if (space == nullptr) [[unlikely]]
        return Error::InvalidArgument;
    // Within one page (a message, a name, a short console line): one lookup checks, then one copy.
    if (u8* grove = within_page(*space, address, length, check)) [[likely]] {
        if (to_grove) cpu::copy_memory(grove, kernel, length);
        else cpu::copy_memory(kernel, grove, length);
        return {};
    }
    return transfer_pages(*space, address, kernel, length, check, to_grove);
}

Result<void> MetalArch::transfer_pages(Space const& space, u64 address, u8* kernel, u64 length, Check check,
                                       bool to_grove) {
    if (!accessible(space, address, length, check)) return Error::InvalidArgument;
    copy(space, address, kernel, length, to_grove);
    return {};
}

Result<void> MetalArch::load(AddressSpaceId id, VirtAddr destination, void const* source, Bytes length) {
    return transfer(id, destination.value, static_cast<u8*>(const_cast<void*>(source)), length.value, Check::Mapped,
                    true);
}

u8* MetalArch::in_recent_page(AddressSpaceId id, u64 address, u64 length, Check check) {
    usize const slot = (id.value & 0xffff) - 1; // 0 wraps to a huge slot
    if (slot >= MaxAddressSpaces) return nullptr;
    Space const& space = m_spaces[slot];
    if (!space.used || space.generation != (id.value >> 16)) return nullptr;
    // The remembered page lies in the window (only window addresses are walked), and so does a range inside it.
    u64 const offset = address & (PageSize - 1);
    if ((address & ~(PageSize - 1)) != space.recent_page || length - 1 >= PageSize - offset) return nullptr;
    u64 const* entry = space.recent_leaf;
    if (!page_allows(entry, check)) return nullptr;
    return static_cast<u8*>(physical_to_pointer(PhysAddr{*entry & PageTables::AddressMask})) + offset;
}

Result<void> MetalArch::copy_from_user(AddressSpaceId id, void* destination, VirtAddr source, Bytes length) {
    if (u8 const* grove = in_recent_page(id, source.value, length.value, Check::Readable)) [[likely]] {
        cpu::copy_memory(destination, grove, length.value);
        return {};
    }
    return transfer(id, source.value, static_cast<u8*>(destination), length.value, Check::Readable, false);
}

Result<void> MetalArch::copy_to_user(AddressSpaceId id, VirtAddr destination, void const* source, Bytes length) {
    if (u8* grove = in_recent_page(id, destination.value, length.value, Check::Writable)) [[likely]] {
        cpu::copy_memory(grove, source, length.value);
        return {};
    }
    return transfer(id, destination.value, static_cast<u8*>(const_cast<void*>(source)), length.value, Check::Writable,
                    true);
}

Result<void> MetalArch::check_user(AddressSpaceId id, VirtAddr address, Bytes length, Permissions access) const {
    Space const* space = find(id);
    Check const check = has(access, Permissions::Write) ? Check::Writable : Check::Readable;
    if (space == nullptr || !accessible(*space, address.value, length.value, check)) return Error::InvalidArgument;
    return {};
}

Result<void> MetalArch::check_message_buffer(AddressSpaceId id, VirtAddr destination) {
    if (in_recent_page(id, destination.value, abi::MessageSize, Check::Writable) != nullptr) [[likely]]
        return {};
    Space const* space = find(id);
    if (space == nullptr || !accessible(*space, destination.value, abi::MessageSize, Check::Writable))
        return Error::InvalidArgument;
    return {};
}

Result<void> MetalArch::set_io_ports(AddressSpaceId id, Span<IoPortRange const> ports) {
    Space* space = find(id);
    if (space == nullptr) return Error::InvalidArgument;
    if (ports.size > MaxIoRanges) return Error::NoCapacity;
    for (IoPortRange const& range : ports)
        if (range.first > range.last) return Error::InvalidArgument;
    usize const slot = static_cast<usize>(space - m_spaces);
    if (m_io_loaded == slot) {
        Descriptors::load_io_ports({space->io_ports, space->io_port_count}, {});
        m_io_loaded = None;
        m_loaded = None;
    }
    for (usize i = 0; i < ports.size; ++i) space->io_ports[i] = ports[i];
    space->io_port_count = ports.size;
    return {};
}

void MetalArch::switch_io_ports(usize slot) {
    if (m_io_loaded == slot) return;
    // Between two spaces without ports (most groves) the bitmap denies everything before and after.
    bool const none_open = m_io_loaded == None || m_spaces[m_io_loaded].io_port_count == 0;
    if (none_open && m_spaces[slot].io_port_count == 0) {
        m_io_loaded = slot;
        return;
    }
    Span<IoPortRange const> previous{};
    if (m_io_loaded != None) previous = {m_spaces[m_io_loaded].io_ports, m_spaces[m_io_loaded].io_port_count};
    Descriptors::load_io_ports(previous, {m_spaces[slot].io_ports, m_spaces[slot].io_port_count});
    m_io_loaded = slot;
}

// --- threads ----------------------------------------------------------------------------------------------------

MetalArch::Context* MetalArch::find(ThreadId thread) {
    if (thread.index >= MaxContexts) return nullptr;
    Context& context = m_contexts[thread.index];
    if (!context.used || context.generation != thread.generation) return nullptr;
    return &context;
}

Result<void> MetalArch::create_context(ThreadId thread, AddressSpaceId id, VirtAddr entry, VirtAddr stack_top, u64 arg0,
                                       u64 arg1) {
    Space* space = find(id);
    if (space == nullptr || thread.index >= MaxContexts || thread.is_null()) return Error::InvalidArgument;
    if (!layout::in_window(entry.value, 1) || stack_top.value < layout::WindowBase ||
        stack_top.value > layout::WindowEnd)
        return Error::InvalidArgument;
    Context& context = m_contexts[thread.index];
    if (context.used) return Error::AlreadyExists;

    context = Context{};
    context.used = true;
    context.generation = thread.generation;
    context.space = static_cast<usize>(space - m_spaces);
    RegisterFrame& frame = frame_of(thread.index);
    frame = RegisterFrame{};
    frame.rip = entry.value;
    frame.rsp = stack_top.value;
    frame.rdi = arg0;
    frame.rsi = arg1;
    frame.cs = RING1_CODE_SELECTOR;
    frame.ss = RING1_DATA_SELECTOR;
    frame.rflags = x86::rflags::Initial;
    // FXSAVE image of a freshly initialised FPU: x87 control word 0x37f, MXCSR 0x1f80 (all exceptions masked).
    context.fpu[0] = 0x7f;
    context.fpu[1] = 0x03;
    context.fpu[24] = 0x80;
    context.fpu[25] = 0x1f;
    return {};
}

void MetalArch::destroy_context(ThreadId thread) {
    Context* context = find(thread);
    if (context == nullptr) return;
    if (m_fpu_owner == thread.index) m_fpu_owner = None;
    if (m_loaded == thread.index) m_loaded = None;
    context->used = false;
}

void MetalArch::set_syscall_result(ThreadId thread, i64 rax, u64 rdx) {
    GROVE_ASSERT(find(thread) != nullptr);
    RegisterFrame& frame = frame_of(thread.index);
    frame.rax = static_cast<u64>(rax);
    frame.rdx = rdx;
}

RegisterFrame const* MetalArch::registers(ThreadId thread) const {
    if (thread.index >= MaxContexts) return nullptr;
    Context const& context = m_contexts[thread.index];
    return context.used && context.generation == thread.generation ? &frame_of(thread.index) : nullptr;
}

RegisterFrame& MetalArch::frame_of(usize index) { return entry_pages[index].frame; }

void MetalArch::map_entry_page(usize index) {
    *m_entry_stack_pte = reinterpret_cast<u64>(&entry_pages[index]) | m_entry_stack_bits;
    m_entry_page_owner = index;
}

void MetalArch::switch_fpu(usize index) {
    // The owner runs with CR0.TS clear, every other context with it set, so that only a context that really uses
    // the FPU or SSE (most groves never do) pays for moving that state (take_fpu, on its first #NM).
    bool const owner = m_fpu_owner == index;
    if (owner != m_fpu_trapping) return;
    if (owner) cpu::clear_task_switched();
    else cpu::set_task_switched();
    m_fpu_trapping = !owner;
}

bool MetalArch::take_fpu(usize index) {
    if (!m_fpu_trapping) return false; // a #NM with CR0.TS clear is the grove's own fault
    cpu::clear_task_switched();
    m_fpu_trapping = false;
    if (m_fpu_owner != None) asm volatile("fxsave64 %0" : "=m"(m_contexts[m_fpu_owner].fpu));
    asm volatile("fxrstor64 %0" : : "m"(m_contexts[index].fpu));
    m_fpu_owner = index;
    return true;
}

// --- time and console -------------------------------------------------------------------------------------------

Ticks MetalArch::now() const { return m_now; }

void MetalArch::console_write(GroveId, char const* text, usize length) {
    if (!m_console_comments) {
        Serial::write(text, length);
        return;
    }
    for (usize i = 0; i < length; ++i) {
        if (!m_console_mid_line) Serial::write("# ");
        Serial::write(&text[i], 1);
        m_console_mid_line = text[i] != '\n';
    }
}

void MetalArch::finish_console_line() {
    if (m_console_mid_line) Serial::write("\n");
    m_console_mid_line = false;
}

// --- running ----------------------------------------------------------------------------------------------------

void MetalArch::load_context(usize index) {
    Context const& context = m_contexts[index];
    Space const& space = m_spaces[context.space];
    GROVE_ASSERT(space.used);
    switch_io_ports(context.space);
    switch_fpu(index);
    if (m_entry_page_owner != index) map_entry_page(index);
    m_loaded_cr3 = space.tables.root().value;
    m_loaded = index;
}

Trap MetalArch::resume(ThreadId thread) {
    GROVE_ASSERT(find(thread) != nullptr);
    if (m_loaded != thread.index) load_context(thread.index);
    RegisterFrame& frame = frame_of(thread.index);

    for (;;) {
        if (m_deadline != Ticks::max()) {
            if (m_now >= m_deadline) return Trap::make_timer(frame.rip);
            m_apic.arm((m_deadline - m_now).value);
        }
        frame.cs = RING1_CODE_SELECTOR;
        frame.ss = RING1_DATA_SELECTOR;
        u64 const entered = cpu::read_tsc();
        trampoline_enter_ring1(m_loaded_cr3);
        m_now += Ticks(cpu::read_tsc() - entered);
        m_apic.disarm();

        if (Pic::is_line_vector(frame.vector)) {
            // A line fired (masked now, for the kernel: take_interrupts), or a spurious IRQ 7 or 15 (run on).
            if (Pic::enter(frame.vector)) return Trap::make_timer(frame.rip);
            continue;
        }
        if (frame.vector == VECTOR_SYSCALL) [[likely]] {
            SyscallArgs const args{frame.rax, {frame.rdi, frame.rsi, frame.rdx, frame.r10, frame.r8, frame.r9}};
            return Trap::make_syscall(frame.rip, args);
        }
        if (frame.vector == VECTOR_TIMER) {
            m_apic.end_of_interrupt();
            if (m_deadline != Ticks::max() && m_now >= m_deadline) {
                m_now = m_deadline; // the grove ran up to the deadline; what comes after is the interrupt path
                return Trap::make_timer(frame.rip);
            }
            continue; // early (the count was capped) or stale: run on
        }
        if (frame.vector == VECTOR_SPURIOUS) continue;
        if (frame.vector == DeviceNotAvailable && take_fpu(thread.index)) continue; // runs the instruction again
        return exception(m_spaces[m_contexts[thread.index].space], frame);
    }
}

void MetalArch::idle_until(Ticks deadline) {
    // A line's interrupt wakes the halt too (the trampoline hands it to Pic::enter) and ends the idling early.
    for (Ticks current = now(); current < deadline && !Pic::has_fired(); current = now()) {
        m_apic.arm((deadline - current).value);
        u64 const halted = cpu::read_tsc();
        asm volatile("sti; hlt; cli" ::: "memory");
        m_now += Ticks(cpu::read_tsc() - halted);
        if (m_now > deadline) m_now = deadline; // woken by the timer at the deadline; the rest is its interrupt path
        m_apic.disarm();
        m_apic.end_of_interrupt();
    }
}

usize MetalArch::read_code(Space const& space, u64 address, u8* bytes, usize length) const {
    usize available = 0;
    for (; available < length; ++available) {
        u8 const* byte = within_page(space, address + available, 1, Check::Readable);
        if (byte == nullptr) break;
        bytes[available] = *byte;
    }
    return available;
}

u64 MetalArch::breakpoint_pc(Space const& space, RegisterFrame const& frame) const {
    // #DB: a fault or a trap after the instruction; reported where it is.
    if (frame.vector != x86::vector_number(x86::Vector::Breakpoint)) return frame.rip;
    u8 previous = 0;
    read_code(space, frame.rip - 1, &previous, 1);
    return x86::breakpoint_pc(frame.rip, previous);
}

FaultInfo MetalArch::general_protection_cause(Space const& space, RegisterFrame const& frame) const {
    u8 bytes[x86::MaxInstructionLength];
    usize const available = read_code(space, frame.rip, bytes, x86::MaxInstructionLength);
    FaultInfo info{0, Access::Read, frame.error_code};
    x86::Instruction const instruction = x86::classify_instruction(bytes, available);
    switch (instruction.kind) {
    case x86::InstructionClass::PortIo:
    case x86::InstructionClass::StringPortIo:
        info.cause = FaultCause::IoPort;
        info.port = instruction.has_port_immediate ? instruction.port_immediate : static_cast<u16>(frame.rdx);
        break;
    case x86::InstructionClass::Privileged: info.cause = FaultCause::PrivilegedInstruction; break;
    case x86::InstructionClass::SoftwareInterrupt:
        // The SDM's error code names the gate (vector * 8 + 2); QEMU's TCG pushes vector * 16 + 2 in long mode.
        info.error_code = x86::gate_error_code(instruction.vector);
        break;
    default: break;
    }
    return info;
}

Trap MetalArch::exception(Space const& space, RegisterFrame const& frame) {
    using x86::Vector;
    FaultInfo info{0, Access::Read, frame.error_code};
    auto const vector = static_cast<Vector>(frame.vector);
    if (vector == Vector::NonMaskableInterrupt || vector == Vector::DoubleFault || vector == Vector::MachineCheck) {
        Serial::write("machine exception in ring 1: vector ");
        Serial::write_decimal(frame.vector);
        Serial::write("\n");
        panic(__FILE__, __LINE__, "NMI, double fault or machine check");
    }
    TrapKind const kind = x86::trap_kind_of(static_cast<u8>(frame.vector));
    switch (kind) {
    case TrapKind::PageFault:
        info.address = cpu::read_cr2(); // the kernel itself never page-faults (it would panic): still the grove's
        info.access = x86::page_fault::access_of(frame.error_code);
        return Trap::make_fault(kind, frame.rip, info);
    case TrapKind::Breakpoint: return Trap::make_fault(kind, breakpoint_pc(space, frame), info);
    case TrapKind::GeneralProtection:
        if (vector == Vector::GeneralProtection) info = general_protection_cause(space, frame);
        return Trap::make_fault(kind, frame.rip, info);
    default: return Trap::make_fault(kind, frame.rip, info);
    }
}

} // namespace grove::metal

extern "C" void metal_kernel_exception(grove::metal::RegisterFrame const* frame) {
    using grove::metal::Serial;
    Serial::write("kernel exception: vector ");
    Serial::write_decimal(frame->vector);
    Serial::write(" error ");
    Serial::write_hex(frame->error_code);
    Serial::write(" rip ");
    Serial::write_hex(frame->rip);
    Serial::write(" cr2 ");
    Serial::write_hex(grove::metal::cpu::read_cr2());
    Serial::write("\n");
    grove::panic(__FILE__, __LINE__, "exception in ring 0");
}

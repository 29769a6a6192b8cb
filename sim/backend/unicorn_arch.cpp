#include <sim/backend/unicorn_arch.hpp>

#include <core/base/assert.hpp>
#include <sim/backend/snapshot_registers.hpp>

#include <unicorn/unicorn.h>

#include <cstring>

namespace grove::sim {

UnicornArch::UnicornArch(PageCount frames, FaultPrecision precision) : m_frames(frames), m_precision(precision) {}

UnicornArch::~UnicornArch() {
    for (auto& [index, context] : m_contexts)
        if (context.saved != nullptr) uc_context_free(context.saved);
}

UnicornSpace* UnicornArch::find(AddressSpaceId id) const {
    auto it = m_spaces.find(id.value);
    return it == m_spaces.end() ? nullptr : it->second.get();
}

UnicornArch::Context* UnicornArch::find(ThreadId thread) {
    auto it = m_contexts.find(thread.index);
    if (it == m_contexts.end() || it->second.generation != thread.generation) return nullptr;
    return &it->second;
}

// --- address spaces -----------------------------------------------------------------------------------------------

Result<AddressSpaceId> UnicornArch::create_address_space() {
    if (m_spaces.size() >= MaxAddressSpaces) return Error::NoCapacity;
    if (!m_frames.can_take(SpaceTablePages)) return Error::OutOfMemory;
    AddressSpaceId const id{m_next_space};
    auto space = std::make_unique<UnicornSpace>(id, UnicornSpace::Machine{&m_clock, &m_disassembler, &m_port_writes,
                                                                          &m_bus, m_precision, m_observer});
    if (!space->is_open()) return Error::OutOfMemory;
    ++m_next_space;
    m_spaces.emplace(id.value, std::move(space));
    m_tables.emplace(id.value, PageTableCount{});
    m_frames.take(SpaceTablePages);
    return id;
}

void UnicornArch::destroy_address_space(AddressSpaceId id) {
    UnicornSpace* space = find(id);
    if (space == nullptr) return;
    // The contract says its contexts are gone already; if one is left it must not outlive the engine.
    for (auto it = m_contexts.begin(); it != m_contexts.end();) {
        if (it->second.space == id) {
            if (it->second.saved != nullptr) uc_context_free(it->second.saved);
            it = m_contexts.erase(it);
        } else {
            ++it;
        }
    }
    m_frames.give_back(space->frame_pages() + table_pages(id));
    m_spaces.erase(id.value);
    m_tables.erase(id.value);
}

Result<void> UnicornArch::map(AddressSpaceId id, VirtAddr base, PageCount pages, Permissions permissions) {
    UnicornSpace* space = find(id);
    if (space == nullptr || !space->can_map(base, pages)) return Error::InvalidArgument;
    // W^X: code changes only through load(), which rescans it for stop sites.
    if (has(permissions, Permissions::Write) && has(permissions, Permissions::Execute)) return Error::InvalidArgument;
    if (!m_frames.can_take(pages + missing_tables(id, base, pages))) return Error::OutOfMemory;
    TRY(space->map(base, pages, permissions, nullptr));
    m_frames.take(pages + m_tables.at(id.value).add(base, pages));
    return {};
}

Result<PageCount> UnicornArch::unmap(AddressSpaceId id, VirtAddr base, PageCount pages) {
    UnicornSpace* space = find(id);
    if (space == nullptr || !space->is_mapped(base, pages)) return Error::InvalidArgument;
    PageCount const freed = TRY(space->unmap(base, pages));
    m_frames.give_back(freed);
    return freed;
}

PageCount UnicornArch::missing_tables(AddressSpaceId id, VirtAddr base, PageCount pages) const {
    auto it = m_tables.find(id.value);
    return it == m_tables.end() ? PageCount{} : it->second.missing(base, pages);
}

PageCount UnicornArch::table_pages(AddressSpaceId id) const {
    auto it = m_tables.find(id.value);
    return it == m_tables.end() ? PageCount{} : it->second.pages();
}

Result<void> UnicornArch::map_physical(AddressSpaceId id, VirtAddr base, PhysAddr physical, PageCount pages,
                                       Permissions permissions) {
    UnicornSpace* space = find(id);
    if (space == nullptr || !space->can_map(base, pages) || !physical.is_page_aligned()) return Error::InvalidArgument;
    u64 physical_end = 0;
    // The physical address space of x86_64 (52 bits), as on metal.
    if (!checked_add(physical.value, pages.value * PageSize, physical_end) || physical_end > MaxPhysicalAddress)
        return Error::InvalidArgument;
    // Device memory is never executed: shared pages could otherwise change code behind the stop-site scan (the
    // core refuses it first, on every backend).
    if (has(permissions, Permissions::Execute)) return Error::InvalidArgument;
    if (overlaps_ram(physical, bytes_of(pages))) return Error::AccessDenied;
    if (!m_frames.can_take(missing_tables(id, base, pages))) return Error::OutOfMemory;
    // Every access goes to the device bus: the device that claims the address, or nothing (all ones), never RAM.
    TRY(space->map(base, pages, permissions, &physical));
    m_frames.take(m_tables.at(id.value).add(base, pages));
    return {};
}

Result<void> UnicornArch::load(AddressSpaceId id, VirtAddr destination, void const* source, Bytes length) {
    UnicornSpace* space = find(id);
    if (space == nullptr) return Error::InvalidArgument;
    return space->load(destination, source, length);
}

Result<void> UnicornArch::copy_from_user(AddressSpaceId id, void* destination, VirtAddr source, Bytes length) {
    UnicornSpace* space = find(id);
    if (space == nullptr) return Error::InvalidArgument;
    return space->copy_from_user(destination, source, length);
}

Result<void> UnicornArch::copy_to_user(AddressSpaceId id, VirtAddr destination, void const* source, Bytes length) {
    UnicornSpace* space = find(id);
    if (space == nullptr) return Error::InvalidArgument;
    return space->copy_to_user(destination, source, length);
}

Result<void> UnicornArch::check_user(AddressSpaceId id, VirtAddr address, Bytes length, Permissions access) const {
    UnicornSpace const* space = find(id);
    if (space == nullptr || !space->allows(address, length, access)) return Error::InvalidArgument;
    return {};
}

Result<void> UnicornArch::set_io_ports(AddressSpaceId id, Span<IoPortRange const> ports) {
    UnicornSpace* space = find(id);
    if (space == nullptr) return Error::InvalidArgument;
    for (IoPortRange const& range : ports)
        if (range.first > range.last) return Error::InvalidArgument;
    space->set_io_ports(ports);
    return {};
}

usize UnicornArch::site_count(AddressSpaceId id) const {
    UnicornSpace* space = find(id);
    return space == nullptr ? 0 : space->site_count();
}

usize UnicornArch::inline_site_count(AddressSpaceId id) const {
    UnicornSpace* space = find(id);
    return space == nullptr ? 0 : space->inline_site_count();
}

usize UnicornArch::region_count(AddressSpaceId id) const {
    UnicornSpace* space = find(id);
    return space == nullptr ? 0 : space->region_count();
}

// --- threads ------------------------------------------------------------------------------------------------------

Result<void> UnicornArch::create_context(ThreadId thread, AddressSpaceId space, VirtAddr entry, VirtAddr stack_top,
                                         u64 arg0, u64 arg1) {
    if (thread.is_null() || find(space) == nullptr || m_contexts.count(thread.index) != 0)
        return Error::InvalidArgument;
    Context context;
    context.generation = thread.generation;
    context.space = space;
    context.entry = entry.value;
    context.stack_top = stack_top.value;
    context.arg0 = arg0;
    context.arg1 = arg1;
    m_contexts.emplace(thread.index, context);
    return {};
}

void UnicornArch::destroy_context(ThreadId thread) {
    Context* context = find(thread);
    if (context == nullptr) return;
    UnicornSpace* space = find(context->space);
    if (space != nullptr && space->loaded_thread() == thread.index) space->set_loaded_thread(UnicornSpace::NoThread);
    if (context->saved != nullptr) uc_context_free(context->saved);
    m_contexts.erase(thread.index);
}

void UnicornArch::set_syscall_result(ThreadId thread, i64 rax, u64 rdx) {
    Context* context = find(thread);
    GROVE_ASSERT(context != nullptr);
    context->has_result = true;
    context->result_rax = rax;
    context->result_rdx = rdx;
}

void UnicornArch::switch_to(u32 index, Context& context, UnicornSpace& space) {
    if (space.loaded_thread() == index) return;
    uc_engine* engine = space.engine();
    if (space.loaded_thread() != UnicornSpace::NoThread) {
        Context& previous = m_contexts.at(space.loaded_thread());
        if (previous.saved == nullptr) GROVE_ASSERT(uc_context_alloc(engine, &previous.saved) == UC_ERR_OK);
        GROVE_ASSERT(uc_context_save(engine, previous.saved) == UC_ERR_OK);
    }
    if (context.fresh) {
        GROVE_ASSERT(uc_context_restore(engine, space.pristine_context()) == UC_ERR_OK);
        space.write_register(UC_X86_REG_RIP, context.entry);
        space.write_register(UC_X86_REG_RSP, context.stack_top);
        space.write_register(UC_X86_REG_RDI, context.arg0);
        space.write_register(UC_X86_REG_RSI, context.arg1);
        context.fresh = false;
    } else {
        GROVE_ASSERT(uc_context_restore(engine, context.saved) == UC_ERR_OK);
    }
    space.set_loaded_thread(index);
}

Trap UnicornArch::resume(ThreadId thread) {
    Context* context = find(thread);
    GROVE_ASSERT(context != nullptr);
    UnicornSpace* space = find(context->space);
    GROVE_ASSERT(space != nullptr);
    switch_to(thread.index, *context, *space);
    if (context->has_result) {
        int registers[] = {UC_X86_REG_RAX, UC_X86_REG_RDX};
        u64 values[] = {static_cast<u64>(context->result_rax), context->result_rdx};
        void* pointers[] = {&values[0], &values[1]};
        uc_reg_write_batch(space->engine(), registers, pointers, 2);
        context->has_result = false;
    }
    Ticks const device_event = m_bus.interrupts().has_fired() ? m_clock.now() : m_bus.next_event();
    if (device_event < m_clock.deadline()) m_clock.set_deadline(device_event);
    Trap const trap = space->run();
    m_inexact_fault = m_inexact_fault || space->trap_is_inexact();
    m_clock.charge_trap();
    m_bus.advance_to(m_clock.now());
    return trap;
}

void UnicornArch::idle_until(Ticks t) {
    if (m_bus.interrupts().has_fired()) return;
    Ticks const device_event = m_bus.next_event();
    m_clock.advance_to(device_event < t ? device_event : t);
    m_bus.advance_to(m_clock.now());
}

// --- crash reports and console ------------------------------------------------------------------------------------

InstructionText UnicornArch::describe_instruction(AddressSpaceId id, u64 pc) {
    u8 bytes[15]{};
    UnicornSpace* space = find(id);
    usize const available = space == nullptr ? 0 : space->peek(pc, bytes, sizeof bytes);
    return m_disassembler.describe(bytes, available, pc);
}

std::vector<ThreadId> UnicornArch::threads() const {
    std::vector<ThreadId> threads;
    for (auto const& [index, context] : m_contexts) threads.push_back(ThreadId{index, context.generation});
    return threads;
}

std::optional<AddressSpaceId> UnicornArch::space_of(ThreadId thread) const {
    auto const found = m_contexts.find(thread.index);
    if (found == m_contexts.end() || found->second.generation != thread.generation) return std::nullopt;
    return found->second.space;
}

bool UnicornArch::read_thread_register(ThreadId thread, int reg, void* value) {
    Context* context = find(thread);
    UnicornSpace* space = context == nullptr ? nullptr : find(context->space);
    if (space == nullptr) return false;
    if (context->fresh) {
        u64 start = 0;
        switch (reg) {
        case UC_X86_REG_RIP: start = context->entry; break;
        case UC_X86_REG_RSP: start = context->stack_top; break;
        case UC_X86_REG_RDI: start = context->arg0; break;
        case UC_X86_REG_RSI: start = context->arg1; break;
        default: return uc_context_reg_read(space->pristine_context(), reg, value) == UC_ERR_OK;
        }
        std::memcpy(value, &start, sizeof start);
        return true;
    }
    if (space->loaded_thread() == thread.index) return uc_reg_read(space->engine(), reg, value) == UC_ERR_OK;
    return uc_context_reg_read(context->saved, reg, value) == UC_ERR_OK;
}

bool UnicornArch::write_thread_register(ThreadId thread, int reg, void const* value) {
    Context* context = find(thread);
    UnicornSpace* space = context == nullptr ? nullptr : find(context->space);
    if (space == nullptr || context->fresh) return false;
    if (space->loaded_thread() == thread.index) return uc_reg_write(space->engine(), reg, value) == UC_ERR_OK;
    return uc_context_reg_write(context->saved, reg, value) == UC_ERR_OK;
}

usize UnicornArch::peek(AddressSpaceId id, u64 address, void* destination, usize capacity) {
    UnicornSpace* space = find(id);
    return space == nullptr ? 0 : space->peek(address, destination, capacity);
}

RegisterSnapshot UnicornArch::registers(ThreadId thread) {
    Context* context = find(thread);
    if (context == nullptr) return {};
    UnicornSpace* space = find(context->space);
    if (space == nullptr) return {};
    if (context->fresh) {
        RegisterSnapshot s;
        s.rip = context->entry;
        s.rsp = context->stack_top;
        s.rdi = context->arg0;
        s.rsi = context->arg1;
        s.rflags = space->registers().rflags;
        return s;
    }
    if (space->loaded_thread() == thread.index) return space->registers();
    // Switched out: its registers are in its saved context.
    auto read = [&](int reg) {
        u64 value = 0;
        uc_context_reg_read(context->saved, reg, &value);
        return value;
    };
    return snapshot_registers(read);
}

namespace {

// Appends, then keeps the last ConsoleKept bytes once the text reaches twice that (amortised: each byte is moved
// at most once per trim).
void append_bounded(std::string& kept, char const* text, usize length) {
    kept.append(text, length);
    if (kept.size() >= 2 * UnicornArch::ConsoleKept) kept.erase(0, kept.size() - UnicornArch::ConsoleKept);
}

} // namespace

void UnicornArch::console_write(GroveId source, char const* text, usize length) {
    append_bounded(m_console[source.serial], text, length);
    append_bounded(m_console_all, text, length);
}

} // namespace grove::sim

#include <tests/core/kernel/kernel_fixture_values.hpp>
#include <tests/core/kernel/random_operations.hpp>
#include <cstring>

namespace grove::testing {
namespace {

using abi::Syscall;

// RandomOptions::interrupts: grove i owns line FirstRandomLine + i.
constexpr u8 FirstRandomLine = 10;

constexpr u64 Heap = 0x0060'0000;

// Grove `index` of a run: every one may send to and receive from anyone, hear of anyone's crashes and create
// threads, the even ones manage memory; small
// limits under each violation policy, a quick restart budget.
Result<GroveSpec> random_spec(u32 index, RandomOptions const& options) {
    std::string const name = "p" + std::to_string(index);
    GroveSpec s = make_spec(name.c_str(), RespawnPolicy::always());
    if (options.ranks == Ranks::Each) s.priority = static_cast<u8>(4 + 4 * index);
    if (options.ranks == Ranks::Pairs) s.priority = static_cast<u8>(4 + 8 * (index / 2));
    s.limits.cpu_period = options.scheduler.period;
    if (options.interrupts) TRY(s.capabilities.grant_irq(static_cast<u8>(FirstRandomLine + index)));
    TRY(s.capabilities.grant_send_to_any());
    TRY(s.capabilities.grant_receive_from_any());
    TRY(s.capabilities.grant_watch_any());
    TRY(s.capabilities.grant(CapabilityKind::ThreadCreate));
    if (index % 2 == 0) TRY(s.capabilities.grant(CapabilityKind::MemoryManage));
    s.limits.threads = Count(6);
    s.limits.memory = bytes_of(TestIncarnationPages) + Bytes(8 * PageSize);
    s.limits.file_handles = Count(6);
    s.limits.ipc_messages_per_second = 200'000;
    s.limits.ipc_burst = 8;
    s.limits.policy = static_cast<ViolationPolicy>(index % 3);
    s.limits.cpu_percent = index == 3 ? 100 : 40;
    s.restart_budget.max_crashes = 30;
    s.restart_budget.window = microseconds(200);
    s.restart_budget.backoff_base = microseconds(5);
    s.restart_budget.backoff_cap = microseconds(50);
    s.stop_timeout = microseconds(100);
    return s;
}

Result<GroveId> spawn_random(Kernel& kernel, u32 index, RandomOptions const& options) {
    Result<GroveSpec> spec = random_spec(index, options);
    if (spec.is_error()) return spec.error();
    return kernel.spawn(spec.value());
}

std::string differs(char const* what, u64 expected, u64 actual) {
    return std::string(what) + ": expected " + std::to_string(expected) + ", found " + std::to_string(actual);
}

} // namespace

RandomOperations::RandomOperations(ChoiceSource& choices, RandomOptions options)
    : m_choices(choices), m_options(options) {
    m_kernel->set_sink(&m_events);
    m_kernel->set_fast_ipc(options.fast_ipc);
}

std::string RandomOperations::start() {
    m_free_at_start = m_arch.free_pages();
    m_spaces_at_start = m_arch.live_spaces();
    for (u32 i = 0; i < Groves; ++i) {
        Result<GroveId> spawned = spawn_random(*m_kernel, i, m_options);
        if (spawned.is_error()) return "grove p" + std::to_string(i) + " could not be spawned";
        m_ids[i] = spawned.value();
    }
    m_dispatch = m_kernel->dispatch();
    return check();
}

std::string RandomOperations::step() {
    if (m_choices.below(100) == 0) operate();
    // As the machine loop hands them over: before the trap or the dispatch.
    if (m_options.interrupts && m_choices.below(8) == 0) {
        m_arch.interrupts().raise(static_cast<u8>(FirstRandomLine + m_choices.below(Groves)));
        m_kernel->on_interrupts(m_arch.take_interrupts());
    }
    Dispatch& d = m_dispatch;
    if (d.is_idle()) {
        if (d.wake_at == Ticks::max()) {
            std::string revived = revive();
            if (!revived.empty()) return revived;
        } else {
            m_arch.set_now(d.wake_at);
        }
        d = m_kernel->dispatch();
    } else {
        ThreadId const thread = d.thread;
        Ticks const room = d.wake_at - m_arch.now();
        Ticks const most = room < microseconds(20) ? room : microseconds(20);
        m_arch.set_now(m_arch.now() + Ticks(m_choices.below(most.value + 1)));
        Trap const trap = random_trap(thread);
        if (m_arch.has_context(thread)) m_arch.set_syscall_result(thread, NoResult, 0);
        GroveId const g = grove_of(thread);
        d = m_kernel->on_trap(thread, trap);
        if (m_arch.has_context(thread) && m_arch.context(thread).rax == NoResult) ++m_counts.blocked;
        if (m_arch.has_context(thread) && trap.kind == TrapKind::Syscall &&
            trap.syscall.number == static_cast<u64>(Syscall::Lookup) && m_arch.context(thread).rax > 0)
            m_handles[g.serial % Groves] = static_cast<u64>(m_arch.context(thread).rax);
    }
    return check();
}

std::string RandomOperations::finish() {
    for (u32 i = 0; i < Groves; ++i) {
        std::string retired = retire(i);
        if (!retired.empty()) return retired;
    }
    if (m_arch.free_pages() != m_free_at_start)
        return differs("free frames after every grove was retired", m_free_at_start.value, m_arch.free_pages().value);
    if (m_arch.live_spaces() != m_spaces_at_start)
        return differs("address spaces after every grove was retired", m_spaces_at_start, m_arch.live_spaces());
    if (m_arch.live_contexts() != 0)
        return differs("contexts after every grove was retired", 0, m_arch.live_contexts());
    if (m_kernel->scheduler().thread_count() != 0)
        return differs("threads after every grove was retired", 0, m_kernel->scheduler().thread_count());
    if (m_kernel->ipc().ledger().queued_total() != 0)
        return differs("queued messages after every grove was retired", 0, m_kernel->ipc().ledger().queued_total());
    if (m_kernel->ipc().size() != 0)
        return differs("endpoints after every grove was retired", 0, m_kernel->ipc().size());
    if (!m_kernel->ipc().check_invariant()) return "the IPC accounting invariant broke";
    if (m_kernel->grants().live() != 0)
        return differs("grants after every grove was retired", 0, m_kernel->grants().live());
    if (!m_kernel->grants().check_invariant()) return "the grant accounting invariant broke";
    return "";
}

u64 RandomOperations::pick(std::initializer_list<u64> values) {
    u64 const i = m_choices.below(values.size());
    return *(values.begin() + i);
}

u64 RandomOperations::hostile() {
    return pick({0, 1, ReadOnlyAddress, UnmappedAddress, KernelAddress, layout::WindowEnd - 8, ~u64{0},
                 u64{0xffff'ffff}, m_choices.next()});
}

// With probability 1/8 any argument is replaced by a hostile value.
u64 RandomOperations::maybe_hostile(u64 value) { return m_choices.below(8) == 0 ? hostile() : value; }

AddressSpaceId RandomOperations::space_of(GroveId g) const { return m_kernel->manager().find(g)->image.space; }

// Mostly the handle the grove's last Lookup returned (it may have gone stale since).
u64 RandomOperations::some_handle(GroveId g) {
    if (m_choices.below(4) != 0) return m_handles[g.serial % Groves];
    return pick({abi::OwnEndpointHandle, abi::make_handle(1, 1), abi::make_handle(2, 1), abi::make_handle(1, 2)});
}

u64 RandomOperations::own_line(GroveId g) const {
    for (u32 i = 0; i < Groves; ++i)
        if (m_ids[i].serial == g.serial) return FirstRandomLine + i;
    return FirstRandomLine;
}

// Mostly an id the first grants of a run get (they may name nothing, or another grove's grant, by then).
u64 RandomOperations::some_grant() {
    if (m_choices.below(8) == 0) return m_choices.next();
    return pick({abi::make_handle(0, 1), abi::make_handle(1, 1), abi::make_handle(2, 1), abi::make_handle(0, 2)});
}

u64 RandomOperations::some_timeout() { return pick({0, 1'000, 50'000, abi::WaitForever, abi::WaitForever}); }

u64 RandomOperations::some_buffer() { return pick({SendBuffer, ReceiveBuffer, ReplyBuffer, SecondDataPage + 0x80}); }

u64 RandomOperations::some_thread(GroveId g) {
    auto const threads = m_kernel->threads_of(g);
    if (threads.is_empty() || m_choices.below(4) == 0) return m_choices.next();
    return thread_value(threads[static_cast<usize>(m_choices.below(threads.size()))]);
}

void RandomOperations::write_random_message(GroveId g, u64 address) {
    abi::Message m =
        make_message(static_cast<u32>(m_choices.below(16)), static_cast<u8>(m_choices.below(32)), m_choices.next());
    if (m_choices.below(16) == 0) m.header.priority = static_cast<u8>(m_choices.next());
    if (m_choices.below(16) == 0) m.header.length = static_cast<u16>(m_choices.below(100));
    if (m_choices.below(32) == 0) m.header.reserved = 1;
    if (m_choices.below(8) == 0) m.header.flags = static_cast<u8>(m_choices.next());
    (void)m_arch.load(space_of(g), VirtAddr{address}, &m, Bytes(sizeof m)); // the page may be unmapped
}

Trap RandomOperations::random_trap(ThreadId thread) {
    GroveId const g = grove_of(thread);
    // The operator ended the thread's grove after it was dispatched: the backend still hands its trap back.
    if (g.is_null()) return Trap::make_timer(CodeAddress);
    u64 const roll = m_choices.below(1000);
    if (roll < 80) return Trap::make_timer(CodeAddress);
    if (roll < 84) {
        ++m_counts.faults;
        FaultInfo info;
        info.address = m_choices.next();
        info.cause = m_choices.below(2) == 0 ? FaultCause::IoPort : FaultCause::PrivilegedInstruction;
        info.port = static_cast<u16>(m_choices.next());
        TrapKind const kinds[] = {TrapKind::PageFault,   TrapKind::GeneralProtection, TrapKind::InvalidOpcode,
                                  TrapKind::DivideError, TrapKind::Breakpoint,        TrapKind::EmulatorError};
        return Trap::make_fault(kinds[m_choices.below(6)], CodeAddress + m_choices.below(8), info);
    }
    ++m_counts.syscalls;
    SyscallArgs args{};
    u64* a = args.arg;
    u64 const kinds = static_cast<u64>(Syscall::Count) + 1;
    u64 number = m_choices.below(kinds);
    if (m_options.ipc_heavy && m_choices.below(10) != 0)
        number = pick(
            {static_cast<u64>(Syscall::Send), static_cast<u64>(Syscall::Send), static_cast<u64>(Syscall::Send),
             static_cast<u64>(Syscall::Receive), static_cast<u64>(Syscall::Receive), static_cast<u64>(Syscall::Receive),
             static_cast<u64>(Syscall::Call), static_cast<u64>(Syscall::Reply), static_cast<u64>(Syscall::Lookup),
             static_cast<u64>(m_options.interrupts ? Syscall::IrqWait : Syscall::Receive)});
    // Exits end incarnations; keep them rare enough that groves live a while.
    if ((number == static_cast<u64>(Syscall::Exit) || number == static_cast<u64>(Syscall::ThreadExit)) &&
        m_choices.below(8) != 0)
        number = static_cast<u64>(Syscall::Send);
    args.number = number;
    switch (static_cast<Syscall>(number)) {
    case Syscall::Exit:
    case Syscall::ThreadExit: a[0] = pick({0, 0, 1, static_cast<u64>(-1)}); break;
    case Syscall::Sleep: a[0] = pick({0, 10, 1'000, 20'000}); break;
    case Syscall::ConsoleWrite:
        a[0] = maybe_hostile(TextBuffer);
        a[1] = maybe_hostile(m_choices.between(1, 64));
        break;
    case Syscall::Send:
    case Syscall::Call:
    case Syscall::Receive:
        if (number != static_cast<u64>(Syscall::Receive)) write_random_message(g, SendBuffer);
        a[0] = maybe_hostile(number == static_cast<u64>(Syscall::Receive) ? abi::OwnEndpointHandle : some_handle(g));
        a[1] = maybe_hostile(number == static_cast<u64>(Syscall::Receive) ? some_buffer() : SendBuffer);
        a[2] = number == static_cast<u64>(Syscall::Call) ? maybe_hostile(some_buffer())
                                                         : maybe_hostile(pick({0, abi::FlagNonBlocking}));
        a[3] = some_timeout();
        break;
    case Syscall::Reply:
        write_random_message(g, SendBuffer);
        a[0] = maybe_hostile(SendBuffer);
        break;
    case Syscall::Lookup:
    case Syscall::ServiceStart:
    case Syscall::ServiceStop:
    case Syscall::ServiceRestart:
    case Syscall::ServiceStatus: {
        std::string const name = m_choices.below(8) == 0 ? "nobody" : "p" + std::to_string(m_choices.below(Groves));
        (void)m_arch.load(space_of(g), VirtAddr{NameBuffer}, name.data(), Bytes(name.size()));
        a[0] = maybe_hostile(NameBuffer);
        a[1] = maybe_hostile(name.size());
        break;
    }
    case Syscall::MemoryMap:
    case Syscall::MemoryUnmap:
        a[0] = maybe_hostile(m_choices.below(16) == 0 ? SecondDataPage : Heap + m_choices.below(4) * PageSize);
        a[1] = maybe_hostile(m_choices.between(1, 2) * PageSize);
        a[2] = maybe_hostile(pick({abi::ProtRead, abi::ProtRead | abi::ProtWrite, abi::ProtExecute}));
        break;
    case Syscall::ThreadCreate:
        a[0] = maybe_hostile(CodeAddress);
        a[1] = maybe_hostile(StackTop - 0x100 * m_choices.below(8));
        a[2] = m_choices.next();
        break;
    case Syscall::ThreadJoin:
        a[0] = some_thread(g);
        a[1] = some_timeout();
        break;
    case Syscall::PhysicalMap:
        a[0] = maybe_hostile(0x700000);
        a[1] = maybe_hostile(0xb8000);
        a[2] = maybe_hostile(PageSize);
        a[3] = abi::ProtRead;
        break;
    case Syscall::HandleClose: a[0] = maybe_hostile(some_handle(g)); break;
    case Syscall::HandleIssued:
        a[0] = maybe_hostile(m_ids[m_choices.below(Groves)].serial);
        a[1] = maybe_hostile(some_handle(g));
        a[2] = maybe_hostile(pick({0, 1}));
        break;
    case Syscall::GrantCreate:
        a[0] = maybe_hostile(some_buffer());
        a[1] = maybe_hostile(pick({abi::MessageSize, PageSize, 2 * PageSize}));
        a[2] = maybe_hostile(m_ids[m_choices.below(Groves)].serial);
        a[3] = maybe_hostile(pick({abi::GrantRead, abi::GrantWrite, abi::GrantRead | abi::GrantWrite}));
        break;
    case Syscall::GrantRevoke: a[0] = some_grant(); break;
    case Syscall::GrantCopyFrom:
    case Syscall::GrantCopyTo:
        a[0] = some_grant();
        a[1] = maybe_hostile(pick({0, 16, PageSize}));
        a[2] = maybe_hostile(some_buffer());
        a[3] = maybe_hostile(pick({1, abi::MessageSize, PageSize}));
        break;
    case Syscall::IrqWait:
    case Syscall::IrqAck:
        a[0] = maybe_hostile(m_options.interrupts ? own_line(g) : pick({0, 14, 15, abi::IrqLines}));
        a[1] = some_timeout();
        break;
    case Syscall::ServiceLoad: {
        // A spec over a random grant (whatever its bytes: mostly no ELF file) into the second data page.
        abi::ServiceSpec spec{};
        spec.grant = some_grant();
        spec.image_length = pick({0, abi::MessageSize, PageSize, abi::MaxServiceImage + 1});
        spec.memory = pick({0, PageSize * 64, u64{1} << 30});
        spec.threads = static_cast<u32>(pick({0, 1, 64}));
        spec.cpu_percent = static_cast<u32>(pick({0, 10, 100}));
        spec.flags = static_cast<u16>(pick({0, 1u << static_cast<u8>(CapabilityKind::ThreadCreate), 0xffff}));
        std::string const name = "s" + std::to_string(m_choices.below(Groves));
        spec.name.length = static_cast<u8>(name.size());
        std::memcpy(spec.name.text, name.data(), name.size());
        (void)m_arch.load(space_of(g), VirtAddr{SecondDataPage}, &spec, Bytes(sizeof spec));
        a[0] = maybe_hostile(SecondDataPage);
        break;
    }
    case Syscall::ServiceList:
        a[0] = maybe_hostile(some_buffer());
        a[1] = maybe_hostile(pick({1, 4, abi::MaxServiceRecords}));
        break;
    case Syscall::Yield:
    case Syscall::Clock:
    case Syscall::SubscribeCrashes:
    case Syscall::Heartbeat:
    case Syscall::HandleIssue:
    case Syscall::Count: break;
    }
    return Trap::make_syscall(SyscallPc, args);
}

// An operator's action on a random grove.
void RandomOperations::operate() {
    GroveId const g = m_ids[m_choices.below(Groves)];
    switch (m_choices.below(6)) {
    case 0: (void)m_kernel->kill(g); break;
    case 1: (void)m_kernel->crash(g, Crash::fault(CodeAddress, m_choices.next())); break;
    case 2:
        if (m_choices.below(4) == 0) (void)m_kernel->hang(g);
        break;
    case 3: (void)m_kernel->stop(g); break;
    case 4: (void)m_kernel->charge_memory(g, Bytes(m_choices.below(3) * PageSize)); break;
    case 5: (void)m_kernel->restart(g); break;
    }
    refresh_ids();
}

// Nothing will ever run by itself (every thread waits for ever, or every grove is down for good): kill or
// replace one grove.
std::string RandomOperations::revive() {
    u32 const i = static_cast<u32>(m_choices.below(Groves));
    Grove const* g = m_kernel->manager().registry().find_serial(m_ids[i].serial);
    if (g != nullptr && g->is_alive()) {
        (void)m_kernel->kill(m_ids[i]);
    } else {
        std::string retired = retire(i);
        if (!retired.empty()) return retired;
        Result<GroveId> spawned = spawn_random(*m_kernel, i, m_options);
        if (spawned.is_error()) return "grove p" + std::to_string(i) + " could not be spawned again";
        m_ids[i] = spawned.value();
    }
    refresh_ids();
    return "";
}

// Ends grove i for good and forgets it.
std::string RandomOperations::retire(u32 i) {
    Grove const* g = m_kernel->manager().registry().find_serial(m_ids[i].serial);
    if (g == nullptr) return "";
    GroveId const id = g->id;
    (void)m_kernel->stop(id); // cancels a scheduled respawn; a running grove starts stopping
    if (m_kernel->manager().find(id)->is_alive()) (void)m_kernel->kill(id);
    if (m_kernel->manager().remove(id).is_error()) return "grove p" + std::to_string(i) + " could not be removed";
    return "";
}

void RandomOperations::refresh_ids() {
    for (GroveId& id : m_ids) {
        Grove const* g = m_kernel->manager().registry().find_serial(id.serial);
        if (g != nullptr) id = g->id;
    }
}

std::string RandomOperations::check() {
    if (!m_kernel->ipc().check_invariant()) return "the IPC accounting invariant broke";
    if (!m_kernel->grants().check_invariant()) return "the grant accounting invariant broke";
    Kernel::GrantCopyCounters const& copies = m_kernel->grant_copies();
    if (copies.asked != copies.copied + copies.refused) return "a grant copy was neither copied nor refused";
    refresh_ids();
    usize threads = 0;
    for (GroveId id : m_ids) {
        Grove const* g = m_kernel->manager().registry().find_serial(id.serial);
        usize const live = m_kernel->threads_of(id).size();
        if ((live > 0) != (g != nullptr && g->is_alive()))
            return "grove serial " + std::to_string(id.serial) + " has " + std::to_string(live) + " threads but is " +
                   (g != nullptr && g->is_alive() ? "alive" : "not alive");
        threads += live;
    }
    if (m_arch.live_contexts() != threads)
        return differs("contexts held by the backend", threads, m_arch.live_contexts());
    return "";
}

} // namespace grove::testing

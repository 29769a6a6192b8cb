// Every syscall of the Kernel against the fake backend, with valid and hostile arguments, and every capability
// denial (AccessDenied plus a capability_denied event).
#include <tests/core/kernel/kernel_fixture.hpp>

#include <core/base/hash.hpp>

namespace grove {
namespace {

using namespace testing;

class KernelSyscall : public KernelTest {};

TEST_F(KernelSyscall, SpawnCreatesTheMainThreadAtTheImageEntryAndDispatchesIt) {
    GroveId const g = spawn("alpha");
    auto const threads = kernel->threads_of(g);
    ASSERT_EQ(threads.size(), 1u);
    ThreadId const t = threads[0];
    EXPECT_EQ(kernel->grove_of(t), g);
    EXPECT_EQ(arch.context(t).entry, CodeAddress);
    EXPECT_EQ(arch.context(t).stack_top, layout::MainStackTop);
    Dispatch const d = kernel->dispatch();
    EXPECT_EQ(d.thread, t);
    EXPECT_EQ(d.wake_at, DefaultQuantum); // the quantum, armed in the backend too
    EXPECT_EQ(arch.preemption_deadline(), DefaultQuantum);
    EXPECT_EQ(count(EventKind::Started), 1u);
}

TEST_F(KernelSyscall, UnknownNumbersReturnInvalidArgumentAndChangeNothing) {
    GroveId const g = spawn("alpha");
    ThreadId const t = main_thread(g);
    u64 const first_unknown = static_cast<u64>(Syscall::Count);
    for (u64 number : {first_unknown, first_unknown + 1, u64{0x100}, ~u64{0}, u64{1} << 63})
        EXPECT_EQ(sys_raw(t, number, 1, 2), status(Error::InvalidArgument)) << number;
    EXPECT_EQ(state_of(g), GroveState::Running);
    EXPECT_EQ(count(EventKind::Crashed), 0u);
}

TEST_F(KernelSyscall, ClockReturnsVirtualTimeAndYieldLetsTheOtherGroveRun) {
    ThreadId const a = main_thread(spawn("alpha"));
    ThreadId const b = main_thread(spawn("beta"));
    arch.set_now(Ticks(12'345));
    EXPECT_EQ(sys(a, Syscall::Clock), 12'345);
    EXPECT_EQ(sys(a, Syscall::Yield), 0);
    EXPECT_EQ(last.thread, b);
}

TEST_F(KernelSyscall, ConsoleWriteCopiesTheTextAndEmitsAConsoleEvent) {
    GroveId const g = spawn("alpha");
    ThreadId const t = main_thread(g);
    write_text(g, TextBuffer, "hello, grove");
    EXPECT_EQ(console_write(t, TextBuffer, 12), 12);
    EXPECT_EQ(arch.console(g), "hello, grove");
    Event const e = last_of(EventKind::Console);
    EXPECT_EQ(e.fields.console.length, 12u);
    Fnv1a64 hash;
    hash.update("hello, grove", 12);
    EXPECT_EQ(e.fields.console.hash, hash.digest());
    // A readable, non-writable page is fine to print from; the largest write spans both data pages.
    EXPECT_EQ(console_write(t, ReadOnlyAddress, 3), 3);
    EXPECT_EQ(console_write(t, DataAddress, MaxConsoleWrite), static_cast<i64>(MaxConsoleWrite));
}

TEST_F(KernelSyscall, ConsoleWriteRefusesHostilePointersAndLengths) {
    GroveId const g = spawn("alpha");
    ThreadId const t = main_thread(g);
    struct Case {
        u64 address, length;
    };
    for (Case c : {Case{0, 8}, Case{KernelAddress, 8}, Case{UnmappedAddress, 8}, Case{TextBuffer, 0},
                   Case{TextBuffer, MaxConsoleWrite + 1}, Case{DataAddress + 2 * PageSize - 4, 8},
                   Case{layout::MainStackGuard, 16}, Case{~u64{0} - 3, 8}})
        EXPECT_EQ(console_write(t, c.address, c.length), status(Error::InvalidArgument))
            << std::hex << c.address << " " << c.length;
    EXPECT_EQ(arch.console(g), "");
    EXPECT_EQ(count(EventKind::Console), 0u);
    EXPECT_EQ(state_of(g), GroveState::Running);
}

TEST_F(KernelSyscall, SleepBlocksUntilItsDeadlineAndZeroReturnsAtOnce) {
    ThreadId const t = main_thread(spawn("alpha"));
    arch.set_now(Ticks(100));
    EXPECT_EQ(sys(t, Syscall::Sleep, 0), 0);
    EXPECT_EQ(sys(t, Syscall::Sleep, 1'000), NoResult);
    EXPECT_TRUE(is_blocked(t));
    EXPECT_TRUE(last.is_idle());
    EXPECT_EQ(last.wake_at, Ticks(1'100));
    EXPECT_TRUE(advance_to(Ticks(1'099)).is_idle());
    EXPECT_EQ(rax(t), NoResult);
    EXPECT_EQ(advance_to(Ticks(1'100)).thread, t);
    EXPECT_EQ(rax(t), 0);
}

TEST_F(KernelSyscall, SleepForeverNeverWakesByItself) {
    ThreadId const t = main_thread(spawn("alpha"));
    EXPECT_EQ(sys(t, Syscall::Sleep, abi::WaitForever), NoResult);
    EXPECT_TRUE(last.is_idle());
    EXPECT_EQ(last.wake_at, Ticks::max());
    EXPECT_TRUE(advance_to(seconds(3600)).is_idle());
}

TEST_F(KernelSyscall, HeartbeatFeedsTheWatchdog) {
    GroveSpec s = spec("alpha");
    s.watchdog_timeout = Ticks(1'000);
    GroveId const g = spawn(s);
    ThreadId const t = main_thread(g);
    arch.set_now(Ticks(900));
    EXPECT_EQ(sys(t, Syscall::Heartbeat), 0);
    EXPECT_EQ(advance_to(Ticks(1'500)).thread, t);
    EXPECT_EQ(state_of(g), GroveState::Running);
    advance_to(Ticks(1'900));
    EXPECT_EQ(state_of(g), GroveState::Faulted);
    EXPECT_EQ(last_of(EventKind::Crashed).fields.crashed.kind, CrashKind::Watchdog);
}

TEST_F(KernelSyscall, ConsoleWriteCostsTheWriterVirtualTimePerByte) {
    GroveId const g = spawn("alpha");
    ThreadId const t = main_thread(g);
    write_text(g, TextBuffer, "hello, grove");
    arch.set_now(Ticks(1000));
    EXPECT_EQ(sys(t, Syscall::ConsoleWrite, TextBuffer, 12), NoResult); // waits for the console
    Dispatch const d = kernel->dispatch();
    EXPECT_TRUE(d.is_idle());
    EXPECT_EQ(d.wake_at, Ticks(1000 + 12 * ConsoleByteCost.value));
    arch.set_now(d.wake_at);
    (void)kernel->dispatch();
    EXPECT_EQ(rax(t), 12);
}

TEST_F(KernelSyscall, ConsoleKeepsTheBudgetOfAnIncarnationAndDropsTheRestReportingTheFirstDrop) {
    GroveId const g = spawn("alpha", RespawnPolicy::always());
    ThreadId const t = main_thread(g);
    u64 const writes = ConsoleBudget / MaxConsoleWrite;
    for (u64 i = 0; i < writes; ++i)
        ASSERT_EQ(console_write(t, DataAddress, MaxConsoleWrite), static_cast<i64>(MaxConsoleWrite));
    EXPECT_EQ(arch.console(g).size(), ConsoleBudget);
    EXPECT_EQ(count(EventKind::LimitExceeded), 0u);
    usize const consoles = count(EventKind::Console);
    // Over the budget: the writes complete (and cost their time), nothing more is kept or traced, and the first
    // drop alone is reported.
    EXPECT_EQ(console_write(t, DataAddress, MaxConsoleWrite), static_cast<i64>(MaxConsoleWrite));
    EXPECT_EQ(console_write(t, DataAddress, 10), 10);
    EXPECT_EQ(arch.console(g).size(), ConsoleBudget);
    EXPECT_EQ(count(EventKind::Console), consoles);
    EXPECT_EQ(count(EventKind::LimitExceeded), 1u);
    Event const e = last_of(EventKind::LimitExceeded);
    EXPECT_EQ(e.fields.limit_exceeded.resource, Resource::Console);
    EXPECT_EQ(e.fields.limit_exceeded.requested, ConsoleBudget + MaxConsoleWrite);
    EXPECT_EQ(e.fields.limit_exceeded.limit, ConsoleBudget);
    EXPECT_EQ(kernel->console_dropped(find(g)->slot), MaxConsoleWrite + 10);
    // A new incarnation has a budget of its own; the count of drops stays the grove's.
    ASSERT_TRUE(kernel->crash(g, Crash::fault(0, 0)).has_value());
    arch.set_now(arch.now() + seconds(10));
    (void)kernel->dispatch();
    Grove const* again = find(GroveId{g.serial, 2});
    ASSERT_NE(again, nullptr);
    ThreadId const fresh = main_thread(again->id);
    EXPECT_EQ(console_write(fresh, DataAddress, 16), 16);
    EXPECT_EQ(count(EventKind::LimitExceeded), 1u);
    EXPECT_EQ(kernel->console_dropped(again->slot), MaxConsoleWrite + 10);
}

TEST_F(KernelSyscall, MemoryMapAndUnmapWithTheCapability) {
    GroveId const g = spawn(spec_with("alpha", CapabilityKind::MemoryManage));
    ThreadId const t = main_thread(g);
    PageCount const free = arch.free_pages();
    constexpr u64 Heap = 0x0060'0000;
    EXPECT_EQ(sys(t, Syscall::MemoryMap, Heap, 2 * PageSize, abi::ProtRead | abi::ProtWrite), 0);
    // Two pages and the page table of their 2 MiB region, which stays (charged) after the unmap.
    EXPECT_EQ(arch.free_pages(), free - PageCount(3));
    EXPECT_EQ(find(g)->usage.memory.used(), bytes_of(TestIncarnationPages) + Bytes(3 * PageSize));
    write_text(g, Heap + PageSize, "heap");
    EXPECT_EQ(console_write(t, Heap + PageSize, 4), 4);
    EXPECT_EQ(sys(t, Syscall::MemoryUnmap, Heap, 2 * PageSize), 0);
    EXPECT_EQ(arch.free_pages(), free - PageCount(1));
    EXPECT_EQ(find(g)->usage.memory.used(), bytes_of(TestIncarnationPages) + Bytes(PageSize));
    EXPECT_EQ(console_write(t, Heap + PageSize, 4), status(Error::InvalidArgument));
}

TEST_F(KernelSyscall, MemoryMapRefusesHostileRangesAndProtections) {
    GroveId const g = spawn(spec_with("alpha", CapabilityKind::MemoryManage));
    ThreadId const t = main_thread(g);
    PageCount const free = arch.free_pages();
    u64 const rw = abi::ProtRead | abi::ProtWrite;
    struct Case {
        u64 address, length, prot;
    };
    for (Case c : {Case{0x600001, PageSize, rw}, Case{0x600000, 0, rw}, Case{0x600000, 100, rw},
                   Case{0x600000, PageSize, abi::ProtWrite | abi::ProtExecute}, Case{0x600000, PageSize, 0},
                   Case{0x600000, PageSize, 0x8}, Case{KernelAddress, PageSize, rw}, Case{0, PageSize, rw},
                   Case{CodeAddress, PageSize, rw}, Case{layout::WindowEnd - PageSize, 2 * PageSize, rw},
                   Case{0x600000, ~u64{0} & ~(PageSize - 1), rw}})
        EXPECT_EQ(sys(t, Syscall::MemoryMap, c.address, c.length, c.prot), status(Error::InvalidArgument))
            << std::hex << c.address << " " << c.length << " " << c.prot;
    EXPECT_EQ(sys(t, Syscall::MemoryUnmap, 0x600000, PageSize), status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::MemoryUnmap, 0x600001, PageSize), status(Error::InvalidArgument));
    EXPECT_EQ(arch.free_pages(), free);
    EXPECT_EQ(state_of(g), GroveState::Running);
}

TEST_F(KernelSyscall, MemoryMapBeyondTheLimitIsRefusedWithAnEvent) {
    GroveSpec s = spec_with("alpha", CapabilityKind::MemoryManage);
    s.limits.memory = bytes_of(TestIncarnationPages) + Bytes(2 * PageSize); // a page and its page table
    GroveId const g = spawn(s);
    ThreadId const t = main_thread(g);
    EXPECT_EQ(sys(t, Syscall::MemoryMap, 0x600000, 2 * PageSize, abi::ProtRead), status(Error::LimitExceeded));
    Event const e = last_of(EventKind::LimitExceeded);
    EXPECT_EQ(e.fields.limit_exceeded.resource, Resource::Memory);
    EXPECT_EQ(sys(t, Syscall::MemoryMap, 0x600000, PageSize, abi::ProtRead), 0);
    EXPECT_EQ(state_of(g), GroveState::Running);
}

// Issue 11, hole 1: PhysicalMap charged nothing, and MemoryUnmap of the physical page credited a page, so cycling
// PhysicalMap -> MemoryUnmap -> MemoryMap mapped memory far beyond the limit.
TEST_F(KernelSyscall, UnmappingAPhysicalPageCreditsNoMemory) {
    GroveSpec s = spec_with("alpha", CapabilityKind::MemoryManage);
    ASSERT_TRUE(s.capabilities.grant_physical(PhysicalRange{PhysAddr{0xb8000}, Bytes(PageSize)}).has_value());
    s.limits.memory = bytes_of(TestIncarnationPages) + Bytes(4 * PageSize);
    GroveId const g = spawn(s);
    ThreadId const t = main_thread(g);
    constexpr u64 Device = 0x0200'0000, Heap = 0x0060'0000;
    u64 mapped = 0;
    for (int round = 0; round < 16; ++round) {
        ASSERT_EQ(sys(t, Syscall::PhysicalMap, Device, 0xb8000, PageSize, abi::ProtRead | abi::ProtWrite), 0);
        ASSERT_EQ(sys(t, Syscall::MemoryUnmap, Device, PageSize), 0);
        if (sys(t, Syscall::MemoryMap, Heap + mapped * PageSize, PageSize, abi::ProtRead) != 0) break;
        ++mapped;
    }
    // Two page tables (the device's 2 MiB region and the heap's) and two heap pages fill the four pages.
    EXPECT_EQ(mapped, 2u);
    EXPECT_EQ(find(g)->usage.memory.used(), s.limits.memory);
    EXPECT_EQ(last_of(EventKind::LimitExceeded).fields.limit_exceeded.resource, Resource::Memory);
}

// Issue 11, hole 2: page tables were free, so a grove mapping one page per 2 MiB region spent a frame of tables
// for every page it was charged for. The tables are charged to it, and every frame the machine gave out is one
// that some grove was charged for.
TEST_F(KernelSyscall, PageTablesAreChargedToTheGroveThatCausesThem) {
    PageCount const machine = arch.free_pages();
    GroveSpec s = spec_with("alpha", CapabilityKind::MemoryManage);
    s.limits.memory = bytes_of(TestIncarnationPages) + Bytes(64 * PageSize);
    GroveId const g = spawn(s);
    ThreadId const t = main_thread(g);
    constexpr u64 Spray = u64{1} << 32; // a fresh 1 GiB region: its PD is charged too
    u64 pages = 0;
    while (sys(t, Syscall::MemoryMap, Spray + pages * (u64{2} << 20), PageSize, abi::ProtRead) == 0) ++pages;
    // 64 pages of room: the PD, then a page and its PT per region.
    EXPECT_EQ(pages, 31u);
    EXPECT_EQ(last_of(EventKind::LimitExceeded).fields.limit_exceeded.resource, Resource::Memory);
    EXPECT_EQ(arch.free_pages() + pages_for(find(g)->usage.memory.used()), machine);
    EXPECT_TRUE(kernel->kill(g).has_value());
    EXPECT_EQ(arch.free_pages(), machine);
}

// Issue 11, hole 7: W^X on every mapping path. A physical page could be mapped writable at one address and
// executable at another (metal accepted Execute); and RAM was a physical range in one backend and not the other.
TEST_F(KernelSyscall, PhysicalMappingsAreNeverExecutableAndNeverRam) {
    GroveSpec s = spec("alpha");
    ASSERT_TRUE(s.capabilities.grant_physical(PhysicalRange{PhysAddr{0xb8000}, Bytes(PageSize)}).has_value());
    ASSERT_TRUE(s.capabilities.grant_physical(PhysicalRange{PhysAddr{0x0020'0000}, Bytes(PageSize)}).has_value());
    GroveId const g = spawn(s);
    ThreadId const t = main_thread(g);
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x0200'0000, 0xb8000, PageSize, abi::ProtRead | abi::ProtWrite), 0);
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x0200'1000, 0xb8000, PageSize, abi::ProtRead | abi::ProtExecute),
              status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x0200'1000, 0xb8000, PageSize, abi::ProtExecute),
              status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x0200'2000, 0x0020'0000, PageSize, abi::ProtRead),
              status(Error::AccessDenied));
    EXPECT_EQ(arch.space(space_of(g)).pages.count(0x2001), 0u);
    EXPECT_EQ(arch.space(space_of(g)).pages.count(0x2002), 0u);
}

// Hostile arguments that pass the decoding and the capability: a range over the grove's own memory, and one the
// page tables it would need do not fit in its memory limit. Each refused, nothing mapped, nothing charged.
TEST_F(KernelSyscall, PhysicalMapRefusesOwnMemoryAndTablesOverTheLimit) {
    GroveSpec s = spec("alpha");
    ASSERT_TRUE(s.capabilities.grant_physical(PhysicalRange{PhysAddr{0xFD00'0000}, mebibytes(16)}).has_value());
    s.limits.memory = bytes_of(TestIncarnationPages) + Bytes(PageSize); // room for one page table
    GroveId const g = spawn(s);
    ThreadId const t = main_thread(g);
    Bytes const used = find(g)->usage.memory.used();
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, DataAddress, 0xFD00'0000, PageSize, abi::ProtRead),
              status(Error::InvalidArgument));
    EXPECT_EQ(find(g)->usage.memory.used(), used);
    // Two 2 MiB regions need two page tables: one is over the limit.
    constexpr u64 Spanning = 0x0100'0000 - PageSize;
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, Spanning, 0xFD00'0000, 2 * PageSize, abi::ProtRead | abi::ProtWrite),
              status(Error::LimitExceeded));
    EXPECT_EQ(arch.space(space_of(g)).pages.count(Spanning / PageSize), 0u);
    EXPECT_EQ(find(g)->usage.memory.used(), used);
    // One region, one table: mapped, and the table charged.
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x0100'0000, 0xFD00'0000, 2 * PageSize, abi::ProtRead | abi::ProtWrite), 0);
    EXPECT_EQ(find(g)->usage.memory.used(), used + Bytes(PageSize));
}

TEST_F(KernelSyscall, MemoryManageIsACapability) {
    GroveId const g = spawn("alpha");
    ThreadId const t = main_thread(g);
    EXPECT_EQ(sys(t, Syscall::MemoryMap, 0x600000, PageSize, abi::ProtRead), status(Error::AccessDenied));
    Event const e = last_of(EventKind::CapabilityDenied);
    EXPECT_EQ(e.fields.capability_denied.capability, CapabilityKind::MemoryManage);
    EXPECT_EQ(e.fields.capability_denied.detail, 0x600000u);
    EXPECT_EQ(sys(t, Syscall::MemoryUnmap, SecondDataPage, PageSize), status(Error::AccessDenied));
    EXPECT_EQ(count(EventKind::CapabilityDenied), 2u);
    EXPECT_EQ(state_of(g), GroveState::Running);
}

TEST_F(KernelSyscall, PhysicalMapNeedsARangeThatCoversTheRequest) {
    GroveSpec s = spec("alpha");
    ASSERT_TRUE(s.capabilities.grant_physical(PhysicalRange{PhysAddr{0xb8000}, Bytes(PageSize)}).has_value());
    GroveId const g = spawn(s);
    ThreadId const t = main_thread(g);
    PageCount const free = arch.free_pages();
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x700000, 0xb8000, PageSize, abi::ProtRead | abi::ProtWrite), 0);
    EXPECT_TRUE(arch.space(space_of(g)).pages.at(0x700).physical);
    // Device memory is not the grove's memory; the page table of the new 2 MiB region is, and it is charged.
    EXPECT_EQ(arch.free_pages(), free - PageCount(1));
    EXPECT_EQ(find(g)->usage.memory.used(), bytes_of(TestIncarnationPages) + Bytes(PageSize));
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x710000, 0xb8000, 2 * PageSize, abi::ProtRead),
              status(Error::AccessDenied));
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x720000, 0xa0000, PageSize, abi::ProtRead), status(Error::AccessDenied));
    Event const e = last_of(EventKind::CapabilityDenied);
    EXPECT_EQ(e.fields.capability_denied.capability, CapabilityKind::PhysicalMemory);
    EXPECT_EQ(e.fields.capability_denied.detail, 0xa0000u);
    // Malformed requests never reach the capability check.
    usize const denials = count(EventKind::CapabilityDenied);
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x730000, 0xb8001, PageSize, abi::ProtRead), status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x730000, ~u64{0} & ~(PageSize - 1), PageSize, abi::ProtRead),
              status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, KernelAddress, 0xb8000, PageSize, abi::ProtRead),
              status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x730000, 0xb8000, PageSize, abi::ProtWrite | abi::ProtExecute),
              status(Error::InvalidArgument));
    EXPECT_EQ(count(EventKind::CapabilityDenied), denials);
    // Mapped over an existing mapping: the backend refuses.
    EXPECT_EQ(sys(t, Syscall::PhysicalMap, 0x700000, 0xb8000, PageSize, abi::ProtRead), status(Error::InvalidArgument));
}

TEST_F(KernelSyscall, PhysicalMemoryIsACapability) {
    GroveId const g = spawn("alpha");
    EXPECT_EQ(sys(main_thread(g), Syscall::PhysicalMap, 0x700000, 0xb8000, PageSize, abi::ProtRead),
              status(Error::AccessDenied));
    Event const e = last_of(EventKind::CapabilityDenied);
    EXPECT_EQ(e.fields.capability_denied.capability, CapabilityKind::PhysicalMemory);
    EXPECT_EQ(e.fields.capability_denied.detail, 0xb8000u);
    EXPECT_EQ(arch.space(space_of(g)).pages.count(0x700), 0u);
}

TEST_F(KernelSyscall, ThreadCreateIsACapability) {
    GroveId const g = spawn("alpha");
    EXPECT_EQ(sys(main_thread(g), Syscall::ThreadCreate, CodeAddress, StackTop, 0), status(Error::AccessDenied));
    Event const e = last_of(EventKind::CapabilityDenied);
    EXPECT_EQ(e.fields.capability_denied.capability, CapabilityKind::ThreadCreate);
    EXPECT_EQ(kernel->threads_of(g).size(), 1u);
}

TEST_F(KernelSyscall, IoPortFaultIsACapabilityDenialAndACrash) {
    GroveSpec s = spec("alpha");
    ASSERT_TRUE(s.capabilities.grant_io_ports(IoPortRange{0x2f8, 0x2ff}).has_value());
    GroveId const g = spawn(s);
    FaultInfo info;
    info.cause = FaultCause::IoPort;
    info.port = 0x60;
    info.error_code = 13;
    ASSERT_TRUE(fault(main_thread(g), TrapKind::GeneralProtection, CodeAddress + 2, info));
    Event const denied = last_of(EventKind::CapabilityDenied);
    EXPECT_EQ(denied.fields.capability_denied.capability, CapabilityKind::IoPort);
    EXPECT_EQ(denied.fields.capability_denied.detail, 0x60u);
    Event const f = last_of(EventKind::Fault);
    EXPECT_EQ(f.fields.fault.cause, FaultCause::IoPort);
    EXPECT_EQ(f.fields.fault.port, 0x60);
    EXPECT_EQ(f.fields.fault.pc, CodeAddress + 2);
    EXPECT_EQ(state_of(g), GroveState::Faulted);
}

TEST_F(KernelSyscall, LookupNeedsIpcSendForThatName) {
    GroveId const a = spawn(spec_sending_to("alpha", "beta"));
    spawn("beta");
    spawn("gamma");
    ThreadId const t = main_thread(a);
    i64 const handle = lookup(t, a, "beta");
    EXPECT_GT(handle, 0);
    EXPECT_EQ(lookup(t, a, "gamma"), status(Error::AccessDenied));
    Event const e = last_of(EventKind::CapabilityDenied);
    EXPECT_EQ(e.fields.capability_denied.capability, CapabilityKind::IpcSend);
    EXPECT_EQ(e.grove(), a);
    // A lookup costs a file handle; the own endpoint is the first.
    EXPECT_EQ(find(a)->usage.file_handles.used(), Count(2));
}

TEST_F(KernelSyscall, LookupWithoutTheCapabilityIsDeniedWhetherOrNotTheNameExists) {
    GroveId const a = spawn(spec_sending_to("alpha", "beta"));
    ThreadId const t = main_thread(a);
    EXPECT_EQ(lookup(t, a, "nobody"), status(Error::AccessDenied));
    EXPECT_EQ(lookup(t, a, "alpha"), status(Error::AccessDenied));
    EXPECT_EQ(count(EventKind::CapabilityDenied), 2u);
    EXPECT_EQ(lookup(t, a, "beta"), status(Error::NotFound)); // allowed, but not running
    GroveId const b = spawn("beta");
    EXPECT_GT(lookup(t, a, "beta"), 0);
    ASSERT_TRUE(kernel->stop(b).has_value());
    EXPECT_EQ(lookup(t, a, "beta"), status(Error::NotFound)); // stopping: no new handles
}

TEST_F(KernelSyscall, LookupRefusesHostileNames) {
    GroveSpec s = spec("alpha");
    ASSERT_TRUE(s.capabilities.grant_send_to_any().has_value());
    GroveId const a = spawn(s);
    spawn("beta");
    ThreadId const t = main_thread(a);
    EXPECT_EQ(lookup(t, a, "nobody"), status(Error::NotFound));
    EXPECT_EQ(lookup(t, a, "bet"), status(Error::NotFound));
    write_text(a, NameBuffer, "beta");
    EXPECT_EQ(sys(t, Syscall::Lookup, NameBuffer, 0), status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::Lookup, NameBuffer, MaxLookupName + 1), status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::Lookup, 0, 4), status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::Lookup, KernelAddress, 4), status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::Lookup, UnmappedAddress, 4), status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::Lookup, DataAddress + 2 * PageSize - 2, 4), status(Error::InvalidArgument));
    EXPECT_EQ(find(a)->usage.file_handles.used(), Count(1));
    EXPECT_GT(sys(t, Syscall::Lookup, NameBuffer, 4), 0);
}

TEST_F(KernelSyscall, LookupBeyondTheFileHandleLimitIsRefusedUntilAHandleCloses) {
    GroveSpec s = spec_sending_to("alpha", "beta");
    s.limits.file_handles = Count(2);
    GroveId const a = spawn(s);
    spawn("beta");
    ThreadId const t = main_thread(a);
    i64 const first = lookup(t, a, "beta");
    ASSERT_GT(first, 0);
    EXPECT_EQ(lookup(t, a, "beta"), status(Error::LimitExceeded));
    Event const e = last_of(EventKind::LimitExceeded);
    EXPECT_EQ(e.fields.limit_exceeded.resource, Resource::FileHandles);
    EXPECT_EQ(sys(t, Syscall::HandleClose, static_cast<u64>(first)), 0);
    EXPECT_GT(lookup(t, a, "beta"), 0);
}

TEST_F(KernelSyscall, HandleCloseRefusesForgedStaleAndOwnHandles) {
    GroveId const a = spawn(spec_sending_to("alpha", "beta"));
    spawn("beta");
    ThreadId const t = main_thread(a);
    u64 const handle = static_cast<u64>(lookup(t, a, "beta"));
    EXPECT_EQ(sys(t, Syscall::HandleClose, abi::OwnEndpointHandle), status(Error::AccessDenied));
    EXPECT_EQ(sys(t, Syscall::HandleClose, handle + (u64{1} << 32)), status(Error::BadHandle)); // forged generation
    EXPECT_EQ(sys(t, Syscall::HandleClose, 0xffff'ffff), status(Error::BadHandle));
    EXPECT_EQ(sys(t, Syscall::HandleClose, ~u64{0}), status(Error::BadHandle));
    EXPECT_EQ(sys(t, Syscall::HandleClose, handle), 0);
    EXPECT_EQ(sys(t, Syscall::HandleClose, handle), status(Error::BadHandle));
    EXPECT_EQ(find(a)->usage.file_handles.used(), Count(1));
}

TEST_F(KernelSyscall, SubscribeCrashesAndHeartbeatSucceed) {
    GroveId const g = spawn("alpha");
    ThreadId const t = main_thread(g);
    EXPECT_EQ(sys(t, Syscall::SubscribeCrashes), 0);
    EXPECT_EQ(sys(t, Syscall::SubscribeCrashes), 0);
    EXPECT_TRUE(kernel->manager().crash_subscriptions().is_subscribed(g.serial));
    EXPECT_EQ(sys(t, Syscall::Heartbeat), 0);
}

// Every syscall number (and some past the end) with every argument set to one hostile value: the kernel answers
// each with a status or blocks the caller, and never panics; the IPC books stay balanced.
TEST_F(KernelSyscall, HostileArgumentsNeverPanicTheKernel) {
    GroveSpec s = spec("victim");
    ASSERT_TRUE(s.capabilities.grant(CapabilityKind::MemoryManage).has_value());
    ASSERT_TRUE(s.capabilities.grant(CapabilityKind::ThreadCreate).has_value());
    ASSERT_TRUE(s.capabilities.grant_send_to_any().has_value());
    spawn("peer");
    u64 const hostile[] = {0,
                           1,
                           ReadOnlyAddress,
                           UnmappedAddress,
                           KernelAddress,
                           layout::WindowEnd - 1,
                           0xffff'ffff,
                           u64{0xffff'ffff} << 32,
                           ~u64{0}};
    GroveId victim{};
    ThreadId t{};
    int incarnations = 0;
    for (u64 value : hostile) {
        for (u64 number = 0; number < static_cast<u64>(Syscall::Count) + 2; ++number) {
            if (number == static_cast<u64>(Syscall::Exit) || number == static_cast<u64>(Syscall::ThreadExit)) continue;
            if (t.is_null() || thread(t) == nullptr || is_blocked(t)) {
                if (!victim.is_null()) {
                    (void)kernel->kill(victim);
                    ASSERT_TRUE(kernel->manager().remove(victim).has_value());
                }
                victim = spawn(s);
                t = main_thread(victim);
                ++incarnations;
            }
            i64 const r = sys(t, static_cast<Syscall>(number), value, value, value, value, value, value);
            EXPECT_TRUE(r == NoResult || r >= 0 || (r <= -1 && r >= -12)) << number << " " << value << " -> " << r;
            EXPECT_TRUE(kernel->ipc().check_invariant());
        }
    }
    EXPECT_LT(incarnations, 20);
    EXPECT_EQ(count(EventKind::Fault), 0u); // every incarnation ended by the test's kill, none by a fault
}

} // namespace
} // namespace grove

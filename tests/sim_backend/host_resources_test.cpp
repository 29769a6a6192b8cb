// What a hostile grove can make the host spend: Unicorn regions for its mappings, host memory for physical
// ranges, round trips out of Unicorn for the instructions the backend emulates, and the port log.
#include <tests/sim_backend/guest.hpp>

#include <map>

namespace grove::sim::testing {
namespace {

constexpr Permissions ReadWrite = Permissions::Read | Permissions::Write;
constexpr u64 Heap = 0x0000'0000'1000'0000;

TEST(UnicornArch, OnePageMapsOfAGrowingHeapStayAFewRegions) {
    UnicornArch arch;
    PageCount const before = arch.free_pages();
    AddressSpaceId space = arch.create_address_space().value();
    for (u64 i = 0; i < 16'000; ++i)
        ASSERT_TRUE(arch.map(space, VirtAddr{Heap + i * PageSize}, PageCount(1), ReadWrite));
    // One Unicorn region per map was minutes of host time, then SIGABRT at about 4 100 regions.
    EXPECT_LE(arch.region_count(space), 14u);                                           // the set bits of 16 000
    EXPECT_EQ(arch.free_pages(), before - PageCount(16'000) - arch.table_pages(space)); // and the page tables
    u64 const value = 0x1122334455667788;
    ASSERT_TRUE(arch.copy_to_user(space, VirtAddr{Heap + 15'999 * PageSize}, &value, Bytes(8)));
    // A hole in the middle of a merged region: the rest stays mapped, the hole does not.
    ASSERT_TRUE(arch.unmap(space, VirtAddr{Heap + 4'000 * PageSize}, PageCount(1)));
    u64 back = 0;
    EXPECT_FALSE(arch.copy_from_user(space, &back, VirtAddr{Heap + 4'000 * PageSize}, Bytes(8)));
    EXPECT_TRUE(arch.copy_from_user(space, &back, VirtAddr{Heap + 15'999 * PageSize}, Bytes(8)));
    EXPECT_EQ(back, value);
    EXPECT_EQ(arch.free_pages(), before - PageCount(15'999) - arch.table_pages(space));
    arch.destroy_address_space(space);
    EXPECT_EQ(arch.free_pages(), before);
}

TEST(UnicornArch, ScatteredMapsPastTheRegionLimitAreRefusedNotFatal) {
    UnicornArch arch;
    PageCount const before = arch.free_pages();
    AddressSpaceId space = arch.create_address_space().value();
    u64 mapped = 0;
    for (u64 i = 0; i < 4 * UnicornSpace::MaxRegions; ++i) {
        Result<void> r = arch.map(space, VirtAddr{Heap + 2 * i * PageSize}, PageCount(1), ReadWrite);
        if (!r) {
            EXPECT_EQ(r.error(), Error::OutOfMemory);
            break;
        }
        ++mapped;
    }
    EXPECT_EQ(mapped, UnicornSpace::MaxRegions);
    EXPECT_EQ(arch.free_pages(), before - PageCount(mapped) - arch.table_pages(space)); // the refused map took nothing
    // Punching holes into one large region is bounded the same way.
    AddressSpaceId other = arch.create_address_space().value();
    ASSERT_TRUE(arch.map(other, VirtAddr{Heap}, PageCount(4 * UnicornSpace::MaxRegions), ReadWrite));
    bool refused = false;
    for (u64 i = 1; i < 4 * UnicornSpace::MaxRegions && !refused; i += 2) {
        Result<PageCount> r = arch.unmap(other, VirtAddr{Heap + i * PageSize}, PageCount(1));
        refused = !r;
        if (refused) { EXPECT_EQ(r.error(), Error::OutOfMemory); }
    }
    EXPECT_TRUE(refused);
    EXPECT_LE(arch.region_count(other), UnicornSpace::MaxRegions);
}

TEST(UnicornArch, UnmappedPageBetweenMappedOnesFaultsAsNotPresent) {
    Code code;
    code.mov_rax(Heap + PageSize).bytes({0x48, 0x8B, 0x00}); // mov rax, [rax]
    UnicornArch arch;
    Guest guest(arch, code);
    ASSERT_TRUE(arch.map(guest.space, VirtAddr{Heap}, PageCount(4), ReadWrite));
    ASSERT_TRUE(arch.unmap(guest.space, VirtAddr{Heap + PageSize}, PageCount(1)));
    Trap const t = guest.run();
    ASSERT_EQ(t.kind, TrapKind::PageFault);
    EXPECT_EQ(t.fault.address, Heap + PageSize);
    EXPECT_EQ(t.fault.error_code, x86::page_fault::error_code(false, Access::Read));
}

// Device memory: a word per physical address, at the regions it claims.
class Registers final : public Device {
public:
    explicit Registers(PhysicalRange region) : m_region(region) {}
    char const* name() const override { return "registers"; }
    std::vector<IoPortRange> ports() const override { return {}; }
    u32 read_port(u16, u8, Ticks) override { return 0; }
    void write_port(u16, u8, u32, Ticks) override {}
    std::vector<PhysicalRange> regions() const override { return {m_region}; }
    u64 read_memory(u64 address, u8 size, Ticks) override {
        ++reads;
        u64 value = 0;
        for (u8 i = 0; i < size; ++i) {
            auto it = m_bytes.find(address + i);
            value |= u64{it == m_bytes.end() ? u8{0} : it->second} << (8 * i);
        }
        return value;
    }
    void write_memory(u64 address, u8 size, u64 value, Ticks) override {
        ++writes;
        for (u8 i = 0; i < size; ++i) m_bytes[address + i] = static_cast<u8>(value >> (8 * i));
    }
    Ticks next_event() const override { return Ticks::max(); }
    void advance_to(Ticks) override {}
    u64 reads = 0;
    u64 writes = 0;

private:
    PhysicalRange m_region;
    std::map<u64, u8> m_bytes;
};

TEST(UnicornArch, PhysicalRangesGoToTheDeviceBusNeverToRam) {
    UnicornArch arch;
    u64 const gib = u64{1} << 30;
    u64 const base = 0x8000'0000;
    u64 const claimed = base + gib - PageSize; // the last page of the range: a device's
    auto device = std::make_unique<Registers>(PhysicalRange{PhysAddr{claimed}, Bytes(PageSize)});
    Registers const* registers = device.get();
    ASSERT_TRUE(arch.bus().attach(std::move(device)));
    AddressSpaceId space = arch.create_address_space().value();
    PageCount const before = arch.free_pages();
    PageCount const tables = arch.table_pages(space);
    ASSERT_TRUE(arch.map_physical(space, VirtAddr{Heap}, PhysAddr{base}, PageCount(gib / PageSize),
                                  Permissions::Read | Permissions::Write));
    EXPECT_LE(arch.region_count(space), 16u);
    // The page tables only: no frame, no host memory behind the range.
    EXPECT_EQ(arch.free_pages(), before - (arch.table_pages(space) - tables));
    u32 const word = 0xCAFEF00D;
    // Where no device answers: the write is dropped and reads give all ones, as on a PC.
    ASSERT_TRUE(arch.copy_to_user(space, VirtAddr{Heap}, &word, Bytes(4)));
    u32 back = 0;
    ASSERT_TRUE(arch.copy_from_user(space, &back, VirtAddr{Heap}, Bytes(4)));
    EXPECT_EQ(back, 0xFFFF'FFFFu);
    // Where the device answers: it holds the word, seen from another space mapping the same physical page.
    ASSERT_TRUE(arch.copy_to_user(space, VirtAddr{Heap + gib - 4}, &word, Bytes(4)));
    EXPECT_EQ(registers->writes, 4u); // the kernel's copy, byte by byte
    AddressSpaceId other = arch.create_address_space().value();
    ASSERT_TRUE(arch.map_physical(other, VirtAddr{Heap}, PhysAddr{claimed}, PageCount(1), Permissions::Read));
    ASSERT_TRUE(arch.copy_from_user(other, &back, VirtAddr{Heap + PageSize - 4}, Bytes(4)));
    EXPECT_EQ(back, word);
    // Above KernelPhysicalLimit the kernel's copies do not reach (as on metal, past its identity map).
    ASSERT_TRUE(arch.map_physical(other, VirtAddr{Heap + PageSize}, PhysAddr{KernelPhysicalLimit}, PageCount(1),
                                  Permissions::Read | Permissions::Write));
    EXPECT_FALSE(arch.copy_from_user(other, &back, VirtAddr{Heap + PageSize}, Bytes(4)));
    EXPECT_FALSE(arch.check_user(other, VirtAddr{Heap + PageSize}, Bytes(4), Permissions::Read));
    // Beyond the 52-bit physical address space: refused, as on metal.
    EXPECT_EQ(arch.map_physical(other, VirtAddr{Heap + 2 * PageSize}, PhysAddr{(u64{1} << 52) - PageSize}, PageCount(2),
                                Permissions::Read)
                  .error(),
              Error::InvalidArgument);
}

TEST(UnicornArch, AGrovesLoadsAndStoresToDeviceMemoryReachTheDevice) {
    constexpr u64 Physical = 0xFD00'0000;
    constexpr u64 Mapped = 0x0000'0000'0200'0000;
    Code code;
    code.mov_rax(Mapped + 0x10)
        .bytes({0x48, 0xC7, 0x00, 0x44, 0x33, 0x22, 0x11}) // mov qword [rax], 0x11223344
        .bytes({0x48, 0x8B, 0x18})                         // mov rbx, [rax]
        .mov_rax(Mapped + PageSize)
        .bytes({0x48, 0x8B, 0x08}) // mov rcx, [rax]   (unclaimed: all ones)
        .bytes({0x48, 0x89, 0x08}) // mov [rax], rcx   (read-only: a page fault)
        .int80();
    UnicornArch arch;
    ASSERT_TRUE(arch.bus().attach(std::make_unique<Registers>(PhysicalRange{PhysAddr{Physical}, Bytes(PageSize)})));
    Guest guest(arch, code);
    ASSERT_TRUE(arch.map_physical(guest.space, VirtAddr{Mapped}, PhysAddr{Physical}, PageCount(1), ReadWrite));
    ASSERT_TRUE(arch.map_physical(guest.space, VirtAddr{Mapped + PageSize}, PhysAddr{Physical + PageSize}, PageCount(1),
                                  Permissions::Read));
    Trap const t = guest.run();
    ASSERT_EQ(t.kind, TrapKind::PageFault);
    EXPECT_EQ(t.fault.address, Mapped + PageSize);
    EXPECT_EQ(guest.registers().rbx, 0x11223344u);
    EXPECT_EQ(guest.registers().rcx, ~u64{0});
    u64 back = 0;
    ASSERT_TRUE(arch.copy_from_user(guest.space, &back, VirtAddr{Mapped + 0x10}, Bytes(8)));
    EXPECT_EQ(back, 0x11223344u);
}

TEST(UnicornArch, CodeBesideDeviceMemoryIsScannedWithoutReadingTheDevice) {
    constexpr u64 Physical = 0xFD00'0000;
    constexpr u64 Mapped = 0x0000'0000'0200'0000;
    UnicornArch arch;
    auto device = std::make_unique<Registers>(PhysicalRange{PhysAddr{Physical}, Bytes(PageSize)});
    Registers const* registers = device.get();
    ASSERT_TRUE(arch.bus().attach(std::move(device)));
    AddressSpaceId space = arch.create_address_space().value();
    ASSERT_TRUE(arch.map_physical(space, VirtAddr{Mapped}, PhysAddr{Physical}, PageCount(1), ReadWrite));
    // Code on both sides of the device page: its bytes are within an instruction's reach of each scan.
    Code code;
    code.bytes({0x0F, 0xA2}).int80(); // cpuid: a site
    for (u64 at : {Mapped - PageSize, Mapped + PageSize}) {
        ASSERT_TRUE(arch.map(space, VirtAddr{at}, PageCount(1), Permissions::Read | Permissions::Execute));
        ASSERT_TRUE(arch.load(space, VirtAddr{at}, code.data().data(), Bytes(code.size())));
        ASSERT_TRUE(arch.load(space, VirtAddr{at + PageSize - code.size()}, code.data().data(), Bytes(code.size())));
    }
    ASSERT_TRUE(arch.unmap(space, VirtAddr{Mapped - PageSize}, PageCount(1)));
    ASSERT_TRUE(arch.unmap(space, VirtAddr{Mapped + PageSize}, PageCount(1)));
    // Only a grove's access or the kernel's copy may read a device (a read may change it).
    EXPECT_EQ(registers->reads, 0u);
}

TEST(UnicornArch, EmulatedInstructionsReachDeviceMemoryBeyondTheKernelsReachAsTheGrovesOwn) {
    constexpr u64 Mapped = 0x0000'0000'0200'0000;
    Code code;
    code.mov_rax(Mapped + 0x10)
        .bytes({0x48, 0x89, 0xC4}) // mov rsp, rax
        .bytes({0x9D})             // popfq
        .bytes({0xBA})
        .imm32(0x80) // mov edx, 0x80
        .bytes({0xBE})
        .imm32(Mapped) // mov esi, Mapped
        .bytes({0xB9})
        .imm32(4)            // mov ecx, 4
        .bytes({0xF3, 0x6E}) // rep outsb
        .int80();
    UnicornArch arch;
    auto device = std::make_unique<Registers>(PhysicalRange{PhysAddr{KernelPhysicalLimit}, Bytes(PageSize)});
    Registers* registers = device.get();
    ASSERT_TRUE(arch.bus().attach(std::move(device)));
    registers->write_memory(KernelPhysicalLimit, 4, 0x44332211, Ticks{});
    registers->write_memory(KernelPhysicalLimit + 0x10, 8, x86::rflags::Carry | x86::rflags::Zero, Ticks{});
    Guest guest(arch, code);
    ASSERT_TRUE(
        arch.map_physical(guest.space, VirtAddr{Mapped}, PhysAddr{KernelPhysicalLimit}, PageCount(1), ReadWrite));
    IoPortRange const ports[] = {{0x80, 0x80}};
    ASSERT_TRUE(arch.set_io_ports(guest.space, Span<IoPortRange const>{ports, 1}));
    // The kernel's copies do not reach the page; the grove's instructions do, the emulated ones too, as on metal.
    ASSERT_FALSE(arch.check_user(guest.space, VirtAddr{Mapped}, Bytes(8), Permissions::Read));
    Trap const t = guest.run();
    ASSERT_EQ(t.kind, TrapKind::Syscall);
    EXPECT_EQ(guest.registers().rsp, Mapped + 0x18);
    EXPECT_EQ(guest.registers().rflags & (x86::rflags::Carry | x86::rflags::Zero),
              x86::rflags::Carry | x86::rflags::Zero);
    PortLog const& log = arch.port_writes();
    ASSERT_EQ(log.total(), 4u);
    for (u32 i = 0; i < 4; ++i) EXPECT_EQ(log[log.size() - 4 + i].value, 0x11u * (i + 1));
}

// rdtsc; add rbx, rax; dec ecx; jnz back; int 0x80: a loop that executes a site each iteration.
Code rdtsc_loop(u32 iterations) {
    Code code;
    code.bytes({0xB9})
        .imm32(iterations)         // mov ecx, n
        .bytes({0x0F, 0x31})       // rdtsc
        .bytes({0x48, 0x01, 0xC3}) // add rbx, rax
        .bytes({0xFF, 0xC9})       // dec ecx
        .bytes({0x75, 0xF7})       // jnz rdtsc
        .int80();
    return code;
}

TEST(UnicornArch, RdtscInALoopIsEmulatedWithoutLeavingUnicorn) {
    UnicornArch arch;
    Guest guest(arch, rdtsc_loop(200'000));
    EXPECT_EQ(arch.inline_site_count(guest.space), 1u);
    Trap const t = guest.run(); // 100-300 µs per rdtsc when each left Unicorn: about a minute; one inline site now
    ASSERT_EQ(t.kind, TrapKind::Syscall);
    // Virtual time: one tick per instruction (mov, then 3 per iteration, then int 0x80), and rdtsc's cost.
    u64 const iteration = 3 + VirtualClock::DeviceInstructionCost.value;
    EXPECT_EQ(arch.now().value, 1 + iteration * 200'000 + 1 + VirtualClock::TrapCost.value);
    // Each rdtsc read the time before it: 1 + iteration * i for iteration i.
    u64 expected = 0;
    for (u64 i = 0; i < 200'000; ++i) expected += 1 + iteration * i;
    EXPECT_EQ(guest.registers().rbx, expected);
}

TEST(UnicornArch, RepOutsStopsAtTheDeadlineAndResumes) {
    Code code;
    code.bytes({0xBA})
        .imm32(0x3F8) // mov edx, 0x3f8
        .bytes({0xBE})
        .imm32(Guest::Data) // mov esi, Data
        .bytes({0xB9})
        .imm32(3000)         // mov ecx, 3000
        .bytes({0xF3, 0x6E}) // rep outsb
        .int80();
    u64 const rep_pc = Guest::CodeBase + 15;
    UnicornArch arch;
    Guest guest(arch, code);
    IoPortRange const ports[] = {{0x3F8, 0x3FF}};
    ASSERT_TRUE(arch.set_io_ports(guest.space, Span<IoPortRange const>{ports, 1}));
    arch.set_preemption_deadline(Ticks(1'000));
    Trap t = guest.run();
    ASSERT_EQ(t.kind, TrapKind::Timer);
    EXPECT_EQ(t.pc, rep_pc);
    RegisterSnapshot r = guest.registers();
    EXPECT_EQ(r.rip, rep_pc);
    // Three movs and the instruction's cost, then one tick per byte up to the deadline.
    u64 const moved = 1'000 - 3 - VirtualClock::DeviceInstructionCost.value;
    EXPECT_EQ(r.rcx, 3000u - moved);
    EXPECT_EQ(r.rsi, Guest::Data + moved);
    arch.set_preemption_deadline(Ticks(~u64{0}));
    t = guest.run();
    ASSERT_EQ(t.kind, TrapKind::Syscall);
    EXPECT_EQ(guest.registers().rcx, 0u);
    EXPECT_EQ(arch.port_writes().total(), 3000u);
}

TEST(UnicornArch, LargeRepOutsKeepsOnlyTheLastWrites) {
    Code code;
    code.bytes({0xBA})
        .imm32(0x80) // mov edx, 0x80
        .bytes({0xBE})
        .imm32(Heap) // mov esi, Heap
        .bytes({0xB9})
        .imm32(32u << 20)    // mov ecx, 32 MiB
        .bytes({0xF3, 0x6E}) // rep outsb
        .int80();
    UnicornArch arch;
    Guest guest(arch, code);
    ASSERT_TRUE(arch.map(guest.space, VirtAddr{Heap}, PageCount((32u << 20) / PageSize), ReadWrite));
    u8 const last = 0x5A;
    ASSERT_TRUE(arch.copy_to_user(guest.space, VirtAddr{Heap + (32u << 20) - 1}, &last, Bytes(1)));
    IoPortRange const ports[] = {{0x80, 0x80}};
    ASSERT_TRUE(arch.set_io_ports(guest.space, Span<IoPortRange const>{ports, 1}));
    ASSERT_EQ(guest.run().kind, TrapKind::Syscall);
    PortLog const& log = arch.port_writes();
    EXPECT_EQ(log.total(), u64{32} << 20);
    EXPECT_EQ(log.size(), PortLog::Capacity);
    EXPECT_EQ(log[log.size() - 1].value, last);
    EXPECT_EQ(log[0].value, 0u);
}

TEST(PortLog, KeepsTheMostRecentWritesAndCountsTheRest) {
    PortLog log;
    for (u32 i = 0; i < PortLog::Capacity + 10; ++i) log.record(PortWrite{AddressSpaceId{1}, 0x80, 1, i});
    EXPECT_EQ(log.size(), PortLog::Capacity);
    EXPECT_EQ(log.total(), PortLog::Capacity + 10);
    EXPECT_EQ(log.dropped(), 10u);
    EXPECT_EQ(log[0].value, 10u);
    EXPECT_EQ(log[log.size() - 1].value, PortLog::Capacity + 9);
}

} // namespace
} // namespace grove::sim::testing

#include <arch_x86_64/selftest/self_test.hpp>

#include <arch_x86_64/platform/serial.hpp>
#include <core/abi/syscall.hpp>
#include <core/grove/layout.hpp>

extern "C" {
extern char selftest_program_start[], selftest_program_end[];
extern char selftest_case_syscalls[], selftest_case_cli[], selftest_case_hlt[], selftest_case_mov_cr3[],
    selftest_case_wrmsr[], selftest_case_int_exception[], selftest_case_io_port[], selftest_case_write_kernel[],
    selftest_case_write_trampoline[], selftest_case_write_code[], selftest_case_execute_data[],
    selftest_case_invalid_opcode[], selftest_case_divide[], selftest_case_breakpoint[], selftest_case_timer[];
extern char selftest_fault_cli[], selftest_fault_hlt[], selftest_fault_mov_cr3[], selftest_fault_wrmsr[],
    selftest_fault_int_exception[], selftest_fault_io_port[], selftest_fault_write_kernel[],
    selftest_fault_write_trampoline[], selftest_fault_write_code[], selftest_fault_invalid_opcode[],
    selftest_fault_divide[], selftest_fault_breakpoint[], selftest_fault_io_port_not_granted[];
extern char gdt[];
void kernel_main(grove::u32, grove::u64);
}

namespace grove::metal {

namespace {

constexpr u64 CodeBase = layout::WindowBase;
constexpr u64 DataBase = layout::WindowBase + 0x10'0000;
// Every case runs under a preemption deadline, so a case that hangs ends as a (wrong) Timer trap. The timer case
// itself spins until its short deadline; the others end long before theirs, with or without -icount.
constexpr Ticks CaseBudget = seconds(1);
constexpr Ticks TimerCaseBudget = milliseconds(1);

// Where a case's rsi points.
enum class Argument : u8 { None, Gdt, DataPage };
// Which address a page fault must report.
enum class Address : u8 { None, Kernel, Gdt, Code, DataPage };

u64 offset_of(char const* symbol) { return static_cast<u64>(symbol - selftest_program_start); }

void write_line_start(char const* name) {
    Serial::write("selftest ");
    Serial::write(name);
    Serial::write(": ");
}

} // namespace

struct SelfTest::Case {
    char const* name;
    char const* entry;
    Argument argument;
    TrapKind expected;
    char const* fault_pc; // nullptr: no pc check (syscalls, timer) or Address::DataPage for execute_data
    Address address;
    Access access;
    bool grant_port = true; // I/O port 0x80
};

bool SelfTest::run() {
    static constexpr Case cases[] = {
        {"syscalls", selftest_case_syscalls, Argument::None, TrapKind::Syscall, nullptr, Address::None, Access::Read},
        {"cli", selftest_case_cli, Argument::None, TrapKind::GeneralProtection, selftest_fault_cli, Address::None,
         Access::Read},
        {"hlt", selftest_case_hlt, Argument::None, TrapKind::GeneralProtection, selftest_fault_hlt, Address::None,
         Access::Read},
        {"mov_cr3", selftest_case_mov_cr3, Argument::None, TrapKind::GeneralProtection, selftest_fault_mov_cr3,
         Address::None, Access::Read},
        {"wrmsr", selftest_case_wrmsr, Argument::None, TrapKind::GeneralProtection, selftest_fault_wrmsr, Address::None,
         Access::Read},
        {"int_exception", selftest_case_int_exception, Argument::None, TrapKind::GeneralProtection,
         selftest_fault_int_exception, Address::None, Access::Read},
        {"io_port", selftest_case_io_port, Argument::None, TrapKind::GeneralProtection, selftest_fault_io_port,
         Address::None, Access::Read},
        {"io_port_not_granted", selftest_case_io_port, Argument::None, TrapKind::GeneralProtection,
         selftest_fault_io_port_not_granted, Address::None, Access::Read, false},
        {"write_kernel", selftest_case_write_kernel, Argument::None, TrapKind::PageFault, selftest_fault_write_kernel,
         Address::Kernel, Access::Write},
        {"write_trampoline", selftest_case_write_trampoline, Argument::Gdt, TrapKind::PageFault,
         selftest_fault_write_trampoline, Address::Gdt, Access::Write},
        {"write_code", selftest_case_write_code, Argument::None, TrapKind::PageFault, selftest_fault_write_code,
         Address::Code, Access::Write},
        {"execute_data", selftest_case_execute_data, Argument::DataPage, TrapKind::PageFault, nullptr,
         Address::DataPage, Access::Execute},
        {"invalid_opcode", selftest_case_invalid_opcode, Argument::None, TrapKind::InvalidOpcode,
         selftest_fault_invalid_opcode, Address::None, Access::Read},
        {"divide", selftest_case_divide, Argument::None, TrapKind::DivideError, selftest_fault_divide, Address::None,
         Access::Read},
        {"breakpoint", selftest_case_breakpoint, Argument::None, TrapKind::Breakpoint, selftest_fault_breakpoint,
         Address::None, Access::Read},
        {"timer", selftest_case_timer, Argument::None, TrapKind::Timer, nullptr, Address::None, Access::Read},
    };
    u32 passed = 0;
    u32 index = 0;
    for (Case const& test : cases)
        if (run_case(test, ++index)) ++passed;
    ++index;
    if (idle()) ++passed;
    Serial::write("selftest: ");
    Serial::write_decimal(passed);
    Serial::write(" of ");
    Serial::write_decimal(index);
    Serial::write(" cases passed\n");
    return passed == index;
}

bool SelfTest::idle() {
    constexpr Ticks Nap = milliseconds(1);
    Ticks const start = m_arch.now();
    m_arch.idle_until(start + Nap);
    Ticks const slept = m_arch.now() - start;
    write_line_start("idle");
    Serial::write("slept=");
    Serial::write_decimal(slept.value);
    bool const ok = slept >= Nap && slept < Nap + milliseconds(1);
    Serial::write(ok ? " ok\n" : " FAILED: woke too early or too late\n");
    return ok;
}

bool SelfTest::run_case(Case const& test, u32 index) {
    PageCount const free_before = m_arch.free_pages();
    u64 const kernel_address = reinterpret_cast<u64>(&kernel_main);
    u64 const code_pages = (static_cast<u64>(selftest_program_end - selftest_program_start) + PageSize - 1) / PageSize;
    u8 const data[] = {0xc3}; // ret

    AddressSpaceId const space = m_arch.create_address_space().release_value();
    auto setup = [&]() -> Result<void> {
        TRY(m_arch.map(space, VirtAddr{CodeBase}, PageCount(code_pages), Permissions::Read | Permissions::Execute));
        TRY(m_arch.load(space, VirtAddr{CodeBase}, selftest_program_start,
                        Bytes(static_cast<u64>(selftest_program_end - selftest_program_start))));
        TRY(m_arch.map(space, VirtAddr{DataBase}, PageCount(1), Permissions::Read | Permissions::Write));
        TRY(m_arch.load(space, VirtAddr{DataBase}, data, Bytes(sizeof data)));
        TRY(m_arch.map(space, VirtAddr{layout::MainStackBase}, layout::MainStackPages,
                       Permissions::Read | Permissions::Write));
        IoPortRange const ports[] = {{0x80, 0x80}};
        TRY(m_arch.set_io_ports(space, {ports, test.grant_port ? 1u : 0u}));
        u64 const argument = test.argument == Argument::Gdt        ? reinterpret_cast<u64>(gdt)
                             : test.argument == Argument::DataPage ? DataBase
                                                                   : 0;
        ThreadId const thread{index, 1};
        TRY(m_arch.create_context(thread, space, VirtAddr{CodeBase + offset_of(test.entry)},
                                  VirtAddr{layout::MainStackTop}, kernel_address, argument));
        return {};
    };
    if (Result<void> ready = setup(); !ready) {
        write_line_start(test.name);
        Serial::write("FAILED: setup: ");
        Serial::write(error_name(ready.error()));
        Serial::write("\n");
        return false;
    }

    ThreadId const thread{index, 1};
    Ticks const budget = test.expected == TrapKind::Timer ? TimerCaseBudget : CaseBudget;
    Ticks const deadline = m_arch.now() + budget;
    m_arch.set_preemption_deadline(deadline);
    Trap trap;
    u64 syscalls = 0;
    i64 exit_code = -1;
    for (;;) {
        trap = m_arch.resume(thread);
        if (trap.kind != TrapKind::Syscall) break;
        ++syscalls;
        auto const number = static_cast<abi::Syscall>(trap.syscall.number);
        if (number == abi::Syscall::Exit) {
            exit_code = static_cast<i64>(trap.syscall.arg[0]);
            break;
        }
        if (number == abi::Syscall::ConsoleWrite) {
            char text[128];
            u64 const length = trap.syscall.arg[1] < sizeof text ? trap.syscall.arg[1] : sizeof text;
            Result<void> copied = m_arch.copy_from_user(space, text, VirtAddr{trap.syscall.arg[0]}, Bytes(length));
            if (copied) {
                Serial::write("[ring 1] ");
                m_arch.console_write(GroveId{1, 1}, text, length);
                m_arch.set_syscall_result(thread, static_cast<i64>(length), 0);
            } else {
                m_arch.set_syscall_result(thread, -static_cast<i64>(copied.error()), 0);
            }
        } else if (number == abi::Syscall::Clock) {
            m_arch.set_syscall_result(thread, static_cast<i64>(m_arch.now().value), 0);
        } else {
            m_arch.set_syscall_result(thread, -abi::StatusInvalidArgument, 0);
        }
    }
    Ticks const trapped_at = m_arch.now();
    m_arch.set_preemption_deadline(Ticks::max());
    write_line_start(test.name);

    u64 const pc_offset = trap.pc - CodeBase;
    Serial::write(trap_kind_name(trap.kind));
    Serial::write(" pc=+");
    Serial::write_hex(pc_offset);
    if (trap.kind == TrapKind::PageFault) {
        Serial::write(" address=");
        Serial::write_hex(trap.fault.address);
        Serial::write(trap.fault.access == Access::Execute ? " execute"
                      : trap.fault.access == Access::Write ? " write"
                                                           : " read");
    }
    if (trap.kind == TrapKind::Timer) {
        Serial::write(" late_by=");
        Serial::write_decimal((trapped_at - deadline).value);
    }
    if (trap.kind == TrapKind::Syscall) {
        Serial::write(" exit=");
        Serial::write_decimal(static_cast<u64>(exit_code));
        Serial::write(" after ");
        Serial::write_decimal(syscalls);
        Serial::write(" syscalls");
    }

    char const* failure = nullptr;
    u64 expected_address = 0;
    switch (test.address) {
    case Address::None: break;
    case Address::Kernel: expected_address = kernel_address; break;
    case Address::Gdt: expected_address = reinterpret_cast<u64>(gdt); break;
    case Address::Code: expected_address = CodeBase; break;
    case Address::DataPage: expected_address = DataBase; break;
    }
    if (trap.kind != test.expected) failure = "wrong trap kind";
    else if (trap.kind == TrapKind::Syscall && exit_code != 0) failure = "the program's checks failed";
    else if ((test.fault_pc != nullptr && pc_offset != offset_of(test.fault_pc)) ||
             (test.address == Address::DataPage && trap.pc != DataBase))
        failure = "wrong pc";
    else if (test.address != Address::None && trap.fault.address != expected_address) failure = "wrong address";
    else if (test.address != Address::None && trap.fault.access != test.access) failure = "wrong access";

    m_arch.destroy_context(thread);
    m_arch.destroy_address_space(space);
    if (failure == nullptr && m_arch.free_pages() != free_before) failure = "frames leaked";

    if (failure == nullptr) {
        Serial::write(" ok\n");
        return true;
    }
    Serial::write(" FAILED: ");
    Serial::write(failure);
    Serial::write("\n");
    return false;
}

} // namespace grove::metal

#pragma once
#include <core/base/units.hpp>
#include <core/grove/ids.hpp>

namespace grove {

// Why a thread stopped running. Backends build one of these from their world (an interrupt frame on bare metal,
// a Unicorn hook in the simulator) and hand it to Kernel::on_trap. Plain data: no pointers into the backend.
enum class TrapKind : u8 {
    Syscall,           // int 0x80: number and arguments in `syscall`
    PageFault,         // address and access in `fault`
    GeneralProtection, // includes privileged instructions and I/O ports outside the grove's permission
    InvalidOpcode,
    DivideError,
    Breakpoint,
    EmulatorError, // the simulator could not execute the instruction at pc (code in fault.error_code)
    Timer,         // the preemption deadline passed
};

enum class Access : u8 { Read = 1, Write = 2, Execute = 4 };

struct SyscallArgs {
    u64 number = 0;
    u64 arg[6]{};
};

// What the backend knows about why a general-protection fault happened, when it knows: the kernel reports an
// I/O-port fault as a capability denial (IoPort) before it handles the crash.
enum class FaultCause : u8 { Unknown, PrivilegedInstruction, IoPort };

struct FaultInfo {
    u64 address = 0; // faulting address (page fault), else 0
    Access access = Access::Read;
    u64 error_code = 0; // the CPU's error code, or the emulator's
    FaultCause cause = FaultCause::Unknown;
    u16 port = 0; // cause IoPort: the first port of the access
};

struct Trap {
    TrapKind kind = TrapKind::Timer;
    u64 pc = 0; // the instruction that trapped (for a syscall: the one after int 0x80)
    SyscallArgs syscall{};
    FaultInfo fault{};

    static constexpr Trap make_syscall(u64 pc, SyscallArgs args) { return Trap{TrapKind::Syscall, pc, args, {}}; }
    static constexpr Trap make_fault(TrapKind kind, u64 pc, FaultInfo info) { return Trap{kind, pc, {}, info}; }
    static constexpr Trap make_timer(u64 pc) { return Trap{TrapKind::Timer, pc, {}, {}}; }
};

constexpr char const* trap_kind_name(TrapKind k) {
    switch (k) {
    case TrapKind::Syscall: return "syscall";
    case TrapKind::PageFault: return "page_fault";
    case TrapKind::GeneralProtection: return "general_protection";
    case TrapKind::InvalidOpcode: return "invalid_opcode";
    case TrapKind::DivideError: return "divide_error";
    case TrapKind::Breakpoint: return "breakpoint";
    case TrapKind::EmulatorError: return "emulator_error";
    case TrapKind::Timer: return "timer";
    }
    return "unknown";
}

constexpr char const* access_name(Access a) {
    switch (a) {
    case Access::Read: return "read";
    case Access::Write: return "write";
    case Access::Execute: return "execute";
    }
    return "unknown";
}

constexpr char const* fault_cause_name(FaultCause c) {
    switch (c) {
    case FaultCause::Unknown: return "unknown";
    case FaultCause::PrivilegedInstruction: return "privileged_instruction";
    case FaultCause::IoPort: return "io_port";
    }
    return "unknown";
}

} // namespace grove

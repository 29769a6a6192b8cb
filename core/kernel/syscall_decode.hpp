#pragma once
#include <core/abi/syscall.hpp>
#include <core/arch/arch.hpp>
#include <core/arch/trap.hpp>
#include <core/base/result.hpp>
#include <core/base/units.hpp>
#include <core/grant/grant.hpp>

namespace grove {

// The first half of every syscall: turn raw registers into a typed request, checking everything that can be
// checked without looking at kernel state (known number, known flag bits, lengths within their bounds, addresses
// inside the grove window without overflow, page alignment, protection bits and W^X). Decoding has no side
// effects; the kernel commits a decoded request in a step that checks state (handles, capabilities, limits) and
// then cannot fail halfway. Whether a pointer is actually mapped and accessible is checked by the copy through
// the Arch interface, which returns InvalidArgument instead of faulting.

inline constexpr u64 MaxConsoleWrite = 4096;
// The console, as a kernel console of a real machine: a write costs ConsoleByteCost of virtual time per byte asked
// (the writer waits that long, as for a device), whether kept or dropped; an incarnation keeps at most
// ConsoleBudget bytes, the rest is dropped and counted (Kernel::console_dropped), and the first drop of each
// incarnation emits limit_exceeded (resource console, requested: the bytes the incarnation asked to write so far,
// limit: the budget). The same on every backend (scenarios/README.md).
inline constexpr Ticks ConsoleByteCost = Ticks(10);
inline constexpr u64 ConsoleBudget = u64{64} * 1024;
inline constexpr u64 MaxLookupName = 31;
// A copy through a grant costs the caller GrantByteCost of virtual time per byte copied: a memory copy moves about
// a byte per nanosecond, ten times the console's device rate, and one tick is also what one guest instruction
// costs, so a grove never copies faster by asking the kernel than by a loop of its own. The copy itself is one
// step of the kernel (checked whole, then done whole: nobody sees it half done), after which the caller waits
// its cost while other threads run, as for the console: a long copy delays its caller, never the other groves.
// Its length is bounded by the grant, which must be mapped in the granter, so by the granter's memory limit.
// The same on every backend.
inline constexpr Ticks GrantByteCost = Ticks(1);

struct UserRange {
    VirtAddr address;
    Bytes length;
};

struct DecodedSyscall {
    abi::Syscall number = abi::Syscall::Yield;
    // Which fields are meaningful depends on `number` (see core/abi/syscall.hpp for each call's arguments).
    i64 code = 0;             // Exit, ThreadExit
    Ticks duration{};         // Sleep
    u64 handle = 0;           // Send, Receive, Call, HandleClose
    UserRange buffer{};       // ConsoleWrite text, Send/Call request, Receive buffer, Reply message, Lookup and
                              // service control name, ServiceList records, ServiceLoad spec
    UserRange reply_buffer{}; // Call: where the reply goes
    VirtAddr authority{};     // ServiceLoad: its ServiceAuthority (0: none), unchecked here
    bool non_blocking = false;
    Ticks timeout = Ticks::max(); // Ticks::max() = wait without limit
    VirtAddr address{};           // MemoryMap, MemoryUnmap, PhysicalMap: grove address; ThreadCreate: entry
    PageCount pages{};            // MemoryMap, MemoryUnmap, PhysicalMap
    Permissions permissions = Permissions::None;
    PhysAddr physical{};  // PhysicalMap
    VirtAddr stack_top{}; // ThreadCreate
    u64 argument = 0;     // ThreadCreate
    u64 thread = 0;       // ThreadJoin: the target, as the grove knows it
    // GrantCreate: `buffer` is the granted range. GrantRevoke: `handle` is the grant.
    u32 peer = 0;                                 // GrantCreate: the grove's serial
    GrantRights grant_rights = GrantRights::None; // GrantCreate
    // GrantCopyFrom, GrantCopyTo: the grant, the offset in it, and the caller's range, unchecked here (the kernel
    // checks them, so that every copy's fate, refusals included, is an event of the trace).
    u64 grant = 0;
    u64 offset = 0;
    u64 length = 0;  // with `address`; ServiceList: the records `buffer` holds
    u8 irq_line = 0; // IrqWait, IrqAck
    // HandleIssued: `peer` is the grove's serial, `handle` the handle, and whether to revoke it.
    bool revoke = false;
};

// Send and Receive, the two calls of every message, decoded on their own (decode_ipc) so that the kernel's path for
// them builds no DecodedSyscall: the handle, the message buffer, whether the call must not block, its timeout.
struct IpcArgs {
    u64 handle = 0;
    UserRange buffer{};
    bool non_blocking = false;
    Ticks timeout = Ticks::max();
};

// Decodes the arguments of a Send or Receive (args.number is one of them) into `out`, as decode_syscall does.
Result<void> decode_ipc(SyscallArgs const& args, IpcArgs& out);

// Decodes `args` (rax and the six argument registers) into `out`, which must be default-constructed.
// InvalidArgument for an unknown number or any argument that is malformed on its own (then `out` is partly
// written and meaningless). The kernel's form: no copy of the decoded request.
Result<void> decode_syscall(SyscallArgs const& args, DecodedSyscall& out);

// The same, returning the decoded request.
inline Result<DecodedSyscall> decode_syscall(SyscallArgs const& args) {
    DecodedSyscall d;
    TRY(decode_syscall(args, d));
    return d;
}

} // namespace grove

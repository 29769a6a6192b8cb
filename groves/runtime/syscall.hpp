#pragma once
// The grove side of the syscall ABI (core/abi/syscall.hpp): one inline-assembly trap and a typed wrapper per
// syscall. Each wrapper returns the kernel's rax unchanged: a value >= 0 on success, -(status) on failure
// (core/abi/status.hpp). Wrappers that can never fail without ending the grove are [[noreturn]].
#include <core/abi/syscall.hpp>
#include <core/base/std.hpp>

namespace grove::rt {

// Both result registers of a syscall: rax (the value, or -(status)) and rdx (a second value, when the syscall
// has one).
struct SyscallResult {
    long value;
    u64 second;
};

// The one place that knows the trap convention: number in rax, arguments in rdi rsi rdx r10 r8 r9, `int 0x80`,
// results in rax and rdx. The kernel preserves every other register but not the flags; it may read and write
// any memory the arguments point to, hence the "memory" clobber.
[[gnu::always_inline]] inline SyscallResult syscall6(abi::Syscall number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0,
                                                     u64 a3 = 0, u64 a4 = 0, u64 a5 = 0) {
    u64 rax = static_cast<u64>(number);
    u64 rdx = a2;
    register u64 r10 asm("r10") = a3;
    register u64 r8 asm("r8") = a4;
    register u64 r9 asm("r9") = a5;
    asm volatile("int $0x80" : "+a"(rax), "+d"(rdx) : "D"(a0), "S"(a1), "r"(r10), "r"(r8), "r"(r9) : "memory", "cc");
    return SyscallResult{static_cast<long>(rax), rdx};
}

template<typename T>
inline u64 address_of(T const* pointer) {
    return reinterpret_cast<u64>(pointer);
}

// Every syscall of the ABI has a wrapper below; a new syscall must get one.
static_assert(static_cast<u64>(abi::Syscall::Count) == 33, "a syscall was added to the ABI: wrap it here");

// Ends the grove (every thread) with `code`. If the kernel ever returned, the grove traps on ud2.
[[noreturn]] inline void sys_exit(long code) {
    syscall6(abi::Syscall::Exit, static_cast<u64>(code));
    __builtin_trap();
}

inline long sys_yield() { return syscall6(abi::Syscall::Yield).value; }

// Sleeps `ticks` of virtual time (one tick is one nanosecond).
inline long sys_sleep(u64 ticks) { return syscall6(abi::Syscall::Sleep, ticks).value; }

// Ticks of virtual time since boot.
inline long sys_clock() { return syscall6(abi::Syscall::Clock).value; }

// Writes up to `length` bytes to the console; returns the bytes written.
inline long sys_console_write(char const* text, usize length) {
    return syscall6(abi::Syscall::ConsoleWrite, address_of(text), length).value;
}

inline long sys_send(u64 handle, abi::Message const* message, u64 flags, u64 timeout) {
    return syscall6(abi::Syscall::Send, handle, address_of(message), flags, timeout).value;
}

// Receives into *message (header and payload).
inline long sys_receive(u64 handle, abi::Message* message, u64 flags, u64 timeout) {
    return syscall6(abi::Syscall::Receive, handle, address_of(message), flags, timeout).value;
}

// Sends *request and waits for the reply to it in *reply.
inline long sys_call(u64 handle, abi::Message const* request, abi::Message* reply, u64 timeout) {
    return syscall6(abi::Syscall::Call, handle, address_of(request), address_of(reply), timeout).value;
}

// Answers the last Call this thread received.
inline long sys_reply(abi::Message const* message) { return syscall6(abi::Syscall::Reply, address_of(message)).value; }

// A send handle to the endpoint of the grove called `name`.
inline long sys_lookup(char const* name, usize length) {
    return syscall6(abi::Syscall::Lookup, address_of(name), length).value;
}

// Maps zero-filled memory (MemoryManage capability); `address` and `length` page aligned, `prot` abi::Prot*.
inline long sys_memory_map(u64 address, u64 length, u64 prot) {
    return syscall6(abi::Syscall::MemoryMap, address, length, prot).value;
}

inline long sys_memory_unmap(u64 address, u64 length) {
    return syscall6(abi::Syscall::MemoryUnmap, address, length).value;
}

// Starts a thread at `entry` with rdi = `arg` and rsp = `stack_top` (ThreadCreate capability); returns its id.
// Programs use rt::thread_create (thread.hpp), which supplies the entry and the stack.
inline long sys_thread_create(u64 entry, u64 stack_top, u64 arg) {
    return syscall6(abi::Syscall::ThreadCreate, entry, stack_top, arg).value;
}

// Ends the calling thread with `code`.
[[noreturn]] inline void sys_thread_exit(long code) {
    syscall6(abi::Syscall::ThreadExit, static_cast<u64>(code));
    __builtin_trap();
}

// Waits for a thread to end; returns its exit code (the kernel returns rax = 0 and the code in rdx), or
// -(status) when the join failed.
inline long sys_thread_join(u64 thread, u64 timeout) {
    SyscallResult const result = syscall6(abi::Syscall::ThreadJoin, thread, timeout);
    return result.value < 0 ? result.value : static_cast<long>(result.second);
}

// Maps physical memory at `address` (PhysicalMemory capability).
inline long sys_physical_map(u64 address, u64 physical, u64 length, u64 prot) {
    return syscall6(abi::Syscall::PhysicalMap, address, physical, length, prot).value;
}

inline long sys_handle_close(u64 handle) { return syscall6(abi::Syscall::HandleClose, handle).value; }

// A handle in the table of the grove whose Call this thread is serving, counted against its file_handles limit
// (a service's open object); returns the handle as that grove knows it.
inline long sys_handle_issue() { return syscall6(abi::Syscall::HandleIssue).value; }

// 0 when grove `serial` still holds `handle` as this grove issued it, else -NotFound; `revoke` closes it too.
inline long sys_handle_issued(u32 serial, u64 handle, bool revoke) {
    return syscall6(abi::Syscall::HandleIssued, serial, handle, revoke ? 1 : 0).value;
}

// From now on, crash and give-up notices arrive on the own endpoint (handle abi::OwnEndpointHandle).
inline long sys_subscribe_crashes() { return syscall6(abi::Syscall::SubscribeCrashes).value; }

// Feeds the watchdog.
inline long sys_heartbeat() { return syscall6(abi::Syscall::Heartbeat).value; }

// Grants [address, address + length) of this grove's memory to the grove with serial `peer` (a message header's
// `sender`), with `rights` abi::GrantRead and/or abi::GrantWrite; returns the grant id to send to the peer.
inline long sys_grant_create(void const* address, usize length, u32 peer, u64 rights) {
    return syscall6(abi::Syscall::GrantCreate, address_of(address), length, peer, rights).value;
}

// Ends a grant of this grove: its id never works again.
inline long sys_grant_revoke(u64 grant) { return syscall6(abi::Syscall::GrantRevoke, grant).value; }

// Copies `length` bytes at `offset` of a grant made to this grove into `destination`; returns `length`.
inline long sys_grant_copy_from(u64 grant, u64 offset, void* destination, usize length) {
    return syscall6(abi::Syscall::GrantCopyFrom, grant, offset, address_of(destination), length).value;
}

// Copies `length` bytes from `source` into a grant made to this grove, at `offset`; returns `length`.
inline long sys_grant_copy_to(u64 grant, u64 offset, void const* source, usize length) {
    return syscall6(abi::Syscall::GrantCopyTo, grant, offset, address_of(source), length).value;
}
// Waits for an interrupt on `line` (Irq capability); returns how many were taken since the last wait.
inline long sys_irq_wait(u64 line, u64 timeout) { return syscall6(abi::Syscall::IrqWait, line, timeout).value; }

// Unmasks `line` once the device has been served.
inline long sys_irq_ack(u64 line) { return syscall6(abi::Syscall::IrqAck, line).value; }

// Service control (ServiceManage names the groves): start, graceful stop and restart of the grove of that name;
// start and restart return the grove id (abi::make_grove_id) of the incarnation they leave.
inline long sys_service_start(char const* name, usize length) {
    return syscall6(abi::Syscall::ServiceStart, address_of(name), length).value;
}
inline long sys_service_stop(char const* name, usize length) {
    return syscall6(abi::Syscall::ServiceStop, address_of(name), length).value;
}
inline long sys_service_restart(char const* name, usize length) {
    return syscall6(abi::Syscall::ServiceRestart, address_of(name), length).value;
}
// The grove's abi::GroveStatus in value, its grove id in second.
inline SyscallResult sys_service_status(char const* name, usize length) {
    return syscall6(abi::Syscall::ServiceStatus, address_of(name), length);
}
// Fills at most `capacity` records; returns how many groves the capability names.
inline long sys_service_list(abi::ServiceRecord* records, usize capacity) {
    return syscall6(abi::Syscall::ServiceList, address_of(records), capacity).value;
}
// Spawns a grove from the ELF bytes of a grant to this grove, as `spec` asks, with the device and control
// capabilities `authority` passes on (none when null; core/abi/syscall.hpp): its grove id.
inline long sys_service_load(abi::ServiceSpec const* spec, abi::ServiceAuthority const* authority = nullptr) {
    return syscall6(abi::Syscall::ServiceLoad, address_of(spec), address_of(authority)).value;
}

} // namespace grove::rt

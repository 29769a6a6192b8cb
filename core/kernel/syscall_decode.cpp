#include <core/kernel/syscall_decode.hpp>

#include <core/grove/layout.hpp>

namespace grove {

namespace {

using abi::Syscall;

static_assert(static_cast<u64>(GrantRights::Read) == abi::GrantRead &&
                  static_cast<u64>(GrantRights::Write) == abi::GrantWrite,
              "GrantRights is the ABI's bit set");

Result<UserRange> user_range(u64 address, u64 length, u64 max_length) {
    if (length == 0 || length > max_length) return Error::InvalidArgument;
    if (!layout::in_window(address, length)) return Error::InvalidArgument;
    return UserRange{VirtAddr{address}, Bytes(length)};
}

Result<UserRange> message_range(u64 address) { return user_range(address, abi::MessageSize, abi::MessageSize); }

Ticks decode_timeout(u64 raw) { return raw == abi::WaitForever ? Ticks::max() : Ticks(raw); }

Result<Permissions> decode_protection(u64 prot) {
    if ((prot & ~(abi::ProtRead | abi::ProtWrite | abi::ProtExecute)) != 0) return Error::InvalidArgument;
    if ((prot & abi::ProtWrite) != 0 && (prot & abi::ProtExecute) != 0) return Error::InvalidArgument; // W^X
    if (prot == 0) return Error::InvalidArgument;
    Permissions p = Permissions::None;
    if ((prot & abi::ProtRead) != 0) p = p | Permissions::Read;
    if ((prot & abi::ProtWrite) != 0) p = p | Permissions::Write;
    if ((prot & abi::ProtExecute) != 0) p = p | Permissions::Execute;
    return p;
}

// A page-aligned, non-empty range inside the grove window.
Result<void> decode_pages(u64 address, u64 length, DecodedSyscall& out) {
    if ((address % PageSize) != 0 || length == 0 || (length % PageSize) != 0) return Error::InvalidArgument;
    if (!layout::in_window(address, length)) return Error::InvalidArgument;
    out.address = VirtAddr{address};
    out.pages = PageCount(length / PageSize);
    return {};
}

} // namespace

Result<void> decode_ipc(SyscallArgs const& args, IpcArgs& out) {
    u64 const* a = args.arg;
    if ((a[2] & ~abi::FlagNonBlocking) != 0) return Error::InvalidArgument;
    out.handle = a[0];
    out.buffer = TRY(message_range(a[1]));
    out.non_blocking = (a[2] & abi::FlagNonBlocking) != 0;
    out.timeout = decode_timeout(a[3]);
    return {};
}

Result<void> decode_syscall(SyscallArgs const& args, DecodedSyscall& d) {
    if (args.number >= static_cast<u64>(Syscall::Count)) return Error::InvalidArgument;
    d.number = static_cast<Syscall>(args.number);
    u64 const* a = args.arg;
    switch (d.number) {
    case Syscall::Exit:
    case Syscall::ThreadExit: d.code = static_cast<i64>(a[0]); break;
    case Syscall::Yield:
    case Syscall::Clock:
    case Syscall::SubscribeCrashes:
    case Syscall::Heartbeat:
    case Syscall::HandleIssue: break;
    case Syscall::Sleep: d.duration = Ticks(a[0]); break;
    case Syscall::ConsoleWrite: d.buffer = TRY(user_range(a[0], a[1], MaxConsoleWrite)); break;
    case Syscall::Send:
    case Syscall::Receive: {
        IpcArgs ipc;
        TRY(decode_ipc(args, ipc));
        d.handle = ipc.handle;
        d.buffer = ipc.buffer;
        d.non_blocking = ipc.non_blocking;
        d.timeout = ipc.timeout;
        break;
    }
    case Syscall::Call:
        d.handle = a[0];
        d.buffer = TRY(message_range(a[1]));
        d.reply_buffer = TRY(message_range(a[2]));
        d.timeout = decode_timeout(a[3]);
        break;
    case Syscall::Reply: d.buffer = TRY(message_range(a[0])); break;
    case Syscall::Lookup: d.buffer = TRY(user_range(a[0], a[1], MaxLookupName)); break;
    case Syscall::MemoryMap:
        TRY(decode_pages(a[0], a[1], d));
        d.permissions = TRY(decode_protection(a[2]));
        break;
    case Syscall::MemoryUnmap: TRY(decode_pages(a[0], a[1], d)); break;
    case Syscall::ThreadCreate:
        if (!layout::in_window(a[0], 1) || !layout::in_window(a[1] - 1, 1) || (a[1] % 16) != 0)
            return Error::InvalidArgument;
        d.address = VirtAddr{a[0]};
        d.stack_top = VirtAddr{a[1]};
        d.argument = a[2];
        break;
    case Syscall::ThreadJoin:
        d.thread = a[0];
        d.timeout = decode_timeout(a[1]);
        break;
    case Syscall::PhysicalMap:
        TRY(decode_pages(a[0], a[2], d));
        if ((a[1] % PageSize) != 0) return Error::InvalidArgument;
        {
            u64 end = 0;
            if (!checked_add(a[1], a[2], end)) return Error::InvalidArgument;
        }
        d.physical = PhysAddr{a[1]};
        d.permissions = TRY(decode_protection(a[3]));
        break;
    case Syscall::HandleClose:
    case Syscall::GrantRevoke: d.handle = a[0]; break;
    case Syscall::HandleIssued:
        if (a[0] > ~u32{0} || a[2] > 1) return Error::InvalidArgument;
        d.peer = static_cast<u32>(a[0]);
        d.handle = a[1];
        d.revoke = a[2] == 1;
        break;
    case Syscall::GrantCreate:
        d.buffer = TRY(user_range(a[0], a[1], layout::WindowEnd - layout::WindowBase));
        if (a[2] == 0 || a[2] > ~u32{0}) return Error::InvalidArgument;
        d.peer = static_cast<u32>(a[2]);
        if (a[3] == 0 || (a[3] & ~(abi::GrantRead | abi::GrantWrite)) != 0) return Error::InvalidArgument;
        d.grant_rights = static_cast<GrantRights>(a[3]);
        break;
    case Syscall::GrantCopyFrom:
    case Syscall::GrantCopyTo:
        d.grant = a[0];
        d.offset = a[1];
        d.address = VirtAddr{a[2]};
        d.length = a[3];
        break;
    case Syscall::IrqWait: d.timeout = decode_timeout(a[1]); [[fallthrough]];
    case Syscall::IrqAck:
        if (a[0] >= abi::IrqLines) return Error::InvalidArgument;
        d.irq_line = static_cast<u8>(a[0]);
        break;
    case Syscall::ServiceStart:
    case Syscall::ServiceStop:
    case Syscall::ServiceRestart:
    case Syscall::ServiceStatus: d.buffer = TRY(user_range(a[0], a[1], MaxLookupName)); break;
    case Syscall::ServiceLoad:
        d.buffer = TRY(user_range(a[0], sizeof(abi::ServiceSpec), sizeof(abi::ServiceSpec)));
        d.authority = VirtAddr{a[1]}; // checked by the kernel after the capability: 0 for none
        break;
    case Syscall::ServiceList:
        if (a[1] == 0 || a[1] > abi::MaxServiceRecords) return Error::InvalidArgument;
        d.buffer = TRY(
            user_range(a[0], a[1] * sizeof(abi::ServiceRecord), sizeof(abi::ServiceRecord) * abi::MaxServiceRecords));
        d.length = a[1];
        break;
    case Syscall::Count:                    // not a syscall: the number of them
    default: return Error::InvalidArgument; // a number inside the range that no syscall has
    }
    return {};
}

} // namespace grove

#include <core/kernel/syscall_decode.hpp>

#include <core/grove/layout.hpp>

#include <gtest/gtest.h>

namespace grove {
namespace {

using abi::Syscall;

SyscallArgs call(Syscall s, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0) {
    return SyscallArgs{static_cast<u64>(s), {a0, a1, a2, a3, a4, a5}};
}

constexpr u64 Buffer = 0x500000;
constexpr u64 Kernel = 0xffff'8000'0000'0000;

TEST(SyscallDecode, RejectsUnknownNumbers) {
    EXPECT_EQ(decode_syscall(SyscallArgs{static_cast<u64>(Syscall::Count), {}}).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(SyscallArgs{~u64{0}, {}}).error(), Error::InvalidArgument);
}

TEST(SyscallDecode, ExitKeepsTheSignedCode) {
    auto d = decode_syscall(call(Syscall::Exit, static_cast<u64>(-3))).release_value();
    EXPECT_EQ(d.number, Syscall::Exit);
    EXPECT_EQ(d.code, -3);
}

TEST(SyscallDecode, ConsoleWriteBoundsLengthAndAddress) {
    auto ok = decode_syscall(call(Syscall::ConsoleWrite, Buffer, 12)).release_value();
    EXPECT_EQ(ok.buffer.address.value, Buffer);
    EXPECT_EQ(ok.buffer.length, Bytes(12));
    EXPECT_EQ(decode_syscall(call(Syscall::ConsoleWrite, Buffer, 0)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::ConsoleWrite, Buffer, MaxConsoleWrite + 1)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::ConsoleWrite, Kernel, 8)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::ConsoleWrite, 0, 8)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::ConsoleWrite, layout::WindowEnd - 4, 8)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::ConsoleWrite, ~u64{0} - 2, 8)).error(), Error::InvalidArgument);
}

TEST(SyscallDecode, SendChecksFlagsAndMessageAddress) {
    auto d = decode_syscall(call(Syscall::Send, 7, Buffer, abi::FlagNonBlocking, 100)).release_value();
    EXPECT_EQ(d.handle, 7u);
    EXPECT_TRUE(d.non_blocking);
    EXPECT_EQ(d.timeout, Ticks(100));
    EXPECT_EQ(d.buffer.length, Bytes(abi::MessageSize));
    auto forever = decode_syscall(call(Syscall::Receive, 0, Buffer, 0, abi::WaitForever)).release_value();
    EXPECT_EQ(forever.timeout, Ticks::max());
    EXPECT_FALSE(forever.non_blocking);
    EXPECT_EQ(decode_syscall(call(Syscall::Send, 7, Buffer, 0x80, 0)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::Send, 7, Kernel, 0, 0)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::Receive, 0, 0x10, 0, 0)).error(), Error::InvalidArgument);
}

TEST(SyscallDecode, SendAndReceiveDecodeOnTheirOwnByTheSameRules) {
    // decode_ipc (the kernel's path for Send and Receive) against the rules: known flags only, a whole message in
    // the grove window; and decode_syscall gives the same answer.
    u64 const buffers[] = {Buffer, Kernel, 0x10, layout::WindowEnd - 32, layout::WindowEnd - 64, ~u64{0}};
    u64 const flags[] = {0, abi::FlagNonBlocking, 0x80, abi::FlagNonBlocking | 2};
    u64 const timeouts[] = {0, 100, abi::WaitForever};
    for (Syscall s : {Syscall::Send, Syscall::Receive})
        for (u64 buffer : buffers)
            for (u64 flag : flags)
                for (u64 timeout : timeouts) {
                    SyscallArgs const args = call(s, 9, buffer, flag, timeout);
                    bool const valid =
                        (flag == 0 || flag == abi::FlagNonBlocking) && layout::in_window(buffer, abi::MessageSize);
                    IpcArgs ipc;
                    ASSERT_EQ(decode_ipc(args, ipc).has_value(), valid) << buffer << " " << flag << " " << timeout;
                    ASSERT_EQ(decode_syscall(args).has_value(), valid);
                    if (!valid) continue;
                    EXPECT_EQ(ipc.handle, 9u);
                    EXPECT_EQ(ipc.buffer.address.value, buffer);
                    EXPECT_EQ(ipc.buffer.length, Bytes(abi::MessageSize));
                    EXPECT_EQ(ipc.non_blocking, flag == abi::FlagNonBlocking);
                    EXPECT_EQ(ipc.timeout, timeout == abi::WaitForever ? Ticks::max() : Ticks(timeout));
                }
}

TEST(SyscallDecode, CallNeedsTwoValidMessageBuffers) {
    EXPECT_TRUE(decode_syscall(call(Syscall::Call, 1, Buffer, Buffer + 64, 5)).has_value());
    EXPECT_EQ(decode_syscall(call(Syscall::Call, 1, Buffer, Kernel, 5)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::Call, 1, Kernel, Buffer, 5)).error(), Error::InvalidArgument);
}

TEST(SyscallDecode, LookupBoundsTheNameLength) {
    EXPECT_TRUE(decode_syscall(call(Syscall::Lookup, Buffer, 4)).has_value());
    EXPECT_EQ(decode_syscall(call(Syscall::Lookup, Buffer, MaxLookupName + 1)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::Lookup, Buffer, 0)).error(), Error::InvalidArgument);
}

TEST(SyscallDecode, MemoryMapNeedsAlignedRangesAndRefusesWritableCode) {
    auto d = decode_syscall(call(Syscall::MemoryMap, 0x1000'0000, 3 * PageSize, abi::ProtRead | abi::ProtWrite))
                 .release_value();
    EXPECT_EQ(d.pages, PageCount(3));
    EXPECT_TRUE(has(d.permissions, Permissions::Write));
    EXPECT_FALSE(has(d.permissions, Permissions::Execute));
    EXPECT_EQ(decode_syscall(call(Syscall::MemoryMap, 0x1000'0001, PageSize, abi::ProtRead)).error(),
              Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::MemoryMap, 0x1000'0000, 100, abi::ProtRead)).error(),
              Error::InvalidArgument);
    EXPECT_EQ(
        decode_syscall(call(Syscall::MemoryMap, 0x1000'0000, PageSize, abi::ProtWrite | abi::ProtExecute)).error(),
        Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::MemoryMap, 0x1000'0000, PageSize, 0)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::MemoryMap, 0x1000'0000, PageSize, 0x10)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::MemoryMap, Kernel, PageSize, abi::ProtRead)).error(),
              Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::MemoryUnmap, 0x1000'0000, 0)).error(), Error::InvalidArgument);
}

TEST(SyscallDecode, PhysicalMapChecksBothAddresses) {
    EXPECT_TRUE(decode_syscall(call(Syscall::PhysicalMap, 0x2000'0000, 0xb8000, PageSize, abi::ProtRead)).has_value());
    EXPECT_EQ(decode_syscall(call(Syscall::PhysicalMap, 0x2000'0000, 0xb8001, PageSize, abi::ProtRead)).error(),
              Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(
                  call(Syscall::PhysicalMap, 0x2000'0000, ~u64{0} & ~(PageSize - 1), 2 * PageSize, abi::ProtRead))
                  .error(),
              Error::InvalidArgument);
}

TEST(SyscallDecode, ThreadCreateNeedsEntryAndAlignedStackInTheWindow) {
    auto d = decode_syscall(call(Syscall::ThreadCreate, 0x401000, 0x600000, 42)).release_value();
    EXPECT_EQ(d.address.value, 0x401000u);
    EXPECT_EQ(d.stack_top.value, 0x600000u);
    EXPECT_EQ(d.argument, 42u);
    EXPECT_EQ(decode_syscall(call(Syscall::ThreadCreate, Kernel, 0x600000, 0)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::ThreadCreate, 0x401000, 0x600008, 0)).error(), Error::InvalidArgument);
    EXPECT_EQ(decode_syscall(call(Syscall::ThreadCreate, 0x401000, 0, 0)).error(), Error::InvalidArgument);
}

TEST(SyscallDecode, ArgumentFreeCallsIgnoreRegisters) {
    for (Syscall s : {Syscall::Yield, Syscall::Clock, Syscall::SubscribeCrashes, Syscall::Heartbeat})
        EXPECT_TRUE(decode_syscall(call(s, ~u64{0}, ~u64{0}, ~u64{0}, ~u64{0}, ~u64{0}, ~u64{0})).has_value());
}

} // namespace
} // namespace grove

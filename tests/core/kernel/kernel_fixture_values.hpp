#pragma once
// What the kernel tests and the random-operation driver share, without GoogleTest: the user buffers of a grove
// loaded from test_image() (grove_fixture.hpp), syscall arguments, thread values and messages.
#include <core/abi/syscall.hpp>
#include <core/arch/trap.hpp>
#include <tests/core/grove/grove_fixture.hpp>

#include <cstring>

namespace grove::testing {

// Addresses in a grove loaded from test_image().
inline constexpr u64 ReadOnlyAddress = CodeAddress; // mapped R+X: readable, not writable
inline constexpr u64 SendBuffer = DataAddress;      // R+W
inline constexpr u64 ReceiveBuffer = DataAddress + 0x100;
inline constexpr u64 ReplyBuffer = DataAddress + 0x200;
inline constexpr u64 NameBuffer = DataAddress + 0x300;
inline constexpr u64 TextBuffer = DataAddress + 0x400;
inline constexpr u64 SecondDataPage = DataAddress + PageSize; // R+W, the page tests unmap
inline constexpr u64 UnmappedAddress = 0x0050'0000;
inline constexpr u64 KernelAddress = 0xffff'8000'0000'0000;
inline constexpr u64 SyscallPc = CodeAddress + 5;
inline constexpr u64 StackTop = layout::MainStackTop - 0x1000; // 16-byte aligned, inside the main stack

// What rax holds while a thread's syscall has not returned.
inline constexpr i64 NoResult = 0x0bad'cafe'0000'0001;

constexpr i64 status(Error e) { return -static_cast<i64>(e); }

inline SyscallArgs syscall_args(abi::Syscall number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0,
                                u64 a5 = 0) {
    return SyscallArgs{static_cast<u64>(number), {a0, a1, a2, a3, a4, a5}};
}

// The ThreadId behind the value ThreadCreate returns (index in the low 32 bits, generation in the high 32).
inline ThreadId thread_id(i64 value) {
    return ThreadId{static_cast<u32>(static_cast<u64>(value) & 0xffff'ffff),
                    static_cast<u32>(static_cast<u64>(value) >> 32)};
}
inline u64 thread_value(ThreadId id) { return (u64{id.generation} << 32) | id.index; }

inline abi::Message make_message(u32 tag, u8 priority = 0, u64 word = 0) {
    abi::Message m{};
    m.header.tag = tag;
    m.header.priority = priority;
    m.header.length = sizeof word;
    std::memcpy(m.payload, &word, sizeof word);
    return m;
}

inline u64 payload_word(abi::Message const& m) {
    u64 word = 0;
    std::memcpy(&word, m.payload, sizeof word);
    return word;
}

} // namespace grove::testing

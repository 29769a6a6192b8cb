#pragma once
// The protocol of the grant server (grantserver), shared with grantclient. Bulk data moves through copy grants
// (core/abi/syscall.hpp, GrantCreate...): the client grants its buffer to the server and names the grant in a
// message; the server has the kernel copy from and to it.
//
//   Call TagHello      the reply's header names the server (sender); its payload (Hello) names the caller.
//   Call TagTransform  payload Transfer: the server copies `length` bytes from the grant, transforms each byte
//                      (transformed()) and copies them back; the reply's payload is a Result (the first failed
//                      status, or the bytes moved).
//   Call TagFetch      payload Transfer (served by `ipcbench grant-serve`, the grant throughput benchmark): the
//                      server copies `length` bytes from the grant into a buffer of its own and does nothing else
//                      with them; the reply's payload is a Result.
//   Call TagTry        payload Attempt: the server tries one copy as asked (into or from a buffer of its own of
//                      TryBufferSize bytes) and replies with its Result, whatever it is.
//   Send TagKeep       payload Transfer: the server waits KeepDelay ticks (its sender may be gone by then), then
//                      tries to copy from the grant and prints the result.
#include <groves/runtime/runtime.hpp>

namespace grove::grants {

inline constexpr char const* ServiceName = "server";

inline constexpr u32 TagHello = 0x48454c4f;     // "HELO"
inline constexpr u32 TagTransform = 0x5846524d; // "XFRM"
inline constexpr u32 TagFetch = 0x46544348;     // "FTCH"
inline constexpr u32 TagTry = 0x54525920;       // "TRY "
inline constexpr u32 TagKeep = 0x4b454550;      // "KEEP"

inline constexpr usize MaxTransfer = usize{64} * 1024;
inline constexpr usize TryBufferSize = 4096;
inline constexpr u64 KeepDelay = 1'000'000; // 1 ms

struct Hello {
    u32 caller; // the caller's grove id, as the server's message header saw it
};
struct Transfer {
    u64 grant;
    u64 length;
};
struct Attempt {
    u64 grant;
    u64 offset;
    u64 length;
    u64 to_grant; // 0: GrantCopyFrom, else GrantCopyTo
};
struct Result {
    i64 value;
};
static_assert(sizeof(Attempt) <= abi::MessagePayloadSize);

using rt::payload_of;
using rt::set_payload;

// What the server makes of byte `i` of a transfer whose value was `b`.
constexpr u8 transformed(u8 b, usize i) { return static_cast<u8>((b ^ 0xa5) + (i >> 8)); }

} // namespace grove::grants

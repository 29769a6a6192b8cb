#pragma once
#include <core/base/hash.hpp>
#include <core/base/std.hpp>

namespace grove::plan {

// The binary boot plan, version 6 (5 had no provided services: its grove records were 123 bytes of fixed fields; 4
// had no ServiceManage peers either: 122 bytes; 3 had no interrupt lines either: 120 bytes; 2 had no grants limit:
// bytes 118..119 were reserved). Little-endian; every multi-byte field at a fixed offset of its record; no padding
// except the reserved bytes, which must be zero.
//
// Header (HeaderSize bytes):
//    0 u8[4] magic "GRPL"           12 u16 grove count        24 u64 seed
//    4 u16 version (6)              14 u16 fault count        32 u64 checksum
//    6 u16 header size (40)         16 u64 duration (ticks)
//    8 u32 total size (the whole plan, header included)
// checksum: FNV-1a 64 (core/base/hash.hpp) over bytes [0, 32) and then [40, total size).
//
// Then `grove count` grove records, each GroveFixedSize bytes of fixed fields followed by its variable part:
//    0 u32 record size (fixed and variable part)   52 u32 restart budget: max crashes in the window
//    4 u16 image module index                      56 u64 restart budget: window
//    6 u8  priority (0..31)                        64 u64 restart budget: backoff base
//    7 u8  respawn mode (RespawnMode)              72 u64 restart budget: backoff cap
//    8 u32 respawn limit (Limited only)            80 u64 restart budget: healthy uptime
//   12 u8  violation policy (ViolationPolicy)      88 u64 start at (ticks)
//   13 u8  name length                             96 u64 stop timeout (ticks)
//   14 u16 flag capabilities (1 << CapabilityKind) 104 u64 watchdog timeout (ticks, 0: none)
//   16 u64 memory limit (bytes)                   112 u8 argument count, 113 u8 I/O range count,
//   24 u32 threads, 28 u32 CPU percent                114 u8 physical range count, 115 u8 send peer count,
//   32 u64 CPU period (ticks)                         116 u8 receive peer count, 117 u8 watched peer count,
//                                                     118 u16 grants (live grants at once)
//                                                     120 u16 irq lines (bit n: line n, below abi::IrqLines)
//                                                     122 u8 managed peer count (ServiceManage)
//                                                     123 u16 provided services (1 << CapabilityKind: Filesystem,
//                                                         Graphics, Network)
//   40 u32 file handles, 44 u32 IPC messages/s
//   48 u32 IPC burst
// variable part, in this order: the name (name length bytes); each argument (u8 length, bytes); each I/O range
// (u16 first, u16 last, inclusive); each physical range (u64 base, u64 length); each send peer, then each receive
// peer, then each watched peer (CrashWatch), then each managed peer (ServiceManage) (u8 length, bytes; "*" is any
// grove). The record ends exactly there.
//
// Then `fault count` fault records of FaultSize bytes:
//    0 u64 at (ticks)   8 u8 action (FaultAction), 9 u8 grove index, 10 u8 target grove index (0xff: none),
//   11 u8 reserved (0), 12 u32 rate (messages/s, FloodStart only), 16 u64 bytes (MemorySpike only)
// FaultAction's values (core/machine/fault_action.hpp) are the action byte; FaultActionCount bounds it.
//
// Nothing follows the last fault record.

inline constexpr u8 Magic[4] = {'G', 'R', 'P', 'L'};
inline constexpr u16 Version = 6;
inline constexpr usize HeaderSize = 40;
inline constexpr usize ChecksumOffset = 32;
inline constexpr usize GroveFixedSize = 125;
inline constexpr usize FaultSize = 24;
inline constexpr usize MaxPlanSize = 0xffff'ffff;

// Header field offsets.
inline constexpr usize VersionOffset = 4, HeaderSizeOffset = 6, TotalSizeOffset = 8, GroveCountOffset = 12,
                       FaultCountOffset = 14, DurationOffset = 16, SeedOffset = 24;

// The checksum of a complete plan of `size` bytes (at least HeaderSize).
constexpr u64 checksum(u8 const* bytes, usize size) {
    Fnv1a64 hash;
    hash.update(bytes, ChecksumOffset);
    hash.update(bytes + HeaderSize, size - HeaderSize);
    return hash.digest();
}

// Little-endian loads and stores; the caller guarantees the bytes exist.
template<typename T>
constexpr T load(u8 const* bytes) {
    u64 value = 0;
    for (usize i = 0; i < sizeof(T); ++i) value |= u64{bytes[i]} << (8 * i);
    return static_cast<T>(value);
}

template<typename T>
constexpr void store(u8* bytes, T value) {
    for (usize i = 0; i < sizeof(T); ++i) bytes[i] = static_cast<u8>(static_cast<u64>(value) >> (8 * i));
}

} // namespace grove::plan

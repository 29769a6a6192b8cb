#pragma once
// The block protocol of the `ata` driver grove (ata.cpp), shared with its clients (blockclient.cpp). A client Calls
// the grove named "ata" with a message of tag TagBlock whose payload is a Request; data moves only through a copy
// grant (core/abi/syscall.hpp, GrantCreate...) of the client's buffer, made to ata's grove id (the `sender` of
// ata's replies; a grant names every incarnation of ata, so it survives a respawn of the driver). ata answers every
// Call with a Reply (tag TagBlock):
//
//   op        grant needed                 what ata does                                   Reply.value
//   OpInfo    none                         nothing                                         the disk's sectors
//   OpRead    GrantWrite, count * 512 B    READ SECTORS lba.., then GrantCopyTo offset 0   count
//   OpWrite   GrantRead, count * 512 B     GrantCopyFrom offset 0, then WRITE SECTORS       count
//   OpFlush   none                         FLUSH CACHE: written sectors reach the medium   0
//
// Reply.status is 0 on success, else -(status) of core/abi/status.hpp and nothing (more) was done:
//   InvalidArgument  unknown op, count 0 or above MaxSectors, lba + count past the disk's last sector (IDENTIFY)
//   BadHandle, AccessDenied, PeerClosed, InvalidArgument, InvalidState
//                    the grant's copy was refused (unknown or revoked id, not made to ata or without the right,
//                    its granter gone, too short): the kernel's status of the copy, as it came
//   TimedOut         the drive did not interrupt within DeviceTimeout (ata resets it)
//   InvalidState     the drive ended the command with ERR (Reply.value: its error register)
// A write is in the drive's cache until a flush: only flushed sectors survive a power cut.
#include <groves/runtime/runtime.hpp>

namespace grove::block {

inline constexpr char const* ServiceName = "ata";
inline constexpr u32 TagBlock = 0x424c4b20; // "BLK "

inline constexpr u32 SectorSize = 512;
inline constexpr u32 MaxSectors = 128; // per request: 64 KiB, ata's buffer

enum Op : u32 { OpInfo = 0, OpRead = 1, OpWrite = 2, OpFlush = 3 };

struct Request {
    u32 op;
    u32 count; // sectors
    u64 lba;
    u64 grant;
};
struct Reply {
    i64 status;
    u64 value;
};
static_assert(sizeof(Request) <= abi::MessagePayloadSize && sizeof(Reply) <= abi::MessagePayloadSize);

} // namespace grove::block

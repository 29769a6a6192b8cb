#pragma once
#include <core/base/result.hpp>
#include <core/trace/event.hpp>

namespace grove {

// The canonical binary form of an event, the input of every digest. Little-endian, fields in this order:
//   u8 kind, u64 time, u32 serial, u32 generation, then the kind's fields:
//   loaded             u64 entry, u64 memory
//   started            -
//   stopping           u64 deadline
//   stopped            i32 exit_code
//   crashed            u8 kind, i32 exit_code, u64 pc, u64 address
//   respawn_scheduled  u64 delay
//   respawned          u32 generation
//   gave_up            -
//   limit_exceeded     u8 resource, u64 requested, u64 limit
//   capability_denied  u8 capability, u64 detail
//   fault              u8 trap, u8 access, u8 cause, u64 port, u64 pc, u64 address, u64 error_code
//   console            u64 length, u64 hash
//   message_sent       u32 to, u32 tag, u8 priority
//   message_delivered  u32 from, u32 tag, u8 priority
//   message_refused    u32 to, u32 tag, u8 priority, u8 reason
//   grant_created      u64 grant, u32 peer, u8 rights, u64 address, u64 length
//   grant_revoked      u64 grant, u8 cause
//   grant_copied       u64 grant, u32 granter, u8 direction, u64 offset, u64 length
//   grant_refused      u64 grant, u8 direction, u64 offset, u64 length, u8 reason
//   interrupt          u8 line, u8 fate, u32 count
//   service_control    u32 target, u8 action, u8 status, u8 elf_check
// Signed values are written as their two's-complement bits.
inline constexpr usize MaxEncodedEventSize = 64;

struct EncodedEvent {
    u8 bytes[MaxEncodedEventSize];
    usize size;
};

EncodedEvent encode_event(Event const& event);

// The event of an encoding: the inverse of encode_event. InvalidArgument when the bytes are not exactly what
// encode_event writes for some event of an emitted kind (an unknown kind, too few or too many bytes, a fault's port
// above 16 bits). Enum fields are taken as written; a reader that names them gets "unknown" for a value no
// enumerator has.
Result<Event> decode_event(u8 const* bytes, usize size);

} // namespace grove

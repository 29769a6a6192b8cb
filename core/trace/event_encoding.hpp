#pragma once
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
//   any other kind     u64 word[0..3]
// Signed values are written as their two's-complement bits.
inline constexpr usize MaxEncodedEventSize = 64;

struct EncodedEvent {
    u8 bytes[MaxEncodedEventSize];
    usize size;
};

EncodedEvent encode_event(Event const& event);

} // namespace grove

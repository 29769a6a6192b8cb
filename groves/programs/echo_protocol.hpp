#pragma once
// The protocol of the echo grove, shared by echo, client and flooder.
//
//   Call with any tag          echo replies with the request itself (tag, length and payload unchanged).
//   Send with tag TagPing      echo sends the same payload back with tag TagPong to the grove named in
//                              PingPayload::reply_to.
//   Send with any other tag    echo counts it (TagFlood is the flooder's).
#include <groves/runtime/runtime.hpp>

namespace grove::echo {

inline constexpr char const* ServiceName = "echo";

inline constexpr u32 TagRequest = 0x45524551; // "EREQ"
inline constexpr u32 TagPing = 0x50494e47;    // "PING"
inline constexpr u32 TagPong = 0x504f4e47;    // "PONG"
inline constexpr u32 TagFlood = 0x464c4f44;   // "FLOD"

inline constexpr usize ReplyNameSize = 32;

// The payload of a ping and of a request: a sequence number, a value derived from it (so that a corrupted or
// misdelivered reply is caught), and the name to send a pong to (NUL-terminated; empty in a request).
struct PingPayload {
    u64 sequence;
    u64 check;
    char reply_to[ReplyNameSize];
};
static_assert(sizeof(PingPayload) == abi::MessagePayloadSize);

// The check value of a sequence number: the SplitMix64 finalizer, so that neighbouring numbers differ in
// every byte.
constexpr u64 check_of(u64 sequence) {
    u64 z = sequence + 0x9e3779b97f4a7c15;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
}

// A message to send: header zeroed but for tag, priority and length; payload from `payload`.
inline abi::Message make_message(u32 tag, u8 priority, PingPayload const& payload) {
    abi::Message message;
    memset(&message, 0, sizeof message);
    message.header.tag = tag;
    message.header.priority = priority;
    message.header.length = static_cast<u16>(sizeof payload);
    memcpy(message.payload, &payload, sizeof payload);
    return message;
}

inline PingPayload make_payload(u64 sequence, char const* reply_to) {
    PingPayload payload;
    memset(&payload, 0, sizeof payload);
    payload.sequence = sequence;
    payload.check = check_of(sequence);
    for (usize i = 0; reply_to != nullptr && reply_to[i] != '\0' && i + 1 < ReplyNameSize; ++i)
        payload.reply_to[i] = reply_to[i];
    return payload;
}

} // namespace grove::echo

#pragma once
#include <core/base/enum_count.hpp>
#include <core/base/error.hpp>
#include <core/base/std.hpp>

namespace grove {

// Why a message was not delivered. Every message that is sent and neither delivered nor still queued has exactly
// one of these reasons in the accounting (IpcCounters).
enum class Refusal : u8 {
    QueueFull,     // non-blocking send to a full queue (the sender sees WouldBlock)
    RateLimited,   // the grove's IPC rate limit refused it (reported by the kernel)
    PeerClosed,    // the endpoint closed before delivery, or the caller of a reply is gone
    BadHandle,     // the handle did not name a live entry (reported by the kernel)
    AccessDenied,  // the handle lacked the Send right, or the sender a service the recipient provides (the kernel's)
    TimedOut,      // a blocking sender's deadline passed before there was room
    Invalid,       // bad header: priority, length or reserved field out of range
    ReceiveDenied, // the receiving grove holds no ipc_receive capability for the sender (reported by the kernel)
    Superseded,    // a kernel notice replaced, unread, by a newer notice about the same grove (never lack of room)
};

inline constexpr usize RefusalCount = 9;

constexpr usize index_of(Refusal reason) { return static_cast<usize>(reason); }

// The status a sender sees for a refusal.
constexpr Error error_of(Refusal reason) {
    switch (reason) {
    case Refusal::QueueFull: return Error::WouldBlock;
    case Refusal::RateLimited: return Error::LimitExceeded;
    case Refusal::PeerClosed: return Error::PeerClosed;
    case Refusal::BadHandle: return Error::BadHandle;
    case Refusal::AccessDenied: return Error::AccessDenied;
    case Refusal::TimedOut: return Error::TimedOut;
    case Refusal::Invalid: return Error::InvalidArgument;
    case Refusal::ReceiveDenied: return Error::AccessDenied;
    case Refusal::Superseded: return Error::InvalidState;
    }
    return Error::InvalidArgument;
}

constexpr char const* refusal_name(Refusal reason) {
    switch (reason) {
    case Refusal::QueueFull: return "queue_full";
    case Refusal::RateLimited: return "rate_limited";
    case Refusal::PeerClosed: return "peer_closed";
    case Refusal::BadHandle: return "bad_handle";
    case Refusal::AccessDenied: return "access_denied";
    case Refusal::TimedOut: return "timed_out";
    case Refusal::Invalid: return "invalid";
    case Refusal::ReceiveDenied: return "receive_denied";
    case Refusal::Superseded: return "superseded";
    }
    return "unknown";
}

static_assert(count_matches_names<Refusal>(RefusalCount, refusal_name));

} // namespace grove

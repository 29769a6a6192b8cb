#pragma once
#include <core/abi/status.hpp>
#include <core/base/std.hpp>

namespace grove {

// The closed set of failures in core/. The numeric values are the syscall ABI's status codes (core/abi/status.hpp):
// a syscall that fails returns -(value) in rax, so the two lists cannot drift apart.
enum class Error : u8 {
    InvalidArgument = abi::StatusInvalidArgument,
    NotFound = abi::StatusNotFound,
    AlreadyExists = abi::StatusAlreadyExists,
    NoCapacity = abi::StatusNoCapacity,
    LimitExceeded = abi::StatusLimitExceeded,
    BadHandle = abi::StatusBadHandle,
    AccessDenied = abi::StatusAccessDenied,
    WouldBlock = abi::StatusWouldBlock,
    PeerClosed = abi::StatusPeerClosed,
    InvalidState = abi::StatusInvalidState,
    OutOfMemory = abi::StatusOutOfMemory,
    TimedOut = abi::StatusTimedOut,
    OverCommitted = abi::StatusOverCommitted,
};

constexpr char const* error_name(Error e) {
    switch (e) {
    case Error::InvalidArgument: return "InvalidArgument";
    case Error::NotFound: return "NotFound";
    case Error::AlreadyExists: return "AlreadyExists";
    case Error::NoCapacity: return "NoCapacity";
    case Error::LimitExceeded: return "LimitExceeded";
    case Error::BadHandle: return "BadHandle";
    case Error::AccessDenied: return "AccessDenied";
    case Error::WouldBlock: return "WouldBlock";
    case Error::PeerClosed: return "PeerClosed";
    case Error::InvalidState: return "InvalidState";
    case Error::OutOfMemory: return "OutOfMemory";
    case Error::TimedOut: return "TimedOut";
    case Error::OverCommitted: return "OverCommitted";
    }
    return "UnknownError";
}

} // namespace grove

#include <core/abi/status.hpp>
#include <groves/runtime/status.hpp>

namespace grove::rt {

char const* status_name(long status_or_result) {
    long status = status_or_result < 0 ? -status_or_result : status_or_result;
    switch (status) {
    case abi::StatusOk: return "Ok";
    case abi::StatusInvalidArgument: return "InvalidArgument";
    case abi::StatusNotFound: return "NotFound";
    case abi::StatusAlreadyExists: return "AlreadyExists";
    case abi::StatusNoCapacity: return "NoCapacity";
    case abi::StatusLimitExceeded: return "LimitExceeded";
    case abi::StatusBadHandle: return "BadHandle";
    case abi::StatusAccessDenied: return "AccessDenied";
    case abi::StatusWouldBlock: return "WouldBlock";
    case abi::StatusPeerClosed: return "PeerClosed";
    case abi::StatusInvalidState: return "InvalidState";
    case abi::StatusOutOfMemory: return "OutOfMemory";
    case abi::StatusTimedOut: return "TimedOut";
    case abi::StatusOverCommitted: return "OverCommitted";
    default: return "Unknown";
    }
}

} // namespace grove::rt

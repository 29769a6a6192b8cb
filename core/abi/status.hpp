#pragma once
// Status codes of the syscall ABI. Shared by core/ and by grove programs (groves/), so it depends on nothing.
// A syscall returns a value >= 0 on success and -(status) on failure.

namespace grove::abi {

enum : long {
    StatusOk = 0,
    StatusInvalidArgument = 1,
    StatusNotFound = 2,
    StatusAlreadyExists = 3,
    StatusNoCapacity = 4,
    StatusLimitExceeded = 5,
    StatusBadHandle = 6,
    StatusAccessDenied = 7,
    StatusWouldBlock = 8,
    StatusPeerClosed = 9,
    StatusInvalidState = 10,
    StatusOutOfMemory = 11,
    StatusTimedOut = 12,
    StatusOverCommitted = 13, // admission: the grove's limits do not fit beside those of the groves admitted
};

} // namespace grove::abi

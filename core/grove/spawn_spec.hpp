#pragma once
#include <core/abi/syscall.hpp>
#include <core/grove/grove_spec.hpp>

namespace grove {

// Why ServiceLoad refused a spec before anything was copied or loaded. `error` is the status the caller gets;
// for AccessDenied, `capability` is the kind the spawner lacks and `peer` the peer it asked to pass on (IpcSend,
// IpcReceive; empty for a flag).
struct SpawnRefusal {
    Error error = Error::InvalidArgument;
    CapabilityKind capability = CapabilityKind::IoPort;
    GroveName peer;
};

// Builds what a grove `spawner` asks ServiceLoad to spawn with `request`: name, arguments, capabilities, limits and
// respawn policy, with the image left empty for the caller to fill. The result can only narrow the spawner:
// - InvalidArgument for a malformed request: a name or argument of 0 or more than 31 bytes or not zero-padded,
//   counts over abi::MaxServiceArguments or abi::MaxServicePeers, reserved bytes not zero, an unknown respawn
//   mode or flag bit, a flag that is not a flag capability, zero limits;
// - AccessDenied for the first flag the spawner does not hold, then the first send peer and receive peer it may not
//   pass on (Capabilities::may_delegate_peer);
// - LimitExceeded for memory, threads, CPU percent or grants above the spawner's.
// The limits the request does not carry (CPU period, file handles, IPC rate and burst, violation policy), the
// priority and the restart budget are the spawner's; stop and watchdog timeouts are the defaults. The spawned
// grove gets no I/O ports, physical ranges, interrupt lines, crash watch or service control.
Result<void, SpawnRefusal> narrow_spawn_spec(abi::ServiceSpec const& request, GroveSpec const& spawner, GroveSpec& out);

} // namespace grove

#pragma once
#include <core/abi/syscall.hpp>
#include <core/grove/grove_spec.hpp>

namespace grove {

// Why ServiceLoad refused a spec before anything was copied or loaded. `error` is the status the caller gets;
// for AccessDenied, `capability` is the kind the spawner lacks and `peer` the peer it asked to pass on (IpcSend,
// IpcReceive, CrashWatch, ServiceManage; empty otherwise), or `detail` what else it asked for (the first port, the
// physical base, the line; 0 for a flag).
struct SpawnRefusal {
    Error error = Error::InvalidArgument;
    CapabilityKind capability = CapabilityKind::IoPort;
    GroveName peer;
    u64 detail = 0;
};

// Builds what a grove `spawner` asks ServiceLoad to spawn with `request` and `authority` (null: none): name,
// arguments, capabilities, limits and respawn policy, with the image left empty for the caller to fill. The result
// can only narrow the spawner:
// - InvalidArgument for a malformed request: a name or argument of 0 or more than 31 bytes or not zero-padded,
//   counts over abi::MaxServiceArguments or abi::MaxServicePeers, reserved bytes not zero, an unknown respawn
//   mode or flag bit, a flag that is not a flag capability, zero limits;
//   an authority's reserved bytes not zero, counts over its maxima, an empty or wrapping range, a line past
//   abi::IrqLines;
// - AccessDenied for the first flag the spawner does not hold, then the first send peer and receive peer it may not
//   pass on (Capabilities::may_delegate_peer), then the authority's first port range, physical range or line not
//   inside the spawner's, and its first crash-watch and service-manage peer the spawner may not pass on;
// - LimitExceeded for memory, threads, CPU percent or grants above the spawner's.
// The limits the request does not carry (CPU period, file handles, IPC rate and burst, violation policy), the
// priority and the restart budget are the spawner's; stop and watchdog timeouts are the defaults. The spawned
// grove gets I/O ports, physical ranges, interrupt lines, crash watch and service control only as the authority
// names them.
Result<void, SpawnRefusal> narrow_spawn_spec(abi::ServiceSpec const& request, abi::ServiceAuthority const* authority,
                                             GroveSpec const& spawner, GroveSpec& out);

} // namespace grove

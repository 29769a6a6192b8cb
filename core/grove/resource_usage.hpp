#pragma once
#include <core/grove/limits.hpp>
#include <core/grove/token_bucket.hpp>

namespace grove {

// What one incarnation of a grove uses, against its limits. CPU time is not here: the scheduler accounts it and
// throttles (core/sched), and the kernel reports an exhausted share to the manager
// (GroveManager::report_cpu_exhausted). Built fresh for every incarnation, so a respawned grove starts with
// nothing in use and a full IPC bucket. Invariant: memory, threads and handles never exceed their limits (every
// request goes through try_withdraw).
struct ResourceUsage {
    Quota<Bytes> memory;
    Quota<Count> threads;
    Quota<Count> file_handles;
    Quota<Count> grants;
    TokenBucket ipc;
    bool ipc_limited = false; // the last IPC admission was refused or throttled (limit_exceeded is emitted once)

    ResourceUsage() = default;
    ResourceUsage(ResourceLimits const& limits, Ticks now)
        : memory(limits.memory), threads(limits.threads), file_handles(limits.file_handles), grants(limits.grants),
          ipc(limits.ipc_messages_per_second, limits.ipc_burst, now) {}
};

} // namespace grove

#pragma once
#include <core/grove/cpu_budget.hpp>
#include <core/grove/limits.hpp>
#include <core/grove/token_bucket.hpp>

namespace grove {

// What one incarnation of a grove uses, against its limits. Built fresh for every incarnation, so a respawned
// grove starts with nothing in use and a full IPC bucket. Invariant: memory, threads and handles never exceed
// their limits (every request goes through try_withdraw).
struct ResourceUsage {
    Quota<Bytes> memory;
    Quota<Count> threads;
    Quota<Count> file_handles;
    TokenBucket ipc;
    CpuBudget cpu;
    bool ipc_limited = false; // the last IPC admission was refused or throttled (limit_exceeded is emitted once)
    bool cpu_limited = false; // the CPU budget is spent in the current period (limit_exceeded is emitted once)

    ResourceUsage() = default;
    ResourceUsage(ResourceLimits const& limits, Ticks now)
        : memory(limits.memory), threads(limits.threads), file_handles(limits.file_handles),
          ipc(limits.ipc_messages_per_second, limits.ipc_burst, now), cpu(limits.cpu_percent, limits.cpu_period) {}
};

} // namespace grove

#pragma once
#include <core/base/quota.hpp>
#include <core/base/result.hpp>
#include <core/base/units.hpp>

namespace grove {

// The resources a grove's limits cover. The numeric values are part of the trace encoding: append, never renumber.
enum class Resource : u8 { Memory = 0, Threads = 1, Cpu = 2, FileHandles = 3, IpcRate = 4, Console = 5, Grants = 6 };

constexpr char const* resource_name(Resource r) {
    switch (r) {
    case Resource::Memory: return "memory";
    case Resource::Threads: return "threads";
    case Resource::Cpu: return "cpu";
    case Resource::FileHandles: return "file_handles";
    case Resource::IpcRate: return "ipc_rate";
    case Resource::Console: return "console";
    case Resource::Grants: return "grants";
    }
    return "unknown";
}

// What happens when a grove goes over a limit. Deny: the request fails (LimitExceeded; for CPU and IPC rate, the
// grove waits: CPU cannot be refused). Throttle: the grove is made to wait until it is within its budget again
// (memory, threads and handles cannot wait, so they are denied). Kill: the request fails and the grove crashes with
// kind LimitViolation.
enum class ViolationPolicy : u8 { Deny = 0, Throttle = 1, Kill = 2 };

constexpr char const* violation_policy_name(ViolationPolicy p) {
    switch (p) {
    case ViolationPolicy::Deny: return "deny";
    case ViolationPolicy::Throttle: return "throttle";
    case ViolationPolicy::Kill: return "kill";
    }
    return "unknown";
}

// The most file handles a grove may be allowed: the kernel's handle table holds this many per grove (the own
// endpoint's included), so a higher limit could never be reached (kernel.hpp checks the two agree).
inline constexpr u64 MaxFileHandles = 256;

// The default memory and thread limits: one grove's share of the machine among the MaxGroves groves the kernel holds
// (core/grove/admission.hpp reserves limits at admission and checks that MaxGroves defaults fit). A grove that needs
// more says so in its limits.
inline constexpr Bytes DefaultGroveMemory = kibibytes(1536);
inline constexpr Count DefaultGroveThreads{4};

// The most grants a grove may be allowed: the kernel's grant table holds this many for all groves together
// (kernel.hpp checks the two agree), and admission reserves each grove's grant limit from it as it does memory and
// threads. The default, DefaultGrants, is one grove's share among MaxGroves: enough for a service with a dozen
// requests in flight, each with its buffer granted; a grove past its limit gets LimitExceeded and `limit_exceeded`.
inline constexpr u64 MaxGrants = 1024;
inline constexpr u64 DefaultGrants = 16;

// A grove's resource limits; the defaults are DefaultGroveMemory (1.5 MiB), DefaultGroveThreads (4), DefaultGrants
// (16), and the origin's 50 % CPU, 256 file handles and 10 000 IPC messages per second.
struct ResourceLimits {
    Bytes memory = DefaultGroveMemory;
    Count threads = DefaultGroveThreads;
    u32 cpu_percent = 50; // of each CPU period, 1..100
    Ticks cpu_period = milliseconds(10);
    Count file_handles{256};
    u32 ipc_messages_per_second = 10'000;
    u32 ipc_burst = 100;         // messages that may be sent at once after a quiet period
    Count grants{DefaultGrants}; // live grants (GrantCreate) at once, 0..MaxGrants
    ViolationPolicy policy = ViolationPolicy::Deny;

    // InvalidArgument when a limit is zero or out of range (memory, threads, CPU percent 1..100, period, IPC rate
    // and burst must all be positive; file handles at most MaxFileHandles).
    Result<void> validate() const {
        if (memory.is_zero() || threads.is_zero()) return Error::InvalidArgument;
        if (file_handles.value > MaxFileHandles) return Error::InvalidArgument;
        if (grants.value > MaxGrants) return Error::InvalidArgument;
        if (cpu_percent == 0 || cpu_percent > 100 || cpu_period.is_zero()) return Error::InvalidArgument;
        if (cpu_period.value > ~u64{0} / 100) return Error::InvalidArgument;
        if (ipc_messages_per_second == 0 || ipc_burst == 0) return Error::InvalidArgument;
        if (static_cast<u8>(policy) > static_cast<u8>(ViolationPolicy::Kill)) return Error::InvalidArgument;
        return {};
    }
};

} // namespace grove

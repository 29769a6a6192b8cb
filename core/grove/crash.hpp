#pragma once
#include <core/base/std.hpp>

namespace grove {

// How an incarnation ended. The numeric values are part of the trace encoding and of abi::CrashNotice::kind:
// append, never renumber.
enum class CrashKind : u8 {
    Fault = 0,          // a CPU exception in the grove (page fault, #GP, #UD, divide error...)
    LimitViolation = 1, // a resource limit with the Kill policy
    Watchdog = 2,       // no heartbeat within the watchdog timeout
    Killed = 3,         // killed from outside (an operator, or a graceful stop past its deadline)
    Exit = 4,           // the grove exited by itself with `exit_code`; code 0 is a clean exit
    SpawnFailed = 5,    // a respawn could not build or start the new incarnation (out of memory...)
};

constexpr char const* crash_kind_name(CrashKind k) {
    switch (k) {
    case CrashKind::Fault: return "fault";
    case CrashKind::LimitViolation: return "limit";
    case CrashKind::Watchdog: return "watchdog";
    case CrashKind::Killed: return "killed";
    case CrashKind::Exit: return "exit";
    case CrashKind::SpawnFailed: return "spawn_failed";
    }
    return "unknown";
}

// One end of an incarnation: its kind and what is known about it (pc and address for a fault, the code for an
// exit; zero otherwise).
struct Crash {
    CrashKind kind = CrashKind::Fault;
    i32 exit_code = 0;
    u64 pc = 0;
    u64 address = 0;

    static constexpr Crash fault(u64 pc, u64 address) { return Crash{CrashKind::Fault, 0, pc, address}; }
    static constexpr Crash exit(i32 code) { return Crash{CrashKind::Exit, code, 0, 0}; }
    static constexpr Crash limit_violation() { return Crash{CrashKind::LimitViolation, 0, 0, 0}; }
    static constexpr Crash watchdog() { return Crash{CrashKind::Watchdog, 0, 0, 0}; }
    static constexpr Crash killed() { return Crash{CrashKind::Killed, 0, 0, 0}; }
    static constexpr Crash spawn_failed() { return Crash{CrashKind::SpawnFailed, 0, 0, 0}; }

    // An exit with code 0: the only ending that is not a failure.
    constexpr bool is_clean_exit() const { return kind == CrashKind::Exit && exit_code == 0; }
    constexpr bool operator==(Crash const&) const = default;
};

} // namespace grove

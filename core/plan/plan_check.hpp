#pragma once
#include <core/base/std.hpp>

namespace grove {

// Why read_boot_plan refused a plan: each check has its own value, so a rejection names exactly what is wrong.
// Ok is the one value that means accepted.
enum class PlanCheck : u8 {
    Ok,
    // the header
    TooSmall, // shorter than the header
    BadMagic,
    UnsupportedVersion,
    BadHeaderSize,
    SizeMismatch, // the header's total size is not the size of the bytes given
    BadChecksum,
    ZeroDuration,
    NoGroves,
    TooManyGroves,
    TooManyFaults,
    // a grove record
    GroveTruncated, // the record (or its declared size) runs past the end of the plan
    BadRecordSize,  // the record's size disagrees with its contents
    BadName,
    DuplicateName,
    ReservedNotZero,
    TooManyArguments,
    BadArgument, // longer than MaxArgumentLength, or holds a NUL byte
    TooManyIoRanges,
    BadIoRange, // first > last, or a range with one of the machine's own ports (MachinePorts)
    TooManyPhysicalRanges,
    BadPhysicalRange, // empty, wraps around, or overlaps the machine's own (MachinePhysical)
    TooManyPeers,
    BadPeerName,       // neither a grove name nor "*"
    UnknownCapability, // a flag bit that is not a flag capability, or a provided service that is no service kind
    BadLimits,         // ResourceLimits::validate refused them
    BadRespawnMode,
    BadRespawnLimit,  // Limited without a limit, or a limit with another mode
    BadRestartBudget, // RestartBudget::validate refused it
    BadPriority,
    BadStartTime, // at or after the duration
    // a fault record
    FaultTruncated,
    BadFaultAction,
    BadFaultGrove,
    BadFaultTarget, // a target that is not a grove (FloodStart), or any target for another action
    BadFaultTime,   // at or after the duration
    BadFaultAmount, // bytes for another action than MemorySpike or none for it; a rate outside FloodStart
    // after the records
    TrailingBytes,
};

constexpr char const* plan_check_name(PlanCheck c) {
    switch (c) {
    case PlanCheck::Ok: return "ok";
    case PlanCheck::TooSmall: return "too_small";
    case PlanCheck::BadMagic: return "bad_magic";
    case PlanCheck::UnsupportedVersion: return "unsupported_version";
    case PlanCheck::BadHeaderSize: return "bad_header_size";
    case PlanCheck::SizeMismatch: return "size_mismatch";
    case PlanCheck::BadChecksum: return "bad_checksum";
    case PlanCheck::ZeroDuration: return "zero_duration";
    case PlanCheck::NoGroves: return "no_groves";
    case PlanCheck::TooManyGroves: return "too_many_groves";
    case PlanCheck::TooManyFaults: return "too_many_faults";
    case PlanCheck::GroveTruncated: return "grove_truncated";
    case PlanCheck::BadRecordSize: return "bad_record_size";
    case PlanCheck::BadName: return "bad_name";
    case PlanCheck::DuplicateName: return "duplicate_name";
    case PlanCheck::ReservedNotZero: return "reserved_not_zero";
    case PlanCheck::TooManyArguments: return "too_many_arguments";
    case PlanCheck::BadArgument: return "bad_argument";
    case PlanCheck::TooManyIoRanges: return "too_many_io_ranges";
    case PlanCheck::BadIoRange: return "bad_io_range";
    case PlanCheck::TooManyPhysicalRanges: return "too_many_physical_ranges";
    case PlanCheck::BadPhysicalRange: return "bad_physical_range";
    case PlanCheck::TooManyPeers: return "too_many_peers";
    case PlanCheck::BadPeerName: return "bad_peer_name";
    case PlanCheck::UnknownCapability: return "unknown_capability";
    case PlanCheck::BadLimits: return "bad_limits";
    case PlanCheck::BadRespawnMode: return "bad_respawn_mode";
    case PlanCheck::BadRespawnLimit: return "bad_respawn_limit";
    case PlanCheck::BadRestartBudget: return "bad_restart_budget";
    case PlanCheck::BadPriority: return "bad_priority";
    case PlanCheck::BadStartTime: return "bad_start_time";
    case PlanCheck::FaultTruncated: return "fault_truncated";
    case PlanCheck::BadFaultAction: return "bad_fault_action";
    case PlanCheck::BadFaultGrove: return "bad_fault_grove";
    case PlanCheck::BadFaultTarget: return "bad_fault_target";
    case PlanCheck::BadFaultTime: return "bad_fault_time";
    case PlanCheck::BadFaultAmount: return "bad_fault_amount";
    case PlanCheck::TrailingBytes: return "trailing_bytes";
    }
    return "unknown";
}

} // namespace grove

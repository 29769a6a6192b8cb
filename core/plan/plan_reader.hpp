#pragma once
#include <core/plan/boot_plan.hpp>
#include <core/plan/plan_check.hpp>

namespace grove {

// Reads and validates a binary boot plan (plan_format.hpp) into `out`. Returns Ok, or the first check that failed,
// in this order: the header (TooSmall, BadMagic, UnsupportedVersion, BadHeaderSize, SizeMismatch, BadChecksum,
// ZeroDuration, NoGroves, TooManyGroves, TooManyFaults), then each grove record in order (GroveTruncated, then
// its fixed fields: BadRecordSize when the counts do not fit, BadName, DuplicateName,
// UnknownCapability, BadLimits, BadRespawnMode, BadRespawnLimit, BadRestartBudget, BadPriority, BadStartTime,
// TooMany*; then its variable part: BadArgument, BadIoRange, BadPhysicalRange, BadPeerName, and BadRecordSize
// when it does not end exactly at the record size), then each fault record (FaultTruncated, ReservedNotZero,
// BadFaultAction, BadFaultGrove, BadFaultTarget, BadFaultTime, BadFaultAmount), then TrailingBytes.
//
// An accepted plan guarantees: duration > 0; 1..MaxPlanGroves groves with valid, distinct names; every argument
// fits GroveArgument; every range valid; every peer a valid grove name or "*"; limits and budget valid; priority
// below PlanPriorityLevels; start_at < duration; every fault's time < duration, its grove (and FloodStart target)
// an index of a grove. Image module indices are not checked here: the kernel checks them against its modules.
// On failure `out` is left empty (no groves, no faults).
PlanCheck read_boot_plan(Span<u8 const> bytes, BootPlan& out);

} // namespace grove

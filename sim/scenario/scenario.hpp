#pragma once
#include <core/base/units.hpp>
#include <core/grove/limits.hpp>
#include <core/machine/fault_action.hpp>
#include <core/sched/schedule_perturbation.hpp>
#include <sim/scenario/field_value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace grove::scenario {

// The in-memory form of a scenario file (scenarios/README.md documents every key). The parser
// (scenario_parser.hpp) fills it and guarantees everything the comments below call an invariant; code that
// builds a Scenario by hand must keep them too. Every field has the documented default when the file omits it.

// ----- groves -------------------------------------------------------------------------------------------------

// An inclusive range of I/O ports. Invariant: first <= last.
struct PortRange {
    u16 first = 0;
    u16 last = 0;
    bool operator==(PortRange const&) const = default;
};

// A range of physical memory. Invariant: length > 0 and base + length does not wrap.
struct PhysicalRange {
    u64 base = 0;
    Bytes length;
    bool operator==(PhysicalRange const&) const = default;
};

// What a grove may do. Groves start with nothing. ipc_send / ipc_receive / crash_watch / service_manage hold declared
// grove names or "*" (any).
struct Capabilities {
    std::vector<PortRange> io_ports;
    std::vector<PhysicalRange> physical;
    std::vector<std::string> ipc_send;
    std::vector<std::string> ipc_receive;
    std::vector<std::string> crash_watch;    // whose crashes and give-ups it may hear of (SubscribeCrashes)
    std::vector<std::string> service_manage; // which groves it may start, stop, restart and list (ServiceStart...)
    std::vector<u8> irq;                     // interrupt lines it owns (0..15, each at most once)
    bool thread_create = false;
    bool memory_manage = false;
    bool filesystem = false;
    bool graphics = false;
    bool network = false;
    bool operator==(Capabilities const&) const = default;
};

enum class ViolationPolicy : u8 { Deny, Throttle, Kill };

// Resource limits; the defaults are the origin's. Invariant: every number is within the range the README gives.
struct Limits {
    static constexpr u32 DefaultIpcRate = 10'000;

    Bytes memory = ResourceLimits{}.memory;
    u32 threads = static_cast<u32>(ResourceLimits{}.threads.value);
    u32 cpu_percent = 50;
    u32 file_handles = 256;
    u32 ipc_rate = DefaultIpcRate;       // messages per second of virtual time
    u32 ipc_burst = DefaultIpcRate / 10; // default: a tenth of ipc_rate (at least 1)
    ViolationPolicy on_violation = ViolationPolicy::Deny;
    u32 grants = static_cast<u32>(DefaultGrants); // live grants at once (GrantCreate)
    bool operator==(Limits const&) const = default;
};

enum class RespawnPolicy : u8 { Never, Always, OnFailure, Limited };

// When a dead grove comes back. Invariants: max >= 1 exactly when policy is Limited (0 otherwise);
// backoff_base <= backoff_cap; max_crashes_in_window == 0 means no crash-rate window.
struct Respawn {
    RespawnPolicy policy = RespawnPolicy::Never;
    u32 max = 0;
    Ticks window = seconds(1);
    u32 max_crashes_in_window = 5;
    Ticks backoff_base = milliseconds(1);
    Ticks backoff_cap = milliseconds(64);
    Ticks healthy_uptime = milliseconds(100);
    bool operator==(Respawn const&) const = default;
};

// One grove to load. Invariants: name is unique in the scenario and made of [a-z0-9_-] (a letter first,
// at most MaxNameLength bytes); image is one of the images the caller allowed; args fit the arguments page;
// priority < PriorityLevels; start_at < the scenario's duration.
struct GroveSpec {
    static constexpr usize MaxNameLength = 31;
    static constexpr u32 PriorityLevels = 32; // 0 lowest .. 31 highest
    static constexpr u32 DefaultPriority = 16;

    std::string name;
    std::string image;
    std::vector<std::string> args;
    u32 priority = DefaultPriority;
    Ticks start_at;
    Capabilities capabilities;
    Limits limits;
    Respawn respawn;
    Ticks stop_timeout = milliseconds(10);
    Ticks watchdog{}; // no Heartbeat for this long is a crash of kind watchdog; zero: no watchdog
    // The services it provides ("filesystem", "graphics", "network"; each once, in that order): a grove sending to
    // it or calling it must hold each as a capability.
    std::vector<std::string> provides;
    bool operator==(GroveSpec const&) const = default;
};

// ----- faults -------------------------------------------------------------------------------------------------

// Something done to a grove at a moment of virtual time (the action: core/machine/fault_action.hpp), or at a
// moment drawn from a range. Invariants: at <= at_latest < the scenario's duration; grove names a
// declared grove; bytes > 0 only for MemorySpike (0 otherwise); target names a declared grove only for
// FloodStart (empty otherwise); rate is 0 ("as fast as it can") unless FloodStart sets it.
struct Fault {
    Ticks at;
    FaultAction action = FaultAction::Crash;
    std::string grove;
    Bytes bytes;
    std::string target;
    u32 rate = 0;
    std::optional<Ticks> at_latest; // at = "10ms..20ms": the moment is drawn from [at, at_latest] by the seed
    bool operator==(Fault const&) const = default;
};

// `count` faults drawn from the seed ([[random_faults]]): each at a uniform moment of [from, until], taking one of
// `actions` (FloodStart stands for a flood burst: flood-start, then flood-stop after a burst length drawn from
// [burst_min, burst_max]) on one of `groves`. Invariants: actions is not empty and holds only crash, kill, hang,
// memory-spike, stop, restart and FloodStart; groves are declared, and the ones whose image is "flooder" are the
// sources of flood bursts (flood_target names a declared grove exactly when a flood burst is allowed, and then at
// least one grove is a flooder); every other action needs a grove that is not a flooder; 0 < min_bytes <=
// max_bytes when memory-spike is allowed (both 0 otherwise); from <= until < the duration; burst_min <= burst_max.
struct RandomFaults {
    std::vector<FaultAction> actions;
    std::vector<std::string> groves;
    Ticks from;
    Ticks until;
    u32 count = 0;
    Bytes min_bytes;
    Bytes max_bytes;
    std::string flood_target;
    u32 flood_rate = 0;
    Ticks burst_min;
    Ticks burst_max;
    bool operator==(RandomFaults const&) const = default;
};

// How a run explores ([explore]): in swarm mode each seed keeps a random subset of every [[random_faults]] rule
// (its actions, its groves, a count up to the rule's); quantum_jitter_percent and change_per_mille perturb the
// schedule among threads of one priority (core/sched/schedule_perturbation.hpp), drawn from the seed.
struct Explore {
    bool swarm = false;
    u32 quantum_jitter_percent = 0; // 0..SchedulePerturbation::MaxQuantumJitterPercent
    u32 change_per_mille = 0;       // 0..1000
    bool operator==(Explore const&) const = default;
};

// ----- expectations -------------------------------------------------------------------------------------------

enum class GroveState : u8 { Loading, Running, Stopping, Stopped, Faulted, Quarantined };

// A description of trace events: the event kind, and optionally the grove, its generation and field values
// that must all be equal. Invariant: grove, when set, names a declared grove; event is a known event kind.
struct EventMatcher {
    std::string event;
    std::optional<std::string> grove;
    std::optional<u64> generation;
    std::vector<std::pair<std::string, FieldValue>> fields; // in file order
    bool operator==(EventMatcher const&) const = default;
};

// An inclusive range for a count; an exact count n is {n, n}. Invariant: min <= max.
struct CountRange {
    u64 min = 0;
    u64 max = ~u64{0};
    bool operator==(CountRange const&) const = default;
};

// The final counters one grove must show. Only the counts that are set are checked.
struct CountExpectation {
    std::string grove;
    std::optional<CountRange> crashes;
    std::optional<CountRange> respawns;
    std::optional<CountRange> messages_sent;
    std::optional<CountRange> messages_delivered;
    std::optional<CountRange> messages_refused;
    std::optional<CountRange> messages_queued;
    bool operator==(CountExpectation const&) const = default;
};

// Isolation: the grove is served at least every `within` of virtual time, whatever its neighbours do. From its
// first message_delivered (as recipient) to the end of the run, no gap between two deliveries to it, nor from the
// last one to the end, is longer than `within`; a grove never served fails it.
struct ServedExpectation {
    std::string grove;
    Ticks within;
    bool operator==(ServedExpectation const&) const = default;
};

struct Expectations {
    std::vector<std::pair<std::string, GroveState>> final_states; // grove -> state, in file order
    std::vector<CountExpectation> counts;
    std::vector<std::vector<EventMatcher>> sequences; // each: matchers that must occur in this order
    std::vector<EventMatcher> absent;                 // must not occur at all
    bool ipc_accounting = false;
    std::optional<u64> digest;
    std::vector<ServedExpectation> served;
    bool operator==(Expectations const&) const = default;
};

// ----- the scenario -------------------------------------------------------------------------------------------

// Invariants: duration > 0; groves is not empty and their names are unique; faults are in file order (the
// simulator applies faults at the same time in that order).
// A disk of the simulated machine ([[disks]]): the ATA drive on the primary channel, backed by a copy of the image
// file at `path` (as written, relative to the scenario file) made for each run. Invariant once read from a file:
// `image` names an existing file whose size is a non-zero multiple of 512 bytes and at most 2^28 sectors. With
// `seeded_timing`, the drive's latencies are drawn from the run's seed (its own stream, SeedStream::Devices)
// within the bounds sim/devices/ata_disk.hpp documents; without it they are the fixed ones.
struct Disk {
    std::string path;
    std::string image; // the file: `path` resolved against the scenario file's directory
    bool seeded_timing = false;
    u32 line = 0; // where the [[disks]] entry is, for errors found later
    u32 column = 0;
    bool operator==(Disk const&) const = default;
};

struct Scenario {
    std::string name;
    std::string description;
    u64 seed = 0;
    Ticks duration;
    bool timing_independent = false; // its per-grove event sequences must match between backends
    std::vector<GroveSpec> groves;
    std::vector<Fault> faults;
    std::vector<Disk> disks; // at most one: the primary channel's master
    std::vector<RandomFaults> random_faults;
    Explore explore;
    Expectations expect;

    // Whether a run draws anything from the seed (a fault moment given as a range, random faults).
    bool draws_from_seed() const;

    // The grove of that name, or nullptr.
    GroveSpec const* find_grove(std::string_view grove_name) const;
    bool operator==(Scenario const&) const = default;
};

// The names used in scenario files and reports ("on-failure", "quarantined"...), and back (a fault action's name:
// grove::fault_action_name).
// The *_from_name functions return nothing for a name that is not one of them.
std::string_view violation_policy_name(ViolationPolicy policy);
std::string_view respawn_policy_name(RespawnPolicy policy);
std::string_view grove_state_name(GroveState state);
std::optional<ViolationPolicy> violation_policy_from_name(std::string_view name);
std::optional<RespawnPolicy> respawn_policy_from_name(std::string_view name);
std::optional<FaultAction> fault_action_from_name(std::string_view name);
std::optional<GroveState> grove_state_from_name(std::string_view name);

// Every name of each kind, in declaration order (for error messages that list the choices).
std::vector<std::string_view> violation_policy_names();
std::vector<std::string_view> respawn_policy_names();
std::vector<std::string_view> fault_action_names();
std::vector<std::string_view> grove_state_names();

} // namespace grove::scenario

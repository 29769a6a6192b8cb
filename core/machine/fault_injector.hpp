#pragma once
#include <core/base/prng.hpp>
#include <core/kernel/kernel.hpp>
#include <core/machine/fault_action.hpp>
#include <core/trace/runner_events.hpp>

namespace grove {

// What a runner says in the trace when it does something to a grove on its own (a scripted fault): an event of
// `kind` (killed, hung, memory_spike, fault_injected, flood_started or flood_stopped) for the grove, with up to two
// fields and then the kernel's answer as `result` ("ok" or the error's name). Text fields borrow their text.
struct Announcement {
    struct Field {
        char const* key = nullptr;  // nullptr: no field
        char const* text = nullptr; // a text field; nullptr: `value` is written as an integer
        u64 value = 0;
    };
    Ticks time;
    GroveId grove; // the incarnation the fault is applied to; a null id when the grove is not loaded (gen 0)
    GroveName name;
    char const* kind = runner_event::FaultInjected; // a kind of RunnerEventKinds
    Field fields[2];
};

// A backend's trace, as the fault injector writes to it. announce() starts an announcement; the kernel's events
// that come before settle() follow it in the trace, and settle() completes it with the result. The trace must read
// the same on every backend: the announcement's line, then the kernel's events, in the simulator's JSON Lines
// format (sim/scenario/trace.hpp).
class AnnouncementSink {
public:
    virtual ~AnnouncementSink() = default;
    virtual void announce(Announcement const& announcement) = 0;
    virtual void settle(Result<void> const& result) = 0;

protected:
    AnnouncementSink() = default;
    AnnouncementSink(AnnouncementSink const&) = default;
    AnnouncementSink& operator=(AnnouncementSink const&) = default;
};

// The runner's part of a flood-start of a grove that never ran: it spawns its grove `grove_index` (image flooder,
// not started at its start_at) with `arguments` in place of the grove's own. A refusal is the runner's to report
// in the trace (crashed, kind spawn_failed) and comes back as the kernel's error.
class FloodSpawner {
public:
    using Arguments = StaticVector<GroveArgument, MaxArguments>;
    virtual ~FloodSpawner() = default;
    virtual Result<GroveId> spawn_flooder(usize grove_index, Arguments const& arguments) = 0;

protected:
    FloodSpawner() = default;
    FloodSpawner(FloodSpawner const&) = default;
    FloodSpawner& operator=(FloodSpawner const&) = default;
};

// What a power cut does to the sector a disk is writing to its medium when the power fails: its first `tear` bytes
// are the new ones and the rest keep the old (0: the sector is as it was; SectorBytes: it was written whole). The
// fault injector draws it from the run's seed (SeedStream::PowerCuts), the same on every backend.
struct PowerCut {
    static constexpr u32 SectorBytes = 512;
    u32 tear = 0; // 0 .. SectorBytes
};

// The machine's disks as a power cut sees them: each loses every write it has not flushed to its medium, the sector
// it is putting on the medium at `now` (a flush under way) is torn as `cut` says, and the drive comes back as at
// power-on. The simulator's disk models implement it (sim/devices/ata_disk.hpp); on metal QEMU's drive has no
// volatile cache to lose (docs/determinism.md, "Power cuts").
class DiskPower {
public:
    virtual ~DiskPower() = default;
    virtual void cut_power(PowerCut const& cut, Ticks now) = 0;

protected:
    DiskPower() = default;
    DiskPower(DiskPower const&) = default;
    DiskPower& operator=(DiskPower const&) = default;
};

// One scripted fault, as either runner reads it from its script (a scenario's [[faults]], a boot plan's fault
// records). Invariant: bytes is non-zero only for MemorySpike; target and rate are set only for FloodStart.
struct ScriptedFault {
    FaultAction action = FaultAction::Crash;
    GroveName grove;
    usize grove_index = 0; // the runner's index of `grove`, handed back to FloodSpawner
    GroveName target;
    u32 rate = 0; // messages/s, 0: as fast as it can
    Bytes bytes;
};

// Applies scripted faults to the kernel and announces each in the trace, the same way on every backend
// (scenarios/README.md): crash -> Kernel::crash (a fault of kind "fault" at pc 0); kill, stop, restart, hang -> the
// kernel's operations; memory-spike -> Kernel::charge_memory; flood-start -> the flooder is spawned with the
// arguments `target forever 0 rate` (FloodSpawner), restarted when it ran before, or refused with InvalidState
// while it is alive; flood-stop -> a graceful stop; power-cut -> the disks lose what they did not flush (DiskPower,
// the tear drawn from the seed) and the storage stack of the grove reboots: the grove and every grove it may send to
// that has an incarnation are killed (in that order: the grove, then the others by registry slot) and started again
// at once, the others first (restart from Faulted), so that the grove comes back over its drivers. A grove that is
// not loaded gets the kernel's answer to a null id (NotFound).
//
// It also keeps what memory spikes charged to each live incarnation: memory accounted to the grove that no page
// backs, which a check of the frame pool against the groves' usage must leave out.
//
// Borrows the kernel, the sink, the spawner and the disks, which outlive it. Without disks (nullptr) a power cut
// only reboots the storage stack. `seed` is the run's: power cuts draw their tears from its PowerCuts stream.
class FaultInjector {
public:
    FaultInjector(Kernel& kernel, AnnouncementSink& sink, FloodSpawner& spawner, DiskPower* disks = nullptr,
                  u64 seed = 0);
    FaultInjector(FaultInjector const&) = delete;
    FaultInjector& operator=(FaultInjector const&) = delete;

    // Applies `fault` at `now` (the backend's time): the announcement first, then whatever the kernel does.
    void apply(ScriptedFault const& fault, Ticks now);
    // The bytes memory spikes charged to this incarnation of the grove (zero for another incarnation).
    Bytes spiked_memory(Grove const& grove) const;
    // The frames the live groves of `manager` hold: each one's memory charge (its pages and their page tables)
    // less what memory spikes charged without mapping anything. The machine's free frames plus these are all of
    // its frames: the `memory accounting` row of a verdict, on both backends.
    PageCount held_pages(GroveManager const& manager) const;

private:
    struct Spike {
        GroveId grove;
        Bytes bytes;
    };

    Result<void> start_flood(ScriptedFault const& fault, Grove const* grove);
    // The power cut's reboot of `grove` and the groves it may send to; the first error, or success.
    Result<void> reboot_storage(Grove const& grove);
    void note_spike(Grove const& grove, Bytes bytes);

    Kernel& m_kernel;
    AnnouncementSink& m_sink;
    FloodSpawner& m_spawner;
    DiskPower* m_disks;
    Prng m_power_cuts;         // SeedStream::PowerCuts: one draw per power cut
    Spike m_spikes[MaxGroves]; // by registry slot
};

} // namespace grove

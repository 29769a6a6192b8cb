#pragma once
#include <core/base/result.hpp>
#include <core/base/units.hpp>
#include <core/grove/capacity.hpp>
#include <core/grove/limits.hpp>
#include <core/sched/thread.hpp>

namespace grove {

// Admission: a grove's memory, thread and grant limits are reserved for it, from the machine, when it is loaded
// (quotas as Genode keeps them), so the limits of the groves admitted never add up to more than the machine holds
// and a grove within its limits can never make another fail for want of memory, threads or grants. A grove whose limits do not fit
// beside those already admitted is refused at admission (OverCommitted, a `crashed` event of kind spawn_failed),
// before it runs and never later.
//
// A reservation lasts as long as the grove may run again: through every incarnation, its crashes, respawns,
// restarts and stops, and ends when the grove is quarantined (the respawn budget gave up: terminal) or removed.
//
// The budgets are the same on every backend, so a scenario is admitted or refused alike in the simulator and on
// metal: AdmissionMemory is below what each backend's RAM leaves free for groves (metal, 128 MiB under QEMU: about
// 124 MiB free at boot, which the kernel checks; the simulator models 256 MiB), AdmissionThreads is the kernel's
// thread table, AdmissionGrants the kernel's grant table. Page tables are charged to the grove's memory limit, so
// they are inside its reservation.
inline constexpr Bytes AdmissionMemory = mebibytes(96);
inline constexpr Count AdmissionThreads{MaxThreads};
inline constexpr Count AdmissionGrants{MaxGrants};

// The default limits (core/grove/limits.hpp) are one grove's share of the machine among the MaxGroves it holds: any
// MaxGroves groves at default limits are admitted.
static_assert(DefaultGroveMemory.value * MaxGroves <= AdmissionMemory.value);
static_assert(DefaultGroveThreads.value * MaxGroves <= AdmissionThreads.value);
static_assert(DefaultGrants * MaxGroves <= AdmissionGrants.value);

class Admission {
public:
    // Reserves the limits' memory, threads and grants. OverCommitted, and nothing reserved, when one does not fit.
    Result<void> admit(ResourceLimits const& limits) {
        if (limits.memory > AdmissionMemory - m_memory || limits.threads > AdmissionThreads - m_threads ||
            limits.grants > AdmissionGrants - m_grants)
            return Error::OverCommitted;
        m_memory += limits.memory;
        m_threads += limits.threads;
        m_grants += limits.grants;
        return {};
    }

    // Gives back what admit() reserved for these limits.
    void release(ResourceLimits const& limits) {
        GROVE_ASSERT(limits.memory <= m_memory && limits.threads <= m_threads && limits.grants <= m_grants);
        m_memory -= limits.memory;
        m_threads -= limits.threads;
        m_grants -= limits.grants;
    }

    Bytes memory_reserved() const { return m_memory; }
    Count threads_reserved() const { return m_threads; }
    Count grants_reserved() const { return m_grants; }

private:
    Bytes m_memory{};
    Count m_threads{};
    Count m_grants{};
};

} // namespace grove

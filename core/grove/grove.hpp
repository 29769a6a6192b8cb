#pragma once
#include <core/grove/grove_spec.hpp>
#include <core/grove/grove_state.hpp>
#include <core/grove/ids.hpp>
#include <core/grove/loaded_image.hpp>
#include <core/grove/resource_usage.hpp>
#include <core/grove/respawn.hpp>

namespace grove {

// One registered grove: its spec, its state, and its current incarnation. A plain record owned by the Registry
// and written only by the GroveManager; everyone else reads it through `Grove const*`.
// Invariants: has_image is true exactly in Loading, Running and Stopping (an incarnation exists and owns the
// address space image.space); stop_deadline is meaningful in Stopping only; respawn_pending only in Stopped or
// Faulted; restart_pending (a restart waits for the incarnation to end) only in Stopping, and start_pending (that
// incarnation ended: the next tick starts the new one) only in Stopped or Faulted.
struct Grove {
    GroveId id;
    GroveSlot slot = 0;
    GroveStateMachine state; // Loading for a new record; changed by GroveManager only, along the table
    GroveSpec spec;
    LoadedImage image;
    bool has_image = false;
    ResourceUsage usage;
    RespawnHistory history;
    Ticks stop_deadline{};
    bool respawn_pending = false;
    bool restart_pending = false;
    bool start_pending = false;
    Ticks respawn_at{};
    Ticks last_heartbeat{};
    Crash last_crash{};
    u32 crashes = 0; // endings other than clean exits and completed stops, over the grove's registered life

    GroveName const& name() const { return spec.name; }
    bool is_alive() const { return has_image; }
};

} // namespace grove

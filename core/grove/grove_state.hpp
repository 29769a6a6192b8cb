#pragma once
#include <core/base/enum_count.hpp>
#include <core/base/result.hpp>
#include <core/base/std.hpp>

namespace grove {

// The life of one grove. Loading: its address space is built, no thread runs yet. Running: its threads may run.
// Stopping: asked to exit, with a deadline. Stopped: no incarnation exists (clean exit, completed stop). Faulted: the
// incarnation crashed and is gone; a respawn may be scheduled. Quarantined: the respawn budget gave up; only removal
// is left.
enum class GroveState : u8 { Loading, Running, Stopping, Stopped, Faulted, Quarantined };

inline constexpr usize GroveStateCount = 6;

constexpr char const* grove_state_name(GroveState s) {
    switch (s) {
    case GroveState::Loading: return "loading";
    case GroveState::Running: return "running";
    case GroveState::Stopping: return "stopping";
    case GroveState::Stopped: return "stopped";
    case GroveState::Faulted: return "faulted";
    case GroveState::Quarantined: return "quarantined";
    }
    return "unknown";
}

static_assert(count_matches_names<GroveState>(GroveStateCount, grove_state_name));

// The legal transitions, row = from, column = to (in the order of GroveState). Everything else is rejected.
//   Loading  -> Running (started), Stopped (stopped before it started), Faulted (a respawn failed to start)
//   Running  -> Stopping (graceful stop), Stopped (clean exit), Faulted (crash, kill, limit violation)
//   Stopping -> Stopped (exited, or killed at its deadline), Faulted (crashed while stopping)
//   Stopped  -> Loading (restart, or Always respawning after a clean exit), Quarantined (respawn budget spent)
//   Faulted  -> Loading (respawn or restart), Quarantined (gave up)
//   Quarantined: terminal; the grove can only be removed.
inline constexpr bool LegalTransitions[GroveStateCount][GroveStateCount] = {
    //            Loading Running Stopping Stopped Faulted Quarantined
    /* Loading  */ {false, true, false, true, true, false},
    /* Running  */ {false, false, true, true, true, false},
    /* Stopping */ {false, false, false, true, true, false},
    /* Stopped  */ {true, false, false, false, false, true},
    /* Faulted  */ {true, false, false, false, false, true},
    /* Quarantined */ {false, false, false, false, false, false},
};

constexpr bool is_legal_transition(GroveState from, GroveState to) {
    return LegalTransitions[static_cast<usize>(from)][static_cast<usize>(to)];
}

// Ok when `from -> to` is in the table; InvalidState otherwise.
inline Result<void> check_transition(GroveState from, GroveState to) {
    if (!is_legal_transition(from, to)) return Error::InvalidState;
    return {};
}

// A grove's state, which starts in Loading and changes only along LegalTransitions. Callers check the table first
// (check_transition, or the state they switch on); a transition outside it is a broken invariant and panics, it is
// never written. Reads as a GroveState.
class GroveStateMachine {
public:
    constexpr GroveState current() const { return m_state; }
    constexpr operator GroveState() const { return m_state; }

    void transition_to(GroveState to) {
        GROVE_ASSERT(is_legal_transition(m_state, to));
        m_state = to;
    }

private:
    GroveState m_state = GroveState::Loading;
};

} // namespace grove

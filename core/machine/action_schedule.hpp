#pragma once
#include <core/base/assert.hpp>
#include <core/base/units.hpp>

namespace grove {

// Something a runner does at a moment of virtual time: start one of its groves (at the grove's start_at), or
// apply one of its scripted faults. `index` is the runner's own index of the grove or the fault.
struct ScheduledAction {
    enum class Kind : u8 { Start, Fault };
    Ticks at;
    Kind kind = Kind::Start;
    usize index = 0;
};

// A runner's script in the order the machine loop applies it: by time; at one moment the starts before the
// faults; actions of one kind at one moment in the order they were added. The storage is the caller's (a fixed
// table on metal, a vector in the simulator) and must outlive the schedule.
//
// Invariant: m_actions[0, m_count) is in that order; [0, m_next) have been taken. Adding is insertion into an
// almost sorted table (runners add in their file order), close to linear.
class ActionSchedule {
public:
    explicit ActionSchedule(Span<ScheduledAction> storage) : m_actions(storage) {}
    ActionSchedule(ActionSchedule const&) = delete;
    ActionSchedule& operator=(ActionSchedule const&) = delete;

    // Adds an action in its place; every action is added before the first take(). False, with nothing added,
    // when the storage is full.
    bool add(ScheduledAction const& action) {
        GROVE_ASSERT(m_next == 0);
        if (m_count == m_actions.size) return false;
        usize position = m_count;
        while (position > 0 && goes_before(action, m_actions[position - 1])) {
            m_actions[position] = m_actions[position - 1];
            --position;
        }
        m_actions[position] = action;
        ++m_count;
        return true;
    }

    // The time of the next action not taken yet; Ticks::max() when none is left.
    Ticks next_time() const { return m_next < m_count ? m_actions[m_next].at : Ticks::max(); }
    // Whether the next action is due at `now` (its time has come).
    bool is_due(Ticks now) const { return m_next < m_count && m_actions[m_next].at <= now; }
    // The next action, taken; the caller checked is_due() or next_time().
    ScheduledAction const& take() { return m_actions[m_next++]; }
    usize remaining() const { return m_count - m_next; }

private:
    static constexpr bool goes_before(ScheduledAction const& a, ScheduledAction const& b) {
        if (a.at != b.at) return a.at < b.at;
        return a.kind == ScheduledAction::Kind::Start && b.kind == ScheduledAction::Kind::Fault;
    }

    Span<ScheduledAction> m_actions;
    usize m_count = 0;
    usize m_next = 0;
};

} // namespace grove

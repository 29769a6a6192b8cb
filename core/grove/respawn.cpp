#include <core/grove/respawn.hpp>

namespace grove {

namespace {

bool policy_respawns(RespawnPolicy policy, Crash const& crash) {
    switch (policy.mode) {
    case RespawnMode::Never: return false;
    case RespawnMode::Always: return true;
    case RespawnMode::OnFailure:
    case RespawnMode::Limited: return !crash.is_clean_exit();
    }
    return false;
}

bool inside(Ticks t, Ticks window, Ticks now) { return t <= now && now - t < window; }

} // namespace

u32 RespawnHistory::crashes_in_window(Ticks window, Ticks now) const {
    u32 n = 0;
    for (Ticks t : m_crash_times)
        if (inside(t, window, now)) ++n;
    return n;
}

void RespawnHistory::record(RespawnDecision decision, RestartBudget const& budget, Ticks now) {
    if (decision.verdict == RespawnVerdict::StayDown) return;
    if (ran_healthy(budget, now)) {
        m_crash_times.clear();
        m_backoff_exponent = 0;
    }
    for (usize i = 0; i < m_crash_times.size();) {
        if (inside(m_crash_times[i], budget.window, now)) ++i;
        else m_crash_times.erase_at(i);
    }
    if (m_crash_times.is_full()) m_crash_times.erase_at(0);
    (void)m_crash_times.push_back(now);
    if (decision.verdict == RespawnVerdict::Respawn) {
        ++m_respawns;
        ++m_backoff_exponent;
    }
}

RespawnDecision decide_respawn(RespawnPolicy policy, RestartBudget const& budget, RespawnHistory const& history,
                               Crash const& crash, Ticks now) {
    if (!policy_respawns(policy, crash)) return RespawnDecision::stay_down();
    bool const healthy = history.ran_healthy(budget, now);
    u32 const earlier = healthy ? 0 : history.crashes_in_window(budget.window, now);
    if (earlier + 1 > budget.max_crashes) return RespawnDecision::give_up();
    if (policy.mode == RespawnMode::Limited && history.respawns() >= policy.limit) return RespawnDecision::give_up();
    u32 const exponent = healthy ? 0 : history.backoff_exponent();
    return RespawnDecision::respawn(backoff_delay(budget.backoff_base, budget.backoff_cap, exponent));
}

} // namespace grove

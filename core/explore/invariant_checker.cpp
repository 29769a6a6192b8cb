#include <core/explore/invariant_checker.hpp>

namespace grove {

namespace {

// Whether the grove, down, is one the manager has decided to bring back (a respawn or the second half of a
// restart); a quarantined grove never is.
bool is_owed_start(Grove const& g) {
    return g.state != GroveState::Quarantined && (g.respawn_pending || g.start_pending);
}

} // namespace

bool InvariantChecker::check_limits(Registry const& registry, Ticks now, u64 step) {
    bool held = true;
    registry.for_each([&](Grove const& g) {
        if (!held || !g.is_alive()) return;
        ResourceUsage const& usage = g.usage;
        ResourceLimits const& limits = g.spec.limits;
        auto over = [&](u64 used, u64 limit, u64 spec_limit) {
            if (limit != spec_limit) return fail({Invariant::GroveLimits, step, now, g.id.serial, spec_limit, limit});
            if (used > limit) return fail({Invariant::GroveLimits, step, now, g.id.serial, limit, used});
            return true;
        };
        held = over(usage.memory.used().value, usage.memory.limit().value, limits.memory.value) &&
               over(usage.threads.used().value, usage.threads.limit().value, limits.threads.value) &&
               over(usage.file_handles.used().value, usage.file_handles.limit().value, limits.file_handles.value);
    });
    return held;
}

bool InvariantChecker::check_liveness(Registry const& registry, Ticks now, u64 step) {
    bool held = true;
    registry.for_each([&](Grove const& g) {
        Down& down = m_down[g.slot];
        if (g.is_alive() || !is_owed_start(g)) {
            down = Down{};
            return;
        }
        if (down.serial != g.id.serial || down.generation != g.id.generation)
            down = Down{g.id.serial, g.id.generation, now};
        if (!held) return;
        Ticks const from = down.since > m_faults_end ? down.since : m_faults_end;
        Ticks const bound = from + g.spec.restart_budget.backoff_cap + LivenessSlack;
        if (now > bound) held = fail({Invariant::Liveness, step, now, g.id.serial, bound.value, now.value});
    });
    return held;
}

} // namespace grove

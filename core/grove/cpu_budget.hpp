#pragma once
#include <core/base/units.hpp>

namespace grove {

// A share of the CPU per period of virtual time: `percent` of every `period`, periods aligned on multiples of the
// period from time 0 (so every run cuts them the same way). Time charged beyond the budget is a debt paid from the
// following periods: a grove that overran by two budgets waits two periods. Invariant: m_used is the time charged
// to the period m_period_index and not yet paid.
class CpuBudget {
public:
    CpuBudget() = default;
    // percent in 1..100 and period > 0 (ResourceLimits::validate checks it).
    CpuBudget(u32 percent, Ticks period)
        : m_period(period), m_budget(Ticks(period.value / 100 * percent + period.value % 100 * percent / 100)) {
        if (m_budget.is_zero()) m_budget = Ticks(1);
    }

    // Charges `ran` ticks of CPU time, used up to `now`.
    void charge(Ticks ran, Ticks now) {
        roll(now);
        m_used += ran;
    }
    bool is_throttled(Ticks now) const { return runnable_at(now) > now; }
    // `now` when the grove may run, else the start of the first period in which it may run again.
    Ticks runnable_at(Ticks now) const {
        CpuBudget copy = *this;
        copy.roll(now);
        if (copy.m_used < m_budget) return now;
        u64 const periods_to_wait = copy.m_used.value / m_budget.value; // >= 1
        return Ticks((copy.m_period_index + periods_to_wait) * m_period.value);
    }
    Ticks budget() const { return m_budget; }
    Ticks period() const { return m_period; }
    // CPU time charged to the period containing `now`, debt included.
    Ticks used(Ticks now) const {
        CpuBudget copy = *this;
        copy.roll(now);
        return copy.m_used;
    }

private:
    void roll(Ticks now) {
        if (m_period.is_zero()) return;
        u64 const index = now.value / m_period.value;
        if (index <= m_period_index) return;
        u64 const passed = index - m_period_index;
        u64 paid = 0;
        if (!checked_mul(passed, m_budget.value, paid) || paid >= m_used.value) m_used = Ticks(0);
        else m_used -= Ticks(paid);
        m_period_index = index;
    }

    Ticks m_period{};
    Ticks m_budget{};
    u64 m_period_index = 0;
    Ticks m_used{};
};

} // namespace grove

#pragma once
#include <core/base/units.hpp>

namespace grove {

// A token bucket in virtual time: `rate` tokens per second, at most `burst` stored, full at the start. Exact
// integer arithmetic: the level is kept in token-nanoseconds (one token = TicksPerSecond units, and every tick
// adds `rate` units), so no rounding drifts over a long run. Invariant: level <= burst * TicksPerSecond.
class TokenBucket {
public:
    static constexpr u64 TicksPerSecond = 1'000'000'000;

    TokenBucket() = default;
    // rate and burst must be positive (ResourceLimits::validate checks it).
    TokenBucket(u32 rate_per_second, u32 burst, Ticks now)
        : m_rate(rate_per_second), m_capacity(u64{burst} * TicksPerSecond), m_level(m_capacity), m_last(now) {}

    // Takes one token if there is one at `now`; false (and nothing taken) otherwise. Time never runs backwards
    // here: a `now` before the last one counts as the last one.
    bool try_take(Ticks now) {
        refill(now);
        if (m_level < TicksPerSecond) return false;
        m_level -= TicksPerSecond;
        return true;
    }
    // The first time at or after `now` when a token is available.
    Ticks next_token_at(Ticks now) const {
        TokenBucket copy = *this;
        copy.refill(now);
        if (copy.m_level >= TicksPerSecond) return copy.m_last;
        if (m_rate == 0) return Ticks::max();
        u64 const missing = TicksPerSecond - copy.m_level;
        return Ticks(copy.m_last.value + (missing + m_rate - 1) / m_rate);
    }
    // Whole tokens available at `now`.
    u64 tokens(Ticks now) const {
        TokenBucket copy = *this;
        copy.refill(now);
        return copy.m_level / TicksPerSecond;
    }

private:
    void refill(Ticks now) {
        if (now <= m_last) return;
        u64 const elapsed = now.value - m_last.value;
        u64 added = 0;
        if (!checked_mul(elapsed, m_rate, added) || !checked_add(m_level, added, m_level) || m_level > m_capacity)
            m_level = m_capacity;
        m_last = now;
    }

    u64 m_rate = 0;
    u64 m_capacity = 0;
    u64 m_level = 0;
    Ticks m_last{};
};

} // namespace grove

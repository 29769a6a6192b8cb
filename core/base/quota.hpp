#pragma once
#include <core/base/units.hpp>

namespace grove {

// A budget of one kind of quantity: a limit and what is in use. try_withdraw either takes all of the amount or
// nothing; replenish gives back what was taken. Invariant: used <= limit, except after the limit was lowered below
// what is in use (then nothing more can be withdrawn until enough is given back).
template<typename Q>
class Quota {
public:
    constexpr Quota() = default;
    constexpr explicit Quota(Q limit) : m_limit(limit) {}

    constexpr bool try_withdraw(Q amount) {
        if (amount > available()) return false;
        m_used += amount;
        if (m_used > m_peak) m_peak = m_used;
        return true;
    }
    // Giving back more than is in use is a broken invariant in the caller; it clamps to zero here and says so.
    constexpr bool replenish(Q amount) {
        if (amount > m_used) {
            m_used = Q{};
            return false;
        }
        m_used -= amount;
        return true;
    }
    constexpr Q available() const { return m_used >= m_limit ? Q{} : m_limit - m_used; }
    constexpr Q used() const { return m_used; }
    constexpr Q peak() const { return m_peak; }
    constexpr Q limit() const { return m_limit; }
    constexpr void set_limit(Q limit) { m_limit = limit; }

private:
    Q m_limit{};
    Q m_used{};
    Q m_peak{};
};

// A plain count (threads, handles) as a quota.
struct CountTag {};
using Count = Quantity<CountTag>;

} // namespace grove

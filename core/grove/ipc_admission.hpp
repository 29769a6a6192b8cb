#pragma once
#include <core/base/units.hpp>

namespace grove {

// The answer to "may this grove send one more message now?" under its IPC rate limit. Allow: send. Throttle: the
// sender waits until `until` (virtual time) and asks again. Refuse: the send fails with LimitExceeded.
struct IpcAdmission {
    enum class Kind : u8 { Allow, Throttle, Refuse };
    Kind kind = Kind::Allow;
    Ticks until{}; // Throttle only

    static constexpr IpcAdmission allow() { return {Kind::Allow, {}}; }
    static constexpr IpcAdmission throttle(Ticks until) { return {Kind::Throttle, until}; }
    static constexpr IpcAdmission refuse() { return {Kind::Refuse, {}}; }
    constexpr bool operator==(IpcAdmission const&) const = default;
};

} // namespace grove

#pragma once
#include <core/base/result.hpp>
#include <core/base/static_vector.hpp>
#include <core/base/units.hpp>
#include <core/grove/crash.hpp>

namespace grove {

// When a grove that ended is started again.
//   Never      never;
//   Always     after every ending, a clean exit (code 0) included;
//   OnFailure  after every ending except a clean exit;
//   Limited(n) like OnFailure, at most n respawns over the grove's registered life; the next failure gives up.
// Every policy that respawns is also bounded by the grove's RestartBudget.
enum class RespawnMode : u8 { Never = 0, Always = 1, OnFailure = 2, Limited = 3 };

constexpr char const* respawn_mode_name(RespawnMode m) {
    switch (m) {
    case RespawnMode::Never: return "never";
    case RespawnMode::Always: return "always";
    case RespawnMode::OnFailure: return "on_failure";
    case RespawnMode::Limited: return "limited";
    }
    return "unknown";
}

struct RespawnPolicy {
    RespawnMode mode = RespawnMode::Never;
    u32 limit = 0; // Limited only: respawns allowed

    static constexpr RespawnPolicy never() { return {RespawnMode::Never, 0}; }
    static constexpr RespawnPolicy always() { return {RespawnMode::Always, 0}; }
    static constexpr RespawnPolicy on_failure() { return {RespawnMode::OnFailure, 0}; }
    static constexpr RespawnPolicy limited(u32 n) { return {RespawnMode::Limited, n}; }
    constexpr bool operator==(RespawnPolicy const&) const = default;
};

// The history a respawn decision keeps at most: crashes inside one window.
inline constexpr usize MaxCrashesPerWindow = 32;

// How often a grove may be respawned. At most `max_crashes` endings in any `window` of virtual time (the ending
// being decided counts; an ending at time t is inside the window at `now` when now - t < window); more gives up.
// Between respawns the delay is backoff_base * 2^k, k = respawns since the last healthy run, capped at
// backoff_cap. An incarnation that ran for at least `healthy_uptime` before it ended resets k and forgets the
// earlier endings of the window.
struct RestartBudget {
    u32 max_crashes = 5;
    Ticks window = seconds(60);
    Ticks backoff_base = milliseconds(100);
    Ticks backoff_cap = seconds(30);
    Ticks healthy_uptime = seconds(60);

    // InvalidArgument when max_crashes >= MaxCrashesPerWindow or the cap is below the base.
    Result<void> validate() const {
        if (max_crashes >= MaxCrashesPerWindow) return Error::InvalidArgument;
        if (backoff_cap < backoff_base) return Error::InvalidArgument;
        return {};
    }
};

enum class RespawnVerdict : u8 { StayDown = 0, Respawn = 1, GiveUp = 2 };

constexpr char const* respawn_verdict_name(RespawnVerdict v) {
    switch (v) {
    case RespawnVerdict::StayDown: return "stay_down";
    case RespawnVerdict::Respawn: return "respawn";
    case RespawnVerdict::GiveUp: return "give_up";
    }
    return "unknown";
}

struct RespawnDecision {
    RespawnVerdict verdict = RespawnVerdict::StayDown;
    Ticks delay{}; // Respawn only

    static constexpr RespawnDecision stay_down() { return {RespawnVerdict::StayDown, {}}; }
    static constexpr RespawnDecision respawn(Ticks delay) { return {RespawnVerdict::Respawn, delay}; }
    static constexpr RespawnDecision give_up() { return {RespawnVerdict::GiveUp, {}}; }
    constexpr bool operator==(RespawnDecision const&) const = default;
};

// What the respawn decisions of one grove remember across its incarnations. Invariant: m_crash_times is in
// increasing order and holds at most MaxCrashesPerWindow entries, all recorded endings that counted.
class RespawnHistory {
public:
    // An incarnation started at `now` (its uptime is measured from here).
    void record_start(Ticks now) { m_started_at = now; }
    // Applies a decision that decide_respawn returned for this history and `now`. Only endings that were
    // respawned or gave up count toward the window.
    void record(RespawnDecision decision, RestartBudget const& budget, Ticks now);

    // Recorded endings inside the window at `now` (decide_respawn ignores them all after a healthy run).
    u32 crashes_in_window(Ticks window, Ticks now) const;
    bool ran_healthy(RestartBudget const& budget, Ticks now) const {
        return now >= m_started_at && now - m_started_at >= budget.healthy_uptime;
    }
    u32 backoff_exponent() const { return m_backoff_exponent; }
    u32 respawns() const { return m_respawns; }
    Ticks started_at() const { return m_started_at; }

private:
    StaticVector<Ticks, MaxCrashesPerWindow> m_crash_times;
    u32 m_backoff_exponent = 0;
    u32 m_respawns = 0;
    Ticks m_started_at{};
};

// base * 2^exponent, capped at `cap`, without overflow.
constexpr Ticks backoff_delay(Ticks base, Ticks cap, u32 exponent) {
    u64 delay = base.value;
    for (u32 i = 0; i < exponent && delay < cap.value; ++i)
        if (!checked_mul(delay, 2, delay)) return cap;
    return delay > cap.value ? cap : Ticks(delay);
}

// The decision for an incarnation that ended with `crash` at `now`: pure, it reads the history and changes nothing.
RespawnDecision decide_respawn(RespawnPolicy policy, RestartBudget const& budget, RespawnHistory const& history,
                               Crash const& crash, Ticks now);

} // namespace grove

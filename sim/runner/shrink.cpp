#include <sim/runner/shrink.hpp>
#include <sim/scenario/quantity_text.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace grove::runner {

using scenario::Scenario;

std::string failure_name(std::string const& failure_text) {
    usize const end = failure_text.find(": expected ");
    if (end != std::string::npos) return failure_text.substr(0, end);
    // "the run did not finish: <why>": the why names where it stopped, which shrinking changes.
    usize const colon = failure_text.find(": ");
    return colon == std::string::npos ? failure_text : failure_text.substr(0, colon);
}

namespace {

bool names_grove(scenario::EventMatcher const& matcher, std::string const& grove) {
    return matcher.grove && *matcher.grove == grove;
}

// `s` without grove `name` and without everything that mentions it (capabilities, expectations). The caller
// makes sure no fault names it.
Scenario without_grove(Scenario s, std::string const& name) {
    std::erase_if(s.groves, [&](scenario::GroveSpec const& g) { return g.name == name; });
    for (scenario::GroveSpec& g : s.groves) {
        std::erase(g.capabilities.ipc_send, name);
        std::erase(g.capabilities.ipc_receive, name);
        std::erase(g.capabilities.crash_watch, name);
    }
    scenario::Expectations& e = s.expect;
    std::erase_if(e.final_states, [&](auto const& state) { return state.first == name; });
    std::erase_if(e.counts, [&](scenario::CountExpectation const& c) { return c.grove == name; });
    std::erase_if(e.served, [&](scenario::ServedExpectation const& served) { return served.grove == name; });
    std::erase_if(e.absent, [&](scenario::EventMatcher const& m) { return names_grove(m, name); });
    std::erase_if(e.sequences, [&](std::vector<scenario::EventMatcher> const& sequence) {
        return std::any_of(sequence.begin(), sequence.end(),
                           [&](scenario::EventMatcher const& m) { return names_grove(m, name); });
    });
    return s;
}

bool fault_names(Scenario const& s, std::string const& grove) {
    return std::any_of(s.faults.begin(), s.faults.end(),
                       [&](scenario::Fault const& f) { return f.grove == grove || f.target == grove; });
}

// The earliest duration a candidate may have: after every fault and every grove's start.
Ticks shortest_duration(Scenario const& s) {
    Ticks latest{};
    for (scenario::Fault const& f : s.faults) latest = std::max(latest, f.at);
    for (scenario::GroveSpec const& g : s.groves) latest = std::max(latest, g.start_at);
    return latest + Ticks(1);
}

class Shrinker {
public:
    explicit Shrinker(ShrinkProbe const& probe) : m_probe(probe) {}

    ShrinkResult run(Scenario const& original) {
        m_result.scenario = original;
        ProbeOutcome const first = probe(original);
        if (first.refused) return fail(fmt::format("the scenario cannot be run: {}", first.reason));
        if (first.failed.empty()) return fail("the run does not fail: nothing to shrink");
        // An invariant broken is the most specific failure a run has; the expectations after it often follow from
        // the run ending there.
        auto const invariant = std::find_if(first.failed.begin(), first.failed.end(),
                                            [](std::string const& name) { return name.rfind("invariant: ", 0) == 0; });
        m_result.failure = invariant != first.failed.end() ? *invariant : first.failed.front();
        for (bool changed = true; changed;) {
            usize const before = m_result.steps.size();
            shrink_faults();
            shrink_groves();
            shrink_duration();
            changed = m_result.steps.size() != before;
        }
        return std::move(m_result);
    }

private:
    ShrinkResult fail(std::string error) {
        m_result.error = std::move(error);
        return std::move(m_result);
    }

    ProbeOutcome probe(Scenario const& candidate) {
        ++m_result.runs;
        return m_probe(candidate);
    }

    // Keeps `candidate` when it fails the same way; true then.
    bool keep_if_same(Scenario candidate, std::string step) {
        ProbeOutcome const outcome = probe(candidate);
        if (outcome.refused ||
            std::find(outcome.failed.begin(), outcome.failed.end(), m_result.failure) == outcome.failed.end())
            return false;
        m_result.scenario = std::move(candidate);
        m_result.steps.push_back(std::move(step));
        return true;
    }

    void shrink_faults() {
        usize parts = 2;
        while (!m_result.scenario.faults.empty()) {
            std::vector<scenario::Fault> const faults = m_result.scenario.faults;
            usize const chunk = (faults.size() + parts - 1) / parts;
            bool removed = false;
            for (usize begin = 0; begin < faults.size() && !removed; begin += chunk) {
                usize const end = std::min(faults.size(), begin + chunk);
                Scenario candidate = m_result.scenario;
                candidate.faults.erase(candidate.faults.begin() + static_cast<std::ptrdiff_t>(begin),
                                       candidate.faults.begin() + static_cast<std::ptrdiff_t>(end));
                std::string const step =
                    end - begin == 1 ? fmt::format("removed fault {} of {} ({} {} at {})", begin + 1, faults.size(),
                                                   fault_action_name(faults[begin].action), faults[begin].grove,
                                                   scenario::format_duration(faults[begin].at))
                                     : fmt::format("removed faults {}..{} of {}", begin + 1, end, faults.size());
                removed = keep_if_same(std::move(candidate), step);
            }
            if (removed) {
                parts = std::max<usize>(parts - 1, 2);
                continue;
            }
            if (chunk == 1) return;
            parts = std::min(faults.size(), parts * 2);
        }
    }

    void shrink_groves() {
        for (usize i = m_result.scenario.groves.size(); i-- > 0;) {
            if (m_result.scenario.groves.size() == 1) return;
            std::string const name = m_result.scenario.groves[i].name;
            if (fault_names(m_result.scenario, name)) continue;
            (void)keep_if_same(without_grove(m_result.scenario, name), fmt::format("removed grove {}", name));
        }
    }

    void shrink_duration() {
        Ticks low = shortest_duration(m_result.scenario);
        Ticks high = m_result.scenario.duration; // fails
        constexpr Ticks Resolution = microseconds(1);
        while (low < high && high - low >= Resolution) {
            Ticks const middle = low + Ticks((high - low).value / 2);
            Scenario candidate = m_result.scenario;
            candidate.duration = middle;
            if (keep_if_same(std::move(candidate), fmt::format("duration {}", scenario::format_duration(middle))))
                high = middle;
            else low = middle + Ticks(1);
        }
    }

    ShrinkProbe const& m_probe;
    ShrinkResult m_result;
};

} // namespace

ShrinkResult shrink_failure(Scenario const& explicit_scenario, ShrinkProbe const& probe) {
    return Shrinker(probe).run(explicit_scenario);
}

} // namespace grove::runner

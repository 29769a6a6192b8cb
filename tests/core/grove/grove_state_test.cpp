#include <core/grove/grove_state.hpp>

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace grove {
namespace {

using S = GroveState;

constexpr S AllStates[] = {S::Loading, S::Running, S::Stopping, S::Stopped, S::Faulted, S::Quarantined};

// The legal transitions, listed independently of the table.
std::set<std::pair<S, S>> const Legal = {
    {S::Loading, S::Running}, {S::Loading, S::Stopped},     {S::Loading, S::Faulted},  {S::Running, S::Stopping},
    {S::Running, S::Stopped}, {S::Running, S::Faulted},     {S::Stopping, S::Stopped}, {S::Stopping, S::Faulted},
    {S::Stopped, S::Loading}, {S::Stopped, S::Quarantined}, {S::Faulted, S::Loading},  {S::Faulted, S::Quarantined},
};

TEST(GroveState, EveryPairOfTheTableIsLegalExactlyWhenListed) {
    int legal = 0;
    for (S from : AllStates) {
        for (S to : AllStates) {
            bool const expected = Legal.count({from, to}) != 0;
            EXPECT_EQ(is_legal_transition(from, to), expected)
                << grove_state_name(from) << " -> " << grove_state_name(to);
            Result<void> r = check_transition(from, to);
            EXPECT_EQ(r.has_value(), expected);
            if (!expected) { EXPECT_EQ(r.error(), Error::InvalidState); }
            legal += expected ? 1 : 0;
        }
    }
    EXPECT_EQ(legal, 12);
}

TEST(GroveState, NoStateMayStayInPlaceAndQuarantineIsTerminal) {
    for (S s : AllStates) {
        EXPECT_FALSE(is_legal_transition(s, s)) << grove_state_name(s);
        EXPECT_FALSE(is_legal_transition(S::Quarantined, s));
    }
}

// A machine in `state`, reached from Loading along legal transitions only.
GroveStateMachine machine_in(S state) {
    GroveStateMachine m;
    switch (state) {
    case S::Loading: break;
    case S::Running: m.transition_to(S::Running); break;
    case S::Stopping:
        m.transition_to(S::Running);
        m.transition_to(S::Stopping);
        break;
    case S::Stopped: m.transition_to(S::Stopped); break;
    case S::Faulted: m.transition_to(S::Faulted); break;
    case S::Quarantined:
        m.transition_to(S::Faulted);
        m.transition_to(S::Quarantined);
        break;
    }
    return m;
}

TEST(GroveStateMachine, StartsLoadingAndTakesEveryLegalTransition) {
    EXPECT_EQ(GroveStateMachine{}.current(), S::Loading);
    for (auto const& [from, to] : Legal) {
        GroveStateMachine m = machine_in(from);
        ASSERT_EQ(m.current(), from);
        m.transition_to(to);
        EXPECT_EQ(m.current(), to) << grove_state_name(from) << " -> " << grove_state_name(to);
    }
}

TEST(GroveStateMachineDeathTest, EveryIllegalTransitionPanicsInsteadOfWriting) {
    int illegal = 0;
    for (S from : AllStates) {
        for (S to : AllStates) {
            if (Legal.count({from, to}) != 0) continue;
            ++illegal;
            GroveStateMachine m = machine_in(from);
            EXPECT_DEATH(m.transition_to(to), "core panic at .*grove_state.hpp.*is_legal_transition")
                << grove_state_name(from) << " -> " << grove_state_name(to);
            EXPECT_EQ(m.current(), from);
        }
    }
    EXPECT_EQ(illegal, 24);
}

TEST(GroveState, TableIsUsableAtCompileTime) {
    static_assert(is_legal_transition(S::Running, S::Stopping));
    static_assert(!is_legal_transition(S::Stopped, S::Running));
    EXPECT_STREQ(grove_state_name(S::Quarantined), "quarantined");
}

} // namespace
} // namespace grove

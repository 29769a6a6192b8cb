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
    {S::Loading, S::Running},     {S::Loading, S::Stopped},      {S::Loading, S::Faulted},
    {S::Running, S::Stopping},    {S::Running, S::Stopped},      {S::Running, S::Faulted},
    {S::Stopping, S::Stopped},    {S::Stopping, S::Faulted},     {S::Stopped, S::Loading},
    {S::Stopped, S::Quarantined}, {S::Faulted, S::Loading},      {S::Faulted, S::Quarantined},
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
            if (!expected) {
                EXPECT_EQ(r.error(), Error::InvalidState);
            }
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

TEST(GroveState, TableIsUsableAtCompileTime) {
    static_assert(is_legal_transition(S::Running, S::Stopping));
    static_assert(!is_legal_transition(S::Stopped, S::Running));
    EXPECT_STREQ(grove_state_name(S::Quarantined), "quarantined");
}

} // namespace
} // namespace grove

#pragma once
#include <core/base/std.hpp>

namespace grove {

// True when `count` is the number of a closed enum's enumerators 0..count-1: `name_of` (a switch over every
// enumerator, which -Wswitch keeps complete) names each value below `count` and answers `unknown` for `count`
// itself. A static_assert on it ties a count constant to its enum: an enumerator added (and named) without
// raising the count fails to compile.
template<typename E, typename NameOf>
constexpr bool count_matches_names(usize count, NameOf name_of, char const* unknown = "unknown") {
    auto is_unknown = [&](usize value) {
        char const* name = name_of(static_cast<E>(value));
        usize i = 0;
        for (; name[i] != 0 && unknown[i] != 0; ++i)
            if (name[i] != unknown[i]) return false;
        return name[i] == unknown[i];
    };
    for (usize i = 0; i < count; ++i)
        if (is_unknown(i)) return false;
    return is_unknown(count);
}

} // namespace grove

#pragma once
// What a harness does when a property of the code under test does not hold: say which, and abort, which libFuzzer
// reports as a crash and keeps the input of.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace grove::fuzz {

inline void require(bool holds, std::string_view what) {
    if (holds) return;
    std::fprintf(stderr, "fuzz: property broken: %.*s\n", static_cast<int>(what.size()), what.data());
    std::abort();
}

} // namespace grove::fuzz

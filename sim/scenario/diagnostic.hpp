#pragma once
#include <core/base/std.hpp>

#include <string>

namespace grove::scenario {

// Where input went wrong and what to do about it. `line` and `column` count from 1; 0 means the problem has no
// position (a file that cannot be opened). text() is the form a person reads:
//   "file:line:column: what is wrong; what to do"   or   "file: what is wrong; what to do".
struct Diagnostic {
    std::string file;
    u32 line = 0;
    u32 column = 0;
    std::string message;

    std::string text() const;
    bool operator==(Diagnostic const&) const = default;
};

} // namespace grove::scenario

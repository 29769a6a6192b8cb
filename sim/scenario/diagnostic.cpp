#include <sim/scenario/diagnostic.hpp>
#include <sim/scenario/untrusted_text.hpp>

#include <fmt/format.h>

namespace grove::scenario {

std::string Diagnostic::text() const {
    // The message quotes what it names from the input; printable() keeps anything that slipped through (and the
    // file name) from reaching the terminal as control characters.
    if (line == 0) return fmt::format("{}: {}", printable(file, 256), printable(message));
    return fmt::format("{}:{}:{}: {}", printable(file, 256), line, column, printable(message));
}

} // namespace grove::scenario

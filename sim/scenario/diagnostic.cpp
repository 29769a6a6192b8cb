#include <sim/scenario/diagnostic.hpp>

#include <fmt/format.h>

namespace grove::scenario {

std::string Diagnostic::text() const {
    if (line == 0) return fmt::format("{}: {}", file, message);
    return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

} // namespace grove::scenario

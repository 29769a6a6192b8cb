#pragma once
#include <sim/scenario/diagnostic.hpp>

#include <utility>
#include <variant>

namespace grove::scenario {

// The outcome of reading outside input: a value or a Diagnostic, never both. The host-side counterpart of
// core's Result (std::expected is not in this compiler's library). Reading the wrong side is a programming error
// (std::get rejects it).
template<typename T>
class [[nodiscard]] Parsed {
public:
    Parsed(T value) : m_outcome(std::in_place_index<0>, std::move(value)) {}
    Parsed(Diagnostic diagnostic) : m_outcome(std::in_place_index<1>, std::move(diagnostic)) {}

    bool has_value() const { return m_outcome.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T const& value() const& { return std::get<0>(m_outcome); }
    T& value() & { return std::get<0>(m_outcome); }
    T release_value() { return std::move(std::get<0>(m_outcome)); }
    Diagnostic const& error() const { return std::get<1>(m_outcome); }

private:
    std::variant<T, Diagnostic> m_outcome;
};

} // namespace grove::scenario

#pragma once
#include <core/base/std.hpp>

#include <string>
#include <variant>

namespace grove::scenario {

// The value of one field of a trace event, or of an event matcher: text or an integer. Invariant: a non-negative
// integer is always held as u64 and only a negative one as i64, so that equal numbers compare equal whichever
// way they were made (a TOML integer is signed, an address in a trace is unsigned).
class FieldValue {
public:
    FieldValue() : m_value(std::string()) {}
    static FieldValue text(std::string value) { return FieldValue(std::move(value)); }
    static FieldValue integer(i64 value) {
        if (value >= 0) return FieldValue(static_cast<u64>(value));
        return FieldValue(value);
    }
    static FieldValue unsigned_integer(u64 value) { return FieldValue(value); }

    bool is_text() const { return std::holds_alternative<std::string>(m_value); }
    bool is_negative() const { return std::holds_alternative<i64>(m_value); }
    bool is_unsigned() const { return std::holds_alternative<u64>(m_value); }
    std::string const& as_text() const { return std::get<std::string>(m_value); }
    i64 as_negative() const { return std::get<i64>(m_value); }
    u64 as_unsigned() const { return std::get<u64>(m_value); }

    // Text as it is, numbers in decimal. The form used in verdict rows.
    std::string to_string() const {
        if (is_text()) return as_text();
        if (is_negative()) return std::to_string(as_negative());
        return std::to_string(as_unsigned());
    }

    bool operator==(FieldValue const&) const = default;

private:
    explicit FieldValue(std::string value) : m_value(std::move(value)) {}
    explicit FieldValue(u64 value) : m_value(value) {}
    explicit FieldValue(i64 value) : m_value(value) {}

    std::variant<std::string, u64, i64> m_value;
};

} // namespace grove::scenario

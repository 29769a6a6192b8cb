#pragma once
// Internal to the scenario parser: not part of the library's interface (it exposes toml++).
#include <core/base/units.hpp>

#include <toml++/toml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grove::scenario {

// A problem at a place in the scenario file. Thrown inside the parser and turned into a Diagnostic at its
// boundary; it never leaves the library.
struct SourceError {
    u32 line = 1;
    u32 column = 1;
    std::string message;
};

// The position of a node or key, 1:1 when toml++ knows none (the root table).
toml::source_position position_of(toml::source_region const& region);

[[noreturn]] void fail_at(toml::source_region const& region, std::string message);

// "a string", "an integer", "a table"... for "must be X, not Y" messages.
std::string_view type_phrase(toml::node const& node);

// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo.
std::optional<std::string_view> closest_match(std::string_view word, std::vector<std::string_view> const& candidates);
// "a, b or c"
std::string join_choices(std::vector<std::string_view> const& choices);
// " (did you mean 'x'?)" or nothing.
std::string suggestion(std::string_view word, std::vector<std::string_view> const& candidates);

// One TOML table read strictly. Construction rejects every key outside `known_keys` (the first in file order, with
// a suggestion); the getters check type and range and fail with the key's position, naming `context` ("grove
// 'echo'", "[expect]"). The table is borrowed: it must outlive the reader. Failures throw SourceError.
class StrictTable {
public:
    StrictTable(toml::table const& table, std::string context, std::initializer_list<std::string_view> known_keys);
    StrictTable(toml::table const& table, std::string context, std::vector<std::string_view> const& known_keys);

    toml::table const& table() const { return m_table; }
    std::string const& context() const { return m_context; }
    toml::node const* find(std::string_view key) const { return m_table.get(key); }
    bool contains(std::string_view key) const { return find(key) != nullptr; }

    // Required values fail, at the table, when the key is missing; `example` shows what to write.
    std::string required_text(std::string_view key, std::string_view example) const;
    toml::node const& required(std::string_view key, std::string_view example) const;

    std::string text_or(std::string_view key, std::string fallback) const;
    bool boolean_or(std::string_view key, bool fallback) const;
    // A non-negative integer in [min, max].
    u64 integer_or(std::string_view key, u64 min, u64 max, u64 fallback) const;
    // An integer of nanoseconds or a text like "250ms" (quantity_text.hpp), at least `min`.
    Ticks duration_or(std::string_view key, Ticks fallback, Ticks min = Ticks(0)) const;
    // An integer of bytes or a text like "64MiB", in [min, max].
    Bytes size_or(std::string_view key, Bytes min, Bytes max, Bytes fallback) const;
    toml::array const* array_or_null(std::string_view key) const;
    toml::table const* table_or_null(std::string_view key) const;

    // The same checks on a node that is not directly under a key (array elements); `what` names it in messages.
    static u64 integer_in(toml::node const& node, std::string_view what, u64 min, u64 max);
    static Ticks duration_in(toml::node const& node, std::string_view what, Ticks min);
    static Bytes size_in(toml::node const& node, std::string_view what, Bytes min, Bytes max);
    static std::string text_in(toml::node const& node, std::string_view what);

    // "'key' in <context>"
    std::string describe(std::string_view key) const;

private:
    void reject_unknown_keys(std::vector<std::string_view> const& known_keys) const;

    toml::table const& m_table;
    std::string m_context;
};

} // namespace grove::scenario

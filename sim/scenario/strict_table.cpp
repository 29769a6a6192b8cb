#include <sim/scenario/quantity_text.hpp>
#include <sim/scenario/strict_table.hpp>
#include <sim/scenario/untrusted_text.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace grove::scenario {
namespace {

constexpr std::string_view DurationAdvice =
    "write a whole number and a unit (ns, us, ms or s) like \"250ms\", or an integer of nanoseconds";
constexpr std::string_view SizeAdvice =
    "write a whole number and a unit (B, KiB, MiB or GiB) like \"64MiB\", or an integer of bytes";

usize edit_distance(std::string_view a, std::string_view b) {
    std::vector<usize> previous(b.size() + 1);
    std::vector<usize> current(b.size() + 1);
    for (usize j = 0; j <= b.size(); ++j) previous[j] = j;
    for (usize i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (usize j = 1; j <= b.size(); ++j) {
            usize const substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// A quoted rendering of a value for messages, cut short when long.
std::string shown(toml::node const& node) {
    if (auto const* text = node.as_string()) return quoted_text(text->get(), 40, '"');
    if (auto const* integer = node.as_integer()) return std::to_string(integer->get());
    return std::string(type_phrase(node));
}

} // namespace

toml::source_position position_of(toml::source_region const& region) {
    if (region.begin.line == 0) return {1, 1};
    return {region.begin.line, std::max<toml::source_index>(region.begin.column, 1)};
}

void fail_at(toml::source_region const& region, std::string message) {
    toml::source_position const position = position_of(region);
    throw SourceError{position.line, position.column, std::move(message)};
}

std::string_view type_phrase(toml::node const& node) {
    switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
    }
    return "nothing";
}

std::optional<std::string_view> closest_match(std::string_view word, std::vector<std::string_view> const& candidates) {
    std::optional<std::string_view> best;
    usize best_distance = 3; // more than two edits away is not a typo
    for (std::string_view candidate : candidates) {
        usize const length_gap =
            word.size() > candidate.size() ? word.size() - candidate.size() : candidate.size() - word.size();
        if (length_gap >= best_distance) continue;
        usize const distance = edit_distance(word, candidate);
        // At most half the letters changed: "b" is not a typo of "a", "echoo" is one of "echo".
        if (distance < best_distance && 2 * distance <= std::max(word.size(), candidate.size())) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

std::string join_choices(std::vector<std::string_view> const& choices) {
    std::string text;
    for (usize i = 0; i < choices.size(); ++i) {
        if (i > 0) text += i + 1 == choices.size() ? " or " : ", ";
        text += choices[i];
    }
    return text;
}

std::string suggestion(std::string_view word, std::vector<std::string_view> const& candidates) {
    if (auto const match = closest_match(word, candidates)) return fmt::format(" (did you mean '{}'?)", *match);
    return "";
}

StrictTable::StrictTable(toml::table const& table, std::string context,
                         std::initializer_list<std::string_view> known_keys)
    : StrictTable(table, std::move(context), std::vector<std::string_view>(known_keys)) {}

StrictTable::StrictTable(toml::table const& table, std::string context, std::vector<std::string_view> const& known_keys)
    : m_table(table), m_context(std::move(context)) {
    reject_unknown_keys(known_keys);
}

void StrictTable::reject_unknown_keys(std::vector<std::string_view> const& known_keys) const {
    // The table is ordered by key; report the unknown key that comes first in the file.
    toml::key const* first_unknown = nullptr;
    for (auto const& [key, value] : m_table) {
        if (std::find(known_keys.begin(), known_keys.end(), key.str()) != known_keys.end()) continue;
        toml::source_position const here = position_of(key.source());
        if (first_unknown == nullptr) {
            first_unknown = &key;
            continue;
        }
        toml::source_position const best = position_of(first_unknown->source());
        if (here.line < best.line || (here.line == best.line && here.column < best.column)) first_unknown = &key;
    }
    if (first_unknown == nullptr) return;
    fail_at(first_unknown->source(),
            fmt::format("unknown key {} in {}{}; the keys here are {}", quoted_text(first_unknown->str()), m_context,
                        suggestion(first_unknown->str(), known_keys), join_choices(known_keys)));
}

std::string StrictTable::describe(std::string_view key) const { return fmt::format("'{}' in {}", key, m_context); }

toml::node const& StrictTable::required(std::string_view key, std::string_view example) const {
    toml::node const* node = find(key);
    if (node == nullptr) fail_at(m_table.source(), fmt::format("{} has no '{}'; add {}", m_context, key, example));
    return *node;
}

std::string StrictTable::required_text(std::string_view key, std::string_view example) const {
    toml::node const& node = required(key, example);
    if (!node.is_string())
        fail_at(node.source(),
                fmt::format("{} must be a string, not {}; write {}", describe(key), type_phrase(node), example));
    return node.as_string()->get();
}

std::string StrictTable::text_or(std::string_view key, std::string fallback) const {
    toml::node const* node = find(key);
    if (node == nullptr) return fallback;
    return text_in(*node, describe(key));
}

bool StrictTable::boolean_or(std::string_view key, bool fallback) const {
    toml::node const* node = find(key);
    if (node == nullptr) return fallback;
    if (!node->is_boolean())
        fail_at(node->source(), fmt::format("{} must be a boolean, not {}; write {} = true or {} = false",
                                            describe(key), type_phrase(*node), key, key));
    return node->as_boolean()->get();
}

u64 StrictTable::integer_or(std::string_view key, u64 min, u64 max, u64 fallback) const {
    toml::node const* node = find(key);
    if (node == nullptr) return fallback;
    return integer_in(*node, describe(key), min, max);
}

Ticks StrictTable::duration_or(std::string_view key, Ticks fallback, Ticks min) const {
    toml::node const* node = find(key);
    if (node == nullptr) return fallback;
    return duration_in(*node, describe(key), min);
}

Bytes StrictTable::size_or(std::string_view key, Bytes min, Bytes max, Bytes fallback) const {
    toml::node const* node = find(key);
    if (node == nullptr) return fallback;
    return size_in(*node, describe(key), min, max);
}

toml::array const* StrictTable::array_or_null(std::string_view key) const {
    toml::node const* node = find(key);
    if (node == nullptr) return nullptr;
    if (!node->is_array())
        fail_at(node->source(),
                fmt::format("{} must be an array, not {}; write {} = [ ... ]", describe(key), type_phrase(*node), key));
    return node->as_array();
}

toml::table const* StrictTable::table_or_null(std::string_view key) const {
    toml::node const* node = find(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table())
        fail_at(node->source(), fmt::format("{} must be a table, not {}; write {} = {{ ... }} or a [{}] section",
                                            describe(key), type_phrase(*node), key, key));
    return node->as_table();
}

std::string StrictTable::text_in(toml::node const& node, std::string_view what) {
    if (!node.is_string())
        fail_at(node.source(),
                fmt::format("{} must be a string, not {}; put the text in double quotes", what, type_phrase(node)));
    return node.as_string()->get();
}

u64 StrictTable::integer_in(toml::node const& node, std::string_view what, u64 min, u64 max) {
    if (!node.is_integer())
        fail_at(node.source(), fmt::format("{} must be an integer, not {}; write a whole number from {} to {}", what,
                                           type_phrase(node), min, max));
    i64 const value = node.as_integer()->get();
    if (value < 0 || static_cast<u64>(value) < min || static_cast<u64>(value) > max)
        fail_at(node.source(),
                fmt::format("{} is {}, out of range; use a whole number from {} to {}", what, value, min, max));
    return static_cast<u64>(value);
}

Ticks StrictTable::duration_in(toml::node const& node, std::string_view what, Ticks min) {
    std::optional<Ticks> value;
    if (auto const* integer = node.as_integer()) {
        if (integer->get() < 0)
            fail_at(node.source(),
                    fmt::format("{} is {}, a negative duration; {}", what, integer->get(), DurationAdvice));
        value = Ticks(static_cast<u64>(integer->get()));
    } else if (auto const* text = node.as_string()) {
        value = parse_duration_text(text->get());
        if (!value)
            fail_at(node.source(), fmt::format("{} is {}, not a duration; {}", what, shown(node), DurationAdvice));
    } else {
        fail_at(node.source(),
                fmt::format("{} must be a duration, not {}; {}", what, type_phrase(node), DurationAdvice));
    }
    if (*value < min)
        fail_at(node.source(), fmt::format("{} is {}, too short; use at least {}", what, format_duration(*value),
                                           format_duration(min)));
    return *value;
}

Bytes StrictTable::size_in(toml::node const& node, std::string_view what, Bytes min, Bytes max) {
    std::optional<Bytes> value;
    if (auto const* integer = node.as_integer()) {
        if (integer->get() < 0)
            fail_at(node.source(), fmt::format("{} is {}, a negative size; {}", what, integer->get(), SizeAdvice));
        value = Bytes(static_cast<u64>(integer->get()));
    } else if (auto const* text = node.as_string()) {
        value = parse_size_text(text->get());
        if (!value) fail_at(node.source(), fmt::format("{} is {}, not a size; {}", what, shown(node), SizeAdvice));
    } else {
        fail_at(node.source(), fmt::format("{} must be a size, not {}; {}", what, type_phrase(node), SizeAdvice));
    }
    if (*value < min || *value > max)
        fail_at(node.source(), fmt::format("{} is {}, out of range; use a size from {} to {}", what,
                                           format_size(*value), format_size(min), format_size(max)));
    return *value;
}

} // namespace grove::scenario

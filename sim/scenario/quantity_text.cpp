#include <sim/scenario/quantity_text.hpp>

#include <array>
#include <utility>

namespace grove::scenario {
namespace {

struct Unit {
    std::string_view suffix;
    u64 scale;
};

// Largest first: format_* picks the first unit that divides the value exactly.
constexpr std::array<Unit, 4> DurationUnits{{{"s", 1'000'000'000}, {"ms", 1'000'000}, {"us", 1'000}, {"ns", 1}}};
constexpr std::array<Unit, 4> SizeUnits{
    {{"GiB", u64{1} << 30}, {"MiB", u64{1} << 20}, {"KiB", u64{1} << 10}, {"B", 1}}};

// A whole number followed by exactly one of the units, scaled without overflow.
template<usize N>
std::optional<u64> parse_scaled(std::string_view text, std::array<Unit, N> const& units) {
    usize digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0) return std::nullopt;
    u64 number = 0;
    for (usize i = 0; i < digits; ++i) {
        if (!checked_mul(number, 10, number) || !checked_add(number, static_cast<u64>(text[i] - '0'), number))
            return std::nullopt;
    }
    std::string_view const suffix = text.substr(digits);
    for (Unit const& unit : units) {
        if (suffix != unit.suffix) continue;
        u64 scaled = 0;
        if (!checked_mul(number, unit.scale, scaled)) return std::nullopt;
        return scaled;
    }
    return std::nullopt;
}

template<usize N>
std::string format_scaled(u64 value, std::array<Unit, N> const& units) {
    if (value == 0) return "0" + std::string(units.back().suffix);
    for (Unit const& unit : units) {
        if (value % unit.scale == 0) return std::to_string(value / unit.scale) + std::string(unit.suffix);
    }
    return std::to_string(value) + std::string(units.back().suffix); // unreachable: the last scale is 1
}

} // namespace

std::optional<Ticks> parse_duration_text(std::string_view text) {
    if (auto value = parse_scaled(text, DurationUnits)) return Ticks(*value);
    return std::nullopt;
}

std::optional<Bytes> parse_size_text(std::string_view text) {
    if (auto value = parse_scaled(text, SizeUnits)) return Bytes(*value);
    return std::nullopt;
}

std::string format_duration(Ticks time) { return format_scaled(time.value, DurationUnits); }

std::string format_size(Bytes size) { return format_scaled(size.value, SizeUnits); }

} // namespace grove::scenario

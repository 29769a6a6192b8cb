#pragma once
#include <core/base/units.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace grove::scenario {

// The text forms of virtual time and of sizes in scenario files and reports.
//
// A duration is a whole number followed by a unit: "1500ns", "250us", "250ms", "2s". A size is a whole number
// followed by B, KiB, MiB or GiB: "4096B", "64KiB", "64MiB". No spaces, signs, fractions or other units.
// Both return nothing when the text is not of that form or the value does not fit in 64 bits.
std::optional<Ticks> parse_duration_text(std::string_view text);
std::optional<Bytes> parse_size_text(std::string_view text);

// The shortest exact text in the largest unit that divides the value: 2'000'000'000 -> "2s",
// 1'500'000 -> "1500us", 0 -> "0ns". parse_duration_text(format_duration(t)) == t for every t.
std::string format_duration(Ticks time);
// The same for sizes: 64 MiB -> "64MiB", 2048 -> "2KiB", 1536 -> "1536B", 0 -> "0B".
std::string format_size(Bytes size);

} // namespace grove::scenario

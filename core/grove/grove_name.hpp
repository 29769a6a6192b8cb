#pragma once
#include <core/base/fixed_string.hpp>

namespace grove {

// A grove's unique name: 1 to 31 bytes of [A-Za-z0-9._-].
inline constexpr usize MaxGroveNameLength = 31;
using GroveName = FixedString<MaxGroveNameLength>;

constexpr bool is_valid_grove_name(char const* data, usize length) {
    if (length == 0 || length > MaxGroveNameLength) return false;
    for (usize i = 0; i < length; ++i) {
        char const c = data[i];
        bool const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// A name from outside data; InvalidArgument when it is empty, too long or has another character.
inline Result<GroveName> make_grove_name(char const* data, usize length) {
    if (!is_valid_grove_name(data, length)) return Error::InvalidArgument;
    return GroveName::from(data, length);
}
inline Result<GroveName> make_grove_name(char const* c_string) {
    return make_grove_name(c_string, string_length(c_string));
}

} // namespace grove

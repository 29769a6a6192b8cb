#pragma once
#include <core/base/std.hpp>

namespace grove {

// The decimal digits of an unsigned value, most significant first: no sign, no leading zeros, "0" for zero.
struct Decimal {
    char digits[20]; // the largest u64 has 20 digits
    usize length = 0;

    explicit constexpr Decimal(u64 value) : digits{} {
        char reversed[20];
        do {
            reversed[length++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        for (usize i = 0; i < length; ++i) digits[i] = reversed[length - 1 - i];
    }
};

} // namespace grove

#include <groves/runtime/arguments.hpp>

namespace grove::rt {

bool parse_unsigned(char const* text, u64& value) {
    if (text == nullptr || *text == '\0') return false;
    u64 base = 10;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text += 2;
        if (*text == '\0') return false;
    }
    u64 result = 0;
    for (; *text != '\0'; ++text) {
        char c = *text;
        u64 digit = 0;
        if (c >= '0' && c <= '9') digit = static_cast<u64>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') digit = static_cast<u64>(c - ('a' - 10));
        else if (base == 16 && c >= 'A' && c <= 'F') digit = static_cast<u64>(c - ('A' - 10));
        else return false;
        if (__builtin_mul_overflow(result, base, &result) || __builtin_add_overflow(result, digit, &result))
            return false;
    }
    value = result;
    return true;
}

bool parse_count(char const* text, u64& value) {
    if (is_mode(text, "forever")) {
        value = Forever;
        return true;
    }
    return parse_unsigned(text, value);
}

bool is_mode(char const* text, char const* mode) {
    if (text == nullptr) return false;
    while (*text != '\0' && *text == *mode) {
        ++text;
        ++mode;
    }
    return *text == *mode;
}

char const* argument(int argc, char** argv, int index, char const* fallback) {
    return index < argc ? argv[index] : fallback;
}

} // namespace grove::rt

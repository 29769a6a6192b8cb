#include <groves/runtime/format.hpp>

namespace grove::rt {
namespace {

enum class Length : u8 { Default, Short, Long, LongLong, Size };

struct Spec {
    bool left = false;
    bool zero = false;
    usize width = 0;
    Length length = Length::Default;
};

void pad(OutputBuffer& out, char c, usize count) {
    for (usize i = 0; i < count; ++i) out.put(c);
}

// Writes `prefix` (a sign or "0x"), then `digits`, padded to the spec's width.
void put_field(OutputBuffer& out, Spec const& spec, char const* prefix, char const* digits, usize digit_count) {
    usize prefix_length = 0;
    while (prefix[prefix_length] != '\0') ++prefix_length;
    usize length = prefix_length + digit_count;
    usize fill = spec.width > length ? spec.width - length : 0;
    if (!spec.left && !spec.zero) pad(out, ' ', fill);
    for (usize i = 0; i < prefix_length; ++i) out.put(prefix[i]);
    if (!spec.left && spec.zero) pad(out, '0', fill);
    for (usize i = 0; i < digit_count; ++i) out.put(digits[i]);
    if (spec.left) pad(out, ' ', fill);
}

void put_unsigned(OutputBuffer& out, Spec const& spec, char const* prefix, u64 value, u64 base, bool upper) {
    char const* digit_names = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char reversed[24];
    usize count = 0;
    do {
        reversed[count++] = digit_names[value % base];
        value /= base;
    } while (value != 0);
    char digits[24];
    for (usize i = 0; i < count; ++i) digits[i] = reversed[count - 1 - i];
    put_field(out, spec, prefix, digits, count);
}

void put_string(OutputBuffer& out, Spec const& spec, char const* text) {
    if (text == nullptr) text = "(null)";
    usize length = 0;
    while (text[length] != '\0') ++length;
    Spec plain = spec;
    plain.zero = false;
    put_field(out, plain, "", text, length);
}

u64 take_unsigned(Length length, std::va_list& arguments) {
    switch (length) {
    case Length::Default: return va_arg(arguments, unsigned int);
    case Length::Short: return static_cast<unsigned short>(va_arg(arguments, unsigned int));
    case Length::Long: return va_arg(arguments, unsigned long);
    case Length::LongLong: return va_arg(arguments, unsigned long long);
    case Length::Size: return va_arg(arguments, usize);
    }
    return 0;
}

i64 take_signed(Length length, std::va_list& arguments) {
    switch (length) {
    case Length::Default: return va_arg(arguments, int);
    case Length::Short: return static_cast<short>(va_arg(arguments, int));
    case Length::Long: return va_arg(arguments, long);
    case Length::LongLong: return va_arg(arguments, long long);
    case Length::Size: return static_cast<i64>(va_arg(arguments, usize));
    }
    return 0;
}

} // namespace

usize format_to(OutputBuffer& out, char const* format, std::va_list arguments) {
    usize const start = out.produced();
    // A copy, so that this function can take the address of the list on every ABI.
    std::va_list args;
    va_copy(args, arguments);
    char const* p = format;
    while (*p != '\0') {
        if (*p != '%') {
            out.put(*p++);
            continue;
        }
        char const* conversion_start = p++;
        Spec spec;
        for (;; ++p) {
            if (*p == '-') spec.left = true;
            else if (*p == '0') spec.zero = true;
            else break;
        }
        while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + static_cast<usize>(*p++ - '0');
        if (*p == 'h') {
            spec.length = Length::Short;
            ++p;
            if (*p == 'h') ++p;
        } else if (*p == 'l') {
            spec.length = Length::Long;
            ++p;
            if (*p == 'l') {
                spec.length = Length::LongLong;
                ++p;
            }
        } else if (*p == 'z') {
            spec.length = Length::Size;
            ++p;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            i64 value = take_signed(spec.length, args);
            // Negate in unsigned arithmetic so that the most negative value works too.
            u64 magnitude = value < 0 ? 0 - static_cast<u64>(value) : static_cast<u64>(value);
            put_unsigned(out, spec, value < 0 ? "-" : "", magnitude, 10, false);
            break;
        }
        case 'u': put_unsigned(out, spec, "", take_unsigned(spec.length, args), 10, false); break;
        case 'x': put_unsigned(out, spec, "", take_unsigned(spec.length, args), 16, false); break;
        case 'X': put_unsigned(out, spec, "", take_unsigned(spec.length, args), 16, true); break;
        case 'p': put_unsigned(out, spec, "0x", reinterpret_cast<u64>(va_arg(args, void*)), 16, false); break;
        case 'c': {
            char c = static_cast<char>(va_arg(args, int));
            Spec plain = spec;
            plain.zero = false;
            put_field(out, plain, "", &c, 1);
            break;
        }
        case 's': put_string(out, spec, va_arg(args, char const*)); break;
        case '%': out.put('%'); break;
        default:
            // Unknown or truncated conversion: copy it as it stands.
            for (char const* q = conversion_start; q < p; ++q) out.put(*q);
            if (*p == '\0') {
                va_end(args);
                return out.produced() - start;
            }
            out.put(*p);
            break;
        }
        ++p;
    }
    va_end(args);
    return out.produced() - start;
}

usize vformat_string(char* buffer, usize size, char const* format, std::va_list arguments) {
    if (size == 0) {
        OutputBuffer counter(buffer, 0, nullptr);
        return format_to(counter, format, arguments);
    }
    OutputBuffer out(buffer, size - 1, nullptr);
    usize produced = format_to(out, format, arguments);
    buffer[out.used()] = '\0';
    return produced;
}

usize format_string(char* buffer, usize size, char const* format, ...) {
    std::va_list arguments;
    va_start(arguments, format);
    usize produced = vformat_string(buffer, size, format, arguments);
    va_end(arguments);
    return produced;
}

} // namespace grove::rt

#pragma once
#include <core/base/result.hpp>
#include <core/base/std.hpp>

namespace grove {

// A string of at most N bytes stored inline, always NUL-terminated. Construction from outside data goes through
// from(), which rejects (InvalidArgument) input that is too long or contains a NUL byte: nothing is truncated.
template<usize N>
class FixedString {
public:
    static constexpr usize Capacity = N;

    constexpr FixedString() = default;

    static Result<FixedString> from(char const* data, usize length) {
        if (length > N) return Error::InvalidArgument;
        FixedString s;
        for (usize i = 0; i < length; ++i) {
            if (data[i] == '\0') return Error::InvalidArgument;
            s.m_data[i] = data[i];
        }
        s.m_data[length] = '\0';
        s.m_length = length;
        return s;
    }
    static Result<FixedString> from(char const* c_string) { return from(c_string, string_length(c_string)); }

    constexpr char const* c_str() const { return m_data; }
    constexpr usize length() const { return m_length; }
    constexpr bool is_empty() const { return m_length == 0; }

    bool equals(char const* data, usize length) const {
        return length == m_length && equal_bytes(m_data, data, length);
    }
    template<usize M>
    bool operator==(FixedString<M> const& other) const {
        return equals(other.c_str(), other.length());
    }

private:
    char m_data[N + 1]{};
    usize m_length = 0;
};

} // namespace grove

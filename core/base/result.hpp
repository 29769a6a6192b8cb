#pragma once
#include <core/base/assert.hpp>
#include <core/base/error.hpp>
#include <core/base/std.hpp>

namespace grove {

// Either a value or an error: Error by default, or another closed enum that names the failure more precisely
// (the ELF loader's ElfCheck). Names mirror std::expected. Reading the value of an error (or the error of a value)
// is a broken invariant and panics. [[nodiscard]]: a Result cannot be dropped by accident.
template<typename T, typename E = Error>
class [[nodiscard]] Result {
public:
    using ValueType = T;

    Result(T const& value) : m_has_value(true) { new (&m_value) T(value); }
    Result(T&& value) : m_has_value(true) { new (&m_value) T(static_cast<T&&>(value)); }
    Result(E error) : m_error(error), m_has_value(false) {}

    Result(Result const& other) : m_has_value(other.m_has_value) {
        if (m_has_value) new (&m_value) T(other.m_value);
        else m_error = other.m_error;
    }
    Result(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) : m_has_value(other.m_has_value) {
        if (m_has_value) new (&m_value) T(static_cast<T&&>(other.m_value));
        else m_error = other.m_error;
    }
    Result& operator=(Result const& other) {
        if (this != &other) {
            this->~Result();
            new (this) Result(other);
        }
        return *this;
    }
    Result& operator=(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
        if (this != &other) {
            this->~Result();
            new (this) Result(static_cast<Result&&>(other));
        }
        return *this;
    }
    ~Result() {
        if (m_has_value) m_value.~T();
    }

    bool has_value() const { return m_has_value; }
    bool is_error() const { return !m_has_value; }
    explicit operator bool() const { return m_has_value; }

    T& value() & {
        GROVE_ASSERT(m_has_value);
        return m_value;
    }
    T const& value() const& {
        GROVE_ASSERT(m_has_value);
        return m_value;
    }
    T release_value() {
        GROVE_ASSERT(m_has_value);
        return static_cast<T&&>(m_value);
    }
    T value_or(T fallback) const { return m_has_value ? m_value : fallback; }
    E error() const {
        GROVE_ASSERT(!m_has_value);
        return m_error;
    }

private:
    union {
        T m_value;
        E m_error;
    };
    bool m_has_value;
};

template<typename E>
class [[nodiscard]] Result<void, E> {
public:
    using ValueType = void;

    Result() = default;
    Result(E error) : m_error(error), m_has_value(false) {}

    bool has_value() const { return m_has_value; }
    bool is_error() const { return !m_has_value; }
    explicit operator bool() const { return m_has_value; }
    void release_value() const { GROVE_ASSERT(m_has_value); }
    E error() const {
        GROVE_ASSERT(!m_has_value);
        return m_error;
    }

private:
    E m_error{};
    bool m_has_value = true;
};

inline Result<void> ok() { return {}; }

// MUST's check: the value of a Result (nothing for Result<void>), or a panic naming the call when it failed.
template<typename T, typename E>
T must_succeed(Result<T, E> result, char const* file, int line, char const* message) {
    if (result.is_error()) [[unlikely]]
        panic(file, line, message);
    return result.release_value();
}
// The same for the containers' and quotas' [[nodiscard]] bool (push_back on a vector known not to be full).
inline void must_succeed(bool succeeded, char const* file, int line, char const* message) {
    if (!succeeded) [[unlikely]]
        panic(file, line, message);
}

} // namespace grove

// Evaluates a Result; on error returns the error from the enclosing function, otherwise yields the value.
#define TRY(expression)                                                                                                \
    __extension__({                                                                                                    \
        auto&& grove_try_result_ = (expression);                                                                       \
        if (grove_try_result_.is_error()) [[unlikely]]                                                                 \
            return grove_try_result_.error();                                                                          \
        grove_try_result_.release_value();                                                                             \
    })

// Evaluates a call that cannot fail by construction (its caller checked everything it depends on) and yields its
// value; a failure is a broken invariant and panics with the call's text. Never for a failure that input, a
// grove or a backend can cause: that is TRY's or the caller's to handle.
#define MUST(expression) ::grove::must_succeed((expression), __FILE__, __LINE__, "MUST failed: " #expression)

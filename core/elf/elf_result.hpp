#pragma once
#include <core/base/assert.hpp>
#include <core/elf/elf_check.hpp>

namespace grove {

// Either a value or the ElfCheck that rejected the file: Result (core/base/result.hpp) with the ELF check in place
// of an Error, so a rejection always names what failed. error() is named as in Result so TRY propagates it.
// Reading the value of a rejection (or the check of a value) is a broken invariant and panics. T must be default
// constructible and copyable.
template<typename T>
class [[nodiscard]] ElfResult {
public:
    using ValueType = T;

    ElfResult(T const& value) : m_value(value), m_has_value(true) {}
    ElfResult(ElfCheck failed) : m_failed(failed), m_has_value(false) {}

    bool has_value() const { return m_has_value; }
    bool is_error() const { return !m_has_value; }
    explicit operator bool() const { return m_has_value; }

    T const& value() const {
        GROVE_ASSERT(m_has_value);
        return m_value;
    }
    T release_value() const { return value(); }
    // The check the file failed.
    ElfCheck error() const {
        GROVE_ASSERT(!m_has_value);
        return m_failed;
    }

private:
    T m_value{};
    ElfCheck m_failed = ElfCheck::FileTooSmall;
    bool m_has_value;
};

template<>
class [[nodiscard]] ElfResult<void> {
public:
    using ValueType = void;

    ElfResult() = default;
    ElfResult(ElfCheck failed) : m_failed(failed), m_has_value(false) {}

    bool has_value() const { return m_has_value; }
    bool is_error() const { return !m_has_value; }
    explicit operator bool() const { return m_has_value; }
    void release_value() const { GROVE_ASSERT(m_has_value); }
    ElfCheck error() const {
        GROVE_ASSERT(!m_has_value);
        return m_failed;
    }

private:
    ElfCheck m_failed = ElfCheck::FileTooSmall;
    bool m_has_value = true;
};

} // namespace grove

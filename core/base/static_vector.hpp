#pragma once
#include <core/base/assert.hpp>
#include <core/base/std.hpp>

namespace grove {

// A vector with its storage inline: at most N elements, never allocates. push_back on a full vector fails
// (returns false) and changes nothing. Elements stay in insertion order; erase shifts the tail down.
template<typename T, usize N>
class StaticVector {
public:
    static constexpr usize Capacity = N;

    StaticVector() = default;
    StaticVector(StaticVector const& other) {
        for (auto const& v : other) (void)push_back(v);
    }
    StaticVector& operator=(StaticVector const& other) {
        if (this != &other) {
            clear();
            for (auto const& v : other) (void)push_back(v);
        }
        return *this;
    }
    ~StaticVector() { clear(); }

    [[nodiscard]] bool push_back(T const& value) {
        if (m_size == N) return false;
        new (slot(m_size)) T(value);
        ++m_size;
        return true;
    }
    template<typename... Args>
    [[nodiscard]] T* emplace_back(Args&&... args) {
        if (m_size == N) return nullptr;
        T* p = new (slot(m_size)) T(static_cast<Args&&>(args)...);
        ++m_size;
        return p;
    }
    void pop_back() {
        GROVE_ASSERT(m_size > 0);
        --m_size;
        slot(m_size)->~T();
    }
    void erase_at(usize index) {
        GROVE_ASSERT(index < m_size);
        for (usize i = index; i + 1 < m_size; ++i) *slot(i) = static_cast<T&&>(*slot(i + 1));
        pop_back();
    }
    void clear() {
        while (m_size > 0) pop_back();
    }

    usize size() const { return m_size; }
    bool is_empty() const { return m_size == 0; }
    bool is_full() const { return m_size == N; }

    T& operator[](usize i) {
        GROVE_ASSERT(i < m_size);
        return *slot(i);
    }
    T const& operator[](usize i) const {
        GROVE_ASSERT(i < m_size);
        return *slot(i);
    }
    T& back() { return (*this)[m_size - 1]; }

    T* begin() { return slot(0); }
    T* end() { return slot(m_size); }
    T const* begin() const { return slot(0); }
    T const* end() const { return slot(m_size); }

private:
    T* slot(usize i) { return std::launder(reinterpret_cast<T*>(m_storage) + i); }
    T const* slot(usize i) const { return std::launder(reinterpret_cast<T const*>(m_storage) + i); }

    alignas(T) unsigned char m_storage[sizeof(T) * (N == 0 ? 1 : N)];
    usize m_size = 0;
};

} // namespace grove

#pragma once
#include <core/base/std.hpp>

namespace grove::rt {

// Where the formatter writes: caller-owned storage of `capacity` bytes. When it is full, a buffer with a flush
// function hands the bytes to it and starts over (the console); one without keeps the first bytes and drops the
// rest (a string). `produced` counts every character given to it, kept or not, like vsnprintf's result.
// Invariant: m_used <= m_capacity.
class OutputBuffer {
public:
    using Flush = void (*)(char const* bytes, usize length);

    // `storage` must outlive the buffer. `capacity` may be 0 only without a flush function (a counter).
    OutputBuffer(char* storage, usize capacity, Flush flush_function)
        : m_storage(storage), m_capacity(capacity), m_flush(flush_function) {}

    void put(char c) {
        ++m_produced;
        if (m_used == m_capacity) {
            if (m_flush == nullptr) return;
            flush();
        }
        m_storage[m_used++] = c;
    }

    // Hands what is buffered to the flush function, if there is one.
    void flush() {
        if (m_flush != nullptr && m_used > 0) m_flush(m_storage, m_used);
        m_used = 0;
    }

    usize used() const { return m_used; }
    usize produced() const { return m_produced; }
    char* storage() const { return m_storage; }

private:
    char* m_storage;
    usize m_capacity;
    Flush m_flush;
    usize m_used = 0;
    usize m_produced = 0;
};

} // namespace grove::rt

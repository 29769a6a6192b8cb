#pragma once
#include <core/base/std.hpp>

namespace grove {

// The trace digest hash: 64-bit FNV-1a (Fowler, Noll, Vo), fed incrementally. Not cryptographic: it detects any
// change in a canonical event stream, which is all a determinism digest needs, and it is the same on every host.
class Fnv1a64 {
public:
    static constexpr u64 OffsetBasis = 0xcbf29ce484222325ULL;
    static constexpr u64 Prime = 0x100000001b3ULL;

    constexpr void update(void const* data, usize length) {
        auto const* p = static_cast<unsigned char const*>(data);
        for (usize i = 0; i < length; ++i) {
            m_state ^= p[i];
            m_state *= Prime;
        }
    }
    // The same steps as update, eight bytes per loop test: for hot hosts of the hash (the kernel's trace digest, two
    // events per message). update stays the byte loop, since groves compile it (World-Tree's store) and their code
    // is part of what a scenario's digest records.
    constexpr void update_wide(void const* data, usize length) {
        auto const* p = static_cast<unsigned char const*>(data);
        u64 state = m_state;
        usize i = 0;
        for (; i + 8 <= length; i += 8) {
#pragma GCC unroll 8
            for (usize k = 0; k < 8; ++k) state = (state ^ p[i + k]) * Prime;
        }
        for (; i < length; ++i) state = (state ^ p[i]) * Prime;
        m_state = state;
    }
    // Integers are hashed as little-endian bytes, whatever the host's order.
    constexpr void update_u64(u64 v) {
        for (int i = 0; i < 8; ++i) {
            m_state ^= (v >> (8 * i)) & 0xff;
            m_state *= Prime;
        }
    }
    constexpr u64 digest() const { return m_state; }

private:
    u64 m_state = OffsetBasis;
};

} // namespace grove

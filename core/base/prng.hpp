#pragma once
#include <core/base/std.hpp>

namespace grove {

// The one source of randomness in core/: xoshiro256** (Blackman & Vigna, 2018), seeded by expanding a 64-bit
// seed with SplitMix64 as its authors recommend. Same seed, same sequence, on every host and in the kernel.
class Prng {
public:
    constexpr explicit Prng(u64 seed) {
        for (auto& word : m_state) word = splitmix64(seed);
    }

    // A generator in a given raw state (for checking against the reference implementation's test vectors).
    static constexpr Prng from_state(u64 s0, u64 s1, u64 s2, u64 s3) {
        Prng p(0);
        p.m_state[0] = s0;
        p.m_state[1] = s1;
        p.m_state[2] = s2;
        p.m_state[3] = s3;
        return p;
    }

    constexpr u64 next() {
        u64 const result = std::rotl(m_state[1] * 5, 7) * 9;
        u64 const t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = std::rotl(m_state[3], 45);
        return result;
    }

    // Uniform in [0, bound) without modulo bias (Lemire's multiply-shift with rejection). bound must be > 0.
    constexpr u64 below(u64 bound) {
        for (;;) {
            U128 m = static_cast<U128>(next()) * bound;
            u64 low = static_cast<u64>(m);
            if (low >= bound || low >= (-bound) % bound) return static_cast<u64>(m >> 64);
        }
    }

    // Uniform in [lo, hi], inclusive.
    constexpr u64 between(u64 lo, u64 hi) { return hi - lo == ~u64{0} ? next() : lo + below(hi - lo + 1); }

private:
    __extension__ typedef unsigned __int128 U128;

    static constexpr u64 splitmix64(u64& x) {
        u64 z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    u64 m_state[4]{};
};

} // namespace grove

#include <worldtree/format/sha256.hpp>

namespace grove::worldtree {

namespace {

constexpr u32 RoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

constexpr u32 rotate_right(u32 x, int n) { return (x >> n) | (x << (32 - n)); }

} // namespace

Sha256::Sha256()
    : m_state{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {}

void Sha256::compress(u8 const block[64]) {
    u32 w[64];
    for (int i = 0; i < 16; ++i) {
        w[i] = (u32(block[4 * i]) << 24) | (u32(block[4 * i + 1]) << 16) | (u32(block[4 * i + 2]) << 8) |
               u32(block[4 * i + 3]);
    }
    for (int i = 16; i < 64; ++i) {
        u32 s0 = rotate_right(w[i - 15], 7) ^ rotate_right(w[i - 15], 18) ^ (w[i - 15] >> 3);
        u32 s1 = rotate_right(w[i - 2], 17) ^ rotate_right(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    u32 a = m_state[0], b = m_state[1], c = m_state[2], d = m_state[3];
    u32 e = m_state[4], f = m_state[5], g = m_state[6], h = m_state[7];
    for (int i = 0; i < 64; ++i) {
        u32 s1 = rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25);
        u32 choose = (e & f) ^ (~e & g);
        u32 t1 = h + s1 + choose + RoundConstants[i] + w[i];
        u32 s0 = rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22);
        u32 majority = (a & b) ^ (a & c) ^ (b & c);
        u32 t2 = s0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    m_state[0] += a;
    m_state[1] += b;
    m_state[2] += c;
    m_state[3] += d;
    m_state[4] += e;
    m_state[5] += f;
    m_state[6] += g;
    m_state[7] += h;
}

void Sha256::update(void const* data, usize length) {
    auto const* p = static_cast<u8 const*>(data);
    m_total_bytes += length;
    while (length > 0) {
        usize take = 64 - m_block_used;
        if (take > length) take = length;
        copy_bytes(m_block + m_block_used, p, take);
        m_block_used += take;
        p += take;
        length -= take;
        if (m_block_used == 64) {
            compress(m_block);
            m_block_used = 0;
        }
    }
}

void Sha256::finish(u8 out[DigestSize]) {
    u64 bit_length = m_total_bytes * 8;
    u8 pad = 0x80;
    update(&pad, 1);
    u8 zero = 0;
    while (m_block_used != 56) update(&zero, 1);
    u8 length_bytes[8];
    for (int i = 0; i < 8; ++i) length_bytes[i] = u8(bit_length >> (56 - 8 * i));
    update(length_bytes, 8);
    for (int i = 0; i < 8; ++i) {
        out[4 * i] = u8(m_state[i] >> 24);
        out[4 * i + 1] = u8(m_state[i] >> 16);
        out[4 * i + 2] = u8(m_state[i] >> 8);
        out[4 * i + 3] = u8(m_state[i]);
    }
}

} // namespace grove::worldtree

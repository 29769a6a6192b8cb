#pragma once
#include <core/base/std.hpp>

namespace grove::worldtree {

// SHA-256 (FIPS 180-4), fed incrementally: the content address of every object World-Tree stores. Freestanding,
// no allocation; the same code in the grove and in the host tool, so an address computed offline matches the one
// the grove writes.
class Sha256 {
public:
    static constexpr usize DigestSize = 32;

    Sha256();
    void update(void const* data, usize length);
    // Finishes the hash and writes DigestSize bytes to `out`; the object must not be updated afterwards.
    void finish(u8 out[DigestSize]);

private:
    void compress(u8 const block[64]);

    u32 m_state[8];
    u8 m_block[64]{};
    usize m_block_used = 0;
    u64 m_total_bytes = 0;
};

} // namespace grove::worldtree

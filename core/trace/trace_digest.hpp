#pragma once
#include <core/base/hash.hpp>
#include <core/trace/event_encoding.hpp>

namespace grove {

// A running FNV-1a 64 digest over the canonical encoding of every event added, in order. Two streams have the
// same digest when they are the same events with the same fields in the same order (up to hash collisions).
//
// The bytes are hashed eight per loop test, the same steps as Fnv1a64::update (so the same value): every event is
// hashed as it is emitted, two per message of an IPC stream, and a loop test per byte was half the instructions.
// Fnv1a64 itself stays the byte loop, since groves (World-Tree's store) compile it and their code is part of what
// a scenario's digest records.
class TraceDigest {
public:
    void add(Event const& event) { add(encode_event(event)); }
    // An event by its encoding (encode_event).
    void add(EncodedEvent const& encoded) {
        u64 state = m_state;
        usize i = 0;
        for (; i + 8 <= encoded.size; i += 8) {
            u8 const* p = encoded.bytes + i;
            state = (state ^ p[0]) * Fnv1a64::Prime;
            state = (state ^ p[1]) * Fnv1a64::Prime;
            state = (state ^ p[2]) * Fnv1a64::Prime;
            state = (state ^ p[3]) * Fnv1a64::Prime;
            state = (state ^ p[4]) * Fnv1a64::Prime;
            state = (state ^ p[5]) * Fnv1a64::Prime;
            state = (state ^ p[6]) * Fnv1a64::Prime;
            state = (state ^ p[7]) * Fnv1a64::Prime;
        }
        for (; i < encoded.size; ++i) state = (state ^ encoded.bytes[i]) * Fnv1a64::Prime;
        m_state = state;
        ++m_count;
    }
    u64 value() const { return m_state; }
    u64 count() const { return m_count; }

private:
    u64 m_state = Fnv1a64::OffsetBasis;
    u64 m_count = 0;
};

} // namespace grove

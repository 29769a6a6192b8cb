#pragma once
#include <core/base/hash.hpp>
#include <core/trace/event_encoding.hpp>

namespace grove {

// A running FNV-1a 64 digest over the canonical encoding of every event added, in order. Two streams have the
// same digest when they are the same events with the same fields in the same order (up to hash collisions).
// Every event is hashed as it is emitted (Fnv1a64::update_wide).
class TraceDigest {
public:
    void add(Event const& event) { add(encode_event(event)); }
    // An event by its encoding (encode_event).
    void add(EncodedEvent const& encoded) {
        m_hash.update_wide(encoded.bytes, encoded.size);
        ++m_count;
    }
    u64 value() const { return m_hash.digest(); }
    u64 count() const { return m_count; }

private:
    Fnv1a64 m_hash;
    u64 m_count = 0;
};

} // namespace grove

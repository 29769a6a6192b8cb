#pragma once
// A message's payload as a plain struct, for the protocols of grove programs (grant_protocol.hpp,
// block_protocol.hpp). T must fit in abi::MessagePayloadSize bytes.
#include <core/abi/syscall.hpp>
#include <groves/runtime/string.hpp>

namespace grove::rt {

// A message's payload as T (bytes past the message's length read as they are).
template<typename T>
T payload_of(abi::Message const& m) {
    static_assert(sizeof(T) <= abi::MessagePayloadSize);
    T value{};
    memcpy(&value, m.payload, sizeof value);
    return value;
}

// T as a message's payload; the header's length is sizeof(T).
template<typename T>
void set_payload(abi::Message& m, T const& value) {
    static_assert(sizeof(T) <= abi::MessagePayloadSize);
    memcpy(m.payload, &value, sizeof value);
    m.header.length = sizeof value;
}

} // namespace grove::rt

#pragma once
// The pong service's protocol: a Call with tag TagPing and a counter in the first 8 bytes of the payload is
// answered with tag TagPong and the counter plus one.
#include <groves/runtime/runtime.hpp>

namespace pong {

inline constexpr char const* ServiceName = "pong";
inline constexpr grove::u32 TagPing = 0x50494e47; // "PING"
inline constexpr grove::u32 TagPong = 0x504f4e47; // "PONG"

} // namespace pong

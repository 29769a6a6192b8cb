#pragma once
#include <core/base/std.hpp>

namespace grove {

// What a handle allows on its endpoint, as a bit set. A derived handle's rights are a subset of its source's:
// rights are narrowed, never widened.
enum class Rights : u8 {
    None = 0,
    Send = 1u << 0,    // send and call
    Receive = 1u << 1, // receive (and so reply to the calls received)
    SendReceive = Send | Receive,
};

constexpr Rights operator|(Rights a, Rights b) { return static_cast<Rights>(static_cast<u8>(a) | static_cast<u8>(b)); }
constexpr Rights operator&(Rights a, Rights b) { return static_cast<Rights>(static_cast<u8>(a) & static_cast<u8>(b)); }

// True when `set` holds every right of `required`.
constexpr bool has_rights(Rights set, Rights required) { return (set & required) == required; }
// True when `rights` names only known rights.
constexpr bool is_known(Rights rights) {
    return (static_cast<u8>(rights) & ~static_cast<u8>(Rights::SendReceive)) == 0;
}

} // namespace grove

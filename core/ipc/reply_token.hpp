#pragma once
#include <core/base/std.hpp>

namespace grove {

struct IpcWaiter;

// The right to answer one Call: given to the thread that received the call message, used once by
// EndpointTable::reply (or given up by abandon_reply). It names the caller's waiter and the sequence of the wait it
// was made for; when that wait has ended (the caller timed out, was cancelled, or its endpoint closed) the
// sequence no longer matches and the token is stale. Kernel-internal: never shown to a grove.
struct ReplyToken {
    IpcWaiter* caller = nullptr;
    u64 sequence = 0;

    constexpr bool is_null() const { return caller == nullptr; }
    constexpr bool operator==(ReplyToken const&) const = default;
};

} // namespace grove

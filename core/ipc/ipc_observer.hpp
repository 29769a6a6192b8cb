#pragma once
#include <core/abi/syscall.hpp>
#include <core/grove/ids.hpp>
#include <core/ipc/refusal.hpp>

namespace grove {

// A message's fate as the accounting records it: each fate is one step of IpcCounters (Sent raises `sent`,
// Delivered `delivered`, Refused one of `refused`), so a stream of fates and the counters always agree.
enum class MessageFate : u8 { Sent, Delivered, Refused };

// The slot of a message's recipient when its endpoint is gone (a send through a stale reference).
inline constexpr GroveSlot NoRecipient = 0xff;

// One step of the accounting of one message: its fate, the ledger row it was counted in (the sending grove's slot;
// the recipient's for the kernel's own messages), the slot of the grove it is for (NoRecipient when unknown), its
// header as sent (sender, tag, priority; for a send the kernel refused before reading the message, only the
// sender), and for Refused the reason.
struct MessageStep {
    MessageFate fate;
    GroveSlot row;
    GroveSlot to;
    Refusal reason;
    abi::MessageHeader header;
};

// Told every step of the accounting, in the order the counters change (the kernel turns them into trace events).
// Called with the IPC tables mid-operation: it must not call back into IPC.
class IpcObserver {
public:
    virtual void on_message(MessageStep const& step) = 0;

protected:
    IpcObserver() = default;
    ~IpcObserver() = default;
    IpcObserver(IpcObserver const&) = default;
    IpcObserver& operator=(IpcObserver const&) = default;
};

} // namespace grove

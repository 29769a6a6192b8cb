#include <groves/runtime/stop.hpp>
#include <groves/runtime/syscall.hpp>

namespace grove::rt {

bool stop_requested() {
    abi::Message message;
    while (sys_receive(abi::OwnEndpointHandle, &message, abi::FlagNonBlocking, 0) >= 0)
        if ((message.header.flags & abi::MessageFlagKernel) != 0 && message.header.tag == abi::NotifyStop) return true;
    return false;
}

} // namespace grove::rt

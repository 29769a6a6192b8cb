#include <groves/runtime/console.hpp>
#include <groves/runtime/serve.hpp>
#include <groves/runtime/status.hpp>
#include <groves/runtime/syscall.hpp>

namespace grove::rt {

int serve_calls(char const* name, CallHandler handle) {
    for (;;) {
        abi::Message message;
        long const received = sys_receive(abi::OwnEndpointHandle, &message, 0, abi::WaitForever);
        if (received < 0) {
            print("%s: receive failed: %s\n", name, status_name(received));
            sys_yield();
            continue;
        }
        if ((message.header.flags & abi::MessageFlagKernel) != 0) {
            if (message.header.tag == abi::NotifyStop) return 0;
            continue;
        }
        if ((message.header.flags & abi::MessageFlagCall) == 0) continue;
        abi::Message reply{};
        handle(message, reply);
        long const replied = sys_reply(&reply);
        if (replied < 0) print("%s: reply failed: %s\n", name, status_name(replied));
    }
}

} // namespace grove::rt

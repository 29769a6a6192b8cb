// pong: answers each ping Call with the counter it carries plus one; a stop request of the kernel ends it (exit 0).
#include "pong_protocol.hpp"

using namespace grove;
using namespace grove::rt;

int main() {
    print("pong: serving\n");
    u64 answered = 0;
    for (;;) {
        abi::Message message;
        long received = sys_receive(abi::OwnEndpointHandle, &message, 0, abi::WaitForever);
        if (received < 0) panic(ExitSoftware, "pong: receive failed: %s", status_name(received));
        if ((message.header.flags & abi::MessageFlagKernel) != 0 && message.header.tag == abi::NotifyStop) {
            print("pong: stop requested after %lu pings\n", answered);
            return 0;
        }
        if ((message.header.flags & abi::MessageFlagCall) == 0 || message.header.tag != pong::TagPing) continue;
        u64 counter = 0;
        memcpy(&counter, message.payload, sizeof counter);
        ++counter;
        memcpy(message.payload, &counter, sizeof counter);
        message.header.tag = pong::TagPong;
        long replied = sys_reply(&message);
        if (replied < 0) panic(ExitSoftware, "pong: reply failed: %s", status_name(replied));
        ++answered;
    }
}

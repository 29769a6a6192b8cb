// warden
//
// Subscribes to the kernel's crash and give-up events (SubscribeCrashes) and receives on its own endpoint
// forever. Each notice from the kernel (flag MessageFlagKernel, tag NotifyCrashed or NotifyGaveUp, payload
// abi::CrashNotice) becomes one console line:
//   warden: crashed grove=3 generation=1 kind=2 exit=-1 pc=0x401234 address=0x0 time=123456
//   warden: gave_up grove=3 generation=4 kind=2 exit=-1 pc=0x401234 address=0x0 time=987654
// Messages from groves cannot pose as notices (the kernel sets the flag) and are counted, not trusted.
// Exits 2 when the subscription is refused; 64 when given arguments.
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

int main(int argc, char**) {
    if (argc > 1) usage("warden");
    long subscribed = sys_subscribe_crashes();
    if (subscribed < 0) {
        print("warden: subscription refused: %s\n", status_name(subscribed));
        return 2;
    }
    print("warden: watching\n");
    u64 ignored = 0;
    for (;;) {
        abi::Message message;
        long received = sys_receive(abi::OwnEndpointHandle, &message, 0, abi::WaitForever);
        if (received < 0) {
            print("warden: receive failed: %s\n", status_name(received));
            sys_yield();
            continue;
        }
        bool from_kernel = (message.header.flags & abi::MessageFlagKernel) != 0;
        u32 tag = message.header.tag;
        if (!from_kernel || (tag != abi::NotifyCrashed && tag != abi::NotifyGaveUp) ||
            message.header.length < sizeof(abi::CrashNotice)) {
            ++ignored;
            print("warden: ignored message %lu from grove %u, tag 0x%x%s\n", ignored, message.header.sender, tag,
                  from_kernel ? " (kernel)" : "");
            continue;
        }
        abi::CrashNotice notice;
        memcpy(&notice, message.payload, sizeof notice);
        print("warden: %s grove=%u generation=%u kind=%u exit=%d pc=0x%lx address=0x%lx time=%lu\n",
              tag == abi::NotifyCrashed ? "crashed" : "gave_up", notice.grove, notice.generation, notice.kind,
              notice.exit_code, notice.pc, notice.address, notice.time);
    }
}

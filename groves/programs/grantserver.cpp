// grantserver
//
// The server of grant_protocol.hpp: serves calls for ever; bulk data only through copy grants. A stop request of
// the kernel makes it exit 0.
#include <groves/programs/grant_protocol.hpp>

using namespace grove;
using namespace grove::rt;
using grove::grants::payload_of;
using grove::grants::set_payload;

namespace {

u8 g_data[grants::MaxTransfer];
u8 g_try[grants::TryBufferSize];

long transform(grants::Transfer const& t) {
    if (t.length > grants::MaxTransfer) return -abi::StatusInvalidArgument;
    long const in = sys_grant_copy_from(t.grant, 0, g_data, t.length);
    if (in < 0) return in;
    for (usize i = 0; i < t.length; ++i) g_data[i] = grants::transformed(g_data[i], i);
    return sys_grant_copy_to(t.grant, 0, g_data, t.length);
}

long attempt(grants::Attempt const& a) {
    // The length is the client's to choose, past the buffer too: the kernel checks it against both ranges.
    if (a.to_grant != 0) return sys_grant_copy_to(a.grant, a.offset, g_try, a.length);
    return sys_grant_copy_from(a.grant, a.offset, g_try, a.length);
}

} // namespace

int main(int argc, char**) {
    if (argc > 1) usage("grantserver");
    print("grantserver: serving\n");
    for (;;) {
        abi::Message message;
        long const received = sys_receive(abi::OwnEndpointHandle, &message, 0, abi::WaitForever);
        if (received < 0) {
            print("grantserver: receive failed: %s\n", status_name(received));
            sys_yield();
            continue;
        }
        if ((message.header.flags & abi::MessageFlagKernel) != 0) {
            if (message.header.tag == abi::NotifyStop) return 0;
            continue;
        }
        if (message.header.tag == grants::TagKeep) {
            grants::Transfer const kept = payload_of<grants::Transfer>(message);
            sys_sleep(grants::KeepDelay);
            long const copied = sys_grant_copy_from(kept.grant, 0, g_try, kept.length);
            print("grantserver: kept grant %lx after its granter: %s\n", kept.grant,
                  copied < 0 ? status_name(copied) : "copied");
            continue;
        }
        if ((message.header.flags & abi::MessageFlagCall) == 0) continue;
        abi::Message reply{};
        reply.header.tag = message.header.tag;
        switch (message.header.tag) {
        case grants::TagHello: set_payload(reply, grants::Hello{message.header.sender}); break;
        case grants::TagTransform:
            set_payload(reply, grants::Result{transform(payload_of<grants::Transfer>(message))});
            break;
        case grants::TagTry: set_payload(reply, grants::Result{attempt(payload_of<grants::Attempt>(message))}); break;
        default: set_payload(reply, grants::Result{-abi::StatusInvalidArgument}); break;
        }
        long const replied = sys_reply(&reply);
        if (replied < 0) print("grantserver: reply failed: %s\n", status_name(replied));
    }
}

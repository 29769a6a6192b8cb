// depot
//
// The image depot of spawn_protocol.hpp: holds a stripped copy of echo's image, embedded at build time
// (groves/CMakeLists.txt), and grants it, whole or in the hostile ways the protocol lists, to whoever calls. Serves
// for ever; a stop request of the kernel makes it exit 0.
#include <groves/programs/spawn_protocol.hpp>

using namespace grove;
using namespace grove::rt;

// The embedded image, between depot_image and depot_image_end (read-only data).
asm(".section .rodata.depot_image, \"a\"\n"
    ".balign 16\n"
    ".globl depot_image\n"
    "depot_image:\n"
    ".incbin \"" GROVE_EMBEDDED_IMAGE "\"\n"
    ".globl depot_image_end\n"
    "depot_image_end:\n"
    ".previous\n");
extern "C" u8 const depot_image[];
extern "C" u8 const depot_image_end[];

namespace {

u8 g_garbage[spawn::GarbageLength];

spawn::Offer offer(u32 tag, u32 peer) {
    u64 const image_length = static_cast<u64>(depot_image_end - depot_image);
    switch (tag) {
    case spawn::TagImage: return {sys_grant_create(depot_image, image_length, peer, abi::GrantRead), image_length};
    case spawn::TagShort:
        return {sys_grant_create(depot_image, spawn::ShortLength, peer, abi::GrantRead), image_length};
    case spawn::TagGarbage:
        return {sys_grant_create(g_garbage, spawn::GarbageLength, peer, abi::GrantRead), spawn::GarbageLength};
    case spawn::TagRevoked: {
        long const grant = sys_grant_create(depot_image, image_length, peer, abi::GrantRead);
        if (grant < 0) return {grant, image_length};
        long const revoked = sys_grant_revoke(static_cast<u64>(grant));
        return {revoked < 0 ? revoked : grant, image_length};
    }
    default: return {-abi::StatusInvalidArgument, 0};
    }
}

} // namespace

int main(int argc, char**) {
    if (argc > 1) usage("depot");
    for (usize i = 0; i < spawn::GarbageLength; ++i) g_garbage[i] = static_cast<u8>(i * 7 + 3);
    print("depot: %lu bytes of image\n", static_cast<u64>(depot_image_end - depot_image));
    for (;;) {
        abi::Message message;
        long const received = sys_receive(abi::OwnEndpointHandle, &message, 0, abi::WaitForever);
        if (received < 0) {
            print("depot: receive failed: %s\n", status_name(received));
            sys_yield();
            continue;
        }
        if ((message.header.flags & abi::MessageFlagKernel) != 0) {
            if (message.header.tag == abi::NotifyStop) return 0;
            continue;
        }
        if ((message.header.flags & abi::MessageFlagCall) == 0) continue;
        abi::Message reply{};
        reply.header.tag = message.header.tag;
        set_payload(reply, offer(message.header.tag, message.header.sender));
        long const replied = sys_reply(&reply);
        if (replied < 0) print("depot: reply failed: %s\n", status_name(replied));
    }
}

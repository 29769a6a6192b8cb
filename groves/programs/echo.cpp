// echo [report-every]
//
// A server: receives on its own endpoint forever. A Call is answered with the request itself (Reply); a ping
// (tag TagPing) is sent back as a pong to the grove named in its payload; anything else is counted. Prints its
// counters every `report-every` messages (default 1000). A stop request of the kernel (a graceful stop) makes it
// print its counters and exit 0. See echo_protocol.hpp.
#include <groves/programs/echo_protocol.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr u64 PongTimeout = 100'000'000; // ticks: 100 ms of virtual time

// Send handles to the groves that pinged, so that a ping costs one Lookup per peer, not one per message.
// A peer is known by the kernel-filled sender id and generation: a respawned peer is a new entry.
struct Peer {
    bool used;
    u32 sender;
    u16 generation;
    u64 handle;
};
constexpr usize PeerCapacity = 8;
Peer g_peers[PeerCapacity];
usize g_next_victim = 0;

struct Counters {
    u64 received = 0;
    u64 calls = 0;
    u64 pings = 0;
    u64 kernel = 0;
    u64 other = 0;
    u64 failures = 0;
};

// The send handle for the sender of `ping`, or -(status).
long peer_handle(abi::Message const& ping) {
    for (Peer const& peer : g_peers)
        if (peer.used && peer.sender == ping.header.sender && peer.generation == ping.header.sender_generation)
            return static_cast<long>(peer.handle);
    echo::PingPayload payload;
    memcpy(&payload, ping.payload, sizeof payload);
    payload.reply_to[echo::ReplyNameSize - 1] = '\0';
    long handle = sys_lookup(payload.reply_to, strlen(payload.reply_to));
    if (handle < 0) return handle;
    Peer& victim = g_peers[g_next_victim];
    g_next_victim = (g_next_victim + 1) % PeerCapacity;
    if (victim.used) sys_handle_close(victim.handle);
    victim = Peer{true, ping.header.sender, ping.header.sender_generation, static_cast<u64>(handle)};
    return handle;
}

void forget_peer(long handle) {
    for (Peer& peer : g_peers)
        if (peer.used && peer.handle == static_cast<u64>(handle)) {
            sys_handle_close(peer.handle);
            peer.used = false;
        }
}

void answer_ping(abi::Message& message, Counters& counters) {
    ++counters.pings;
    long handle = peer_handle(message);
    if (handle < 0) {
        ++counters.failures;
        print("echo: no peer for ping from grove %u: %s\n", message.header.sender, status_name(handle));
        return;
    }
    message.header.tag = echo::TagPong;
    message.header.flags = 0;
    long sent = sys_send(static_cast<u64>(handle), &message, 0, PongTimeout);
    if (sent < 0) {
        ++counters.failures;
        print("echo: pong to grove %u failed: %s\n", message.header.sender, status_name(sent));
        if (sent == -abi::StatusPeerClosed || sent == -abi::StatusBadHandle) forget_peer(handle);
    }
}

} // namespace

int main(int argc, char** argv) {
    u64 every = 1000;
    if (argc > 2 || (argc == 2 && (!parse_unsigned(argv[1], every) || every == 0))) usage("echo [report-every]");

    print("echo: serving, report every %lu messages\n", every);
    Counters counters;
    for (;;) {
        abi::Message message;
        long received = sys_receive(abi::OwnEndpointHandle, &message, 0, abi::WaitForever);
        if (received < 0) {
            ++counters.failures;
            print("echo: receive failed: %s\n", status_name(received));
            sys_yield();
            continue;
        }
        ++counters.received;
        if ((message.header.flags & abi::MessageFlagCall) != 0) {
            ++counters.calls;
            long replied = sys_reply(&message);
            if (replied < 0) {
                ++counters.failures;
                print("echo: reply to grove %u failed: %s\n", message.header.sender, status_name(replied));
            }
        } else if ((message.header.flags & abi::MessageFlagKernel) != 0 && message.header.tag == abi::NotifyStop) {
            print("echo: stop requested after %lu messages (calls %lu, pings %lu, other %lu, kernel %lu, failures "
                  "%lu)\n",
                  counters.received, counters.calls, counters.pings, counters.other, counters.kernel,
                  counters.failures);
            return 0;
        } else if ((message.header.flags & abi::MessageFlagKernel) != 0) {
            ++counters.kernel;
            print("echo: kernel message, tag 0x%x\n", message.header.tag);
        } else if (message.header.tag == echo::TagPing) {
            answer_ping(message, counters);
        } else {
            ++counters.other;
        }
        if (counters.received % every == 0)
            print("echo: %lu messages (calls %lu, pings %lu, other %lu, kernel %lu, failures %lu)\n", counters.received,
                  counters.calls, counters.pings, counters.other, counters.kernel, counters.failures);
    }
}

// ipcbench stream TARGET N|forever | null N|forever | yield N|forever | measure TARGET N
//          | grant-serve | grant-stream TARGET N|forever | grant-measure TARGET N
//
// The benchmark grove (bench/README.md). Every loop is the bare syscall, nothing else, so that a figure measures
// the kernel's path and not the grove's own work.
//   stream TARGET N   looks TARGET up, then N blocking Sends (tag FLOD, 64-byte payload, waiting without limit
//                     while the queue is full); prints the ticks per send. `forever` sends until the run ends.
//   null N            N Clock syscalls (the null syscall: a trap and its return, nothing else).
//   yield N           N Yields (with a second yielding grove: a context switch each).
//   measure TARGET N  on one clock, in one run: N Clocks, then N blocking Sends to TARGET (an echo, which
//                     receives them), then prints `ipcbench: null=<cycles per Clock> oneway=<cycles per Send>
//                     n=N`. The clock is the time-stamp counter (rdtsc), not the Clock syscall: the kernel's
//                     virtual clock counts grove time only, while the TSC counts the whole machine. On bare
//                     metal under -icount shift=0 one TSC tick is one instruction, so these are instructions per
//                     operation, the kernel's and the receiver's included; in the simulator rdtsc reads virtual
//                     time.
//   grant-serve       serves TagFetch Calls of grant_protocol.hpp for ever: each copies the 64 KiB named by the
//                     caller's grant into this grove (one GrantCopyFrom) and replies with its Result; a TagHello
//                     Call is answered at once (its reply's header names this grove).
//   grant-stream TARGET N  looks TARGET (a grant-serve) up, grants it a 64 KiB buffer for reading, then N TagFetch
//                     Calls through that one grant, each checked to have moved 64 KiB; revokes the grant.
//   grant-measure TARGET N  grant-stream TARGET N on the time-stamp counter (as measure), then prints
//                     `ipcbench: grant64k=<cycles per transfer> bytes=65536 n=N`: the Call, the server's
//                     GrantCopyFrom of 64 KiB and the reply, the switches included.
// Exit 0 when done, 2 when the target cannot be found or a syscall is refused, 64 on bad arguments.
#include <groves/programs/echo_protocol.hpp>
#include <groves/programs/grant_protocol.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

// The time-stamp counter (a grove in ring 1 may read it; the simulator answers with virtual time).
long time_stamp() {
    u32 low = 0, high = 0;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return static_cast<long>((u64{high} << 32) | low);
}

constexpr char const* Usage = "ipcbench stream TARGET N|forever | null N|forever | yield N|forever | measure TARGET N "
                              "| grant-serve | grant-stream TARGET N|forever | grant-measure TARGET N";
constexpr u64 LookupAttempts = 1000;
constexpr u64 LookupPause = 1'000'000; // ticks: 1 ms
constexpr int ExitRefused = 2;

[[noreturn]] void refused(char const* what, long result) {
    print("ipcbench: %s failed: %s\n", what, status_name(result));
    sys_exit(ExitRefused);
}

u64 lookup(char const* name) {
    long handle = lookup_service(name, LookupAttempts, LookupPause);
    if (handle < 0) refused("lookup", handle);
    return static_cast<u64>(handle);
}

// Sends `count` messages to `handle`, each waiting while the target's queue is full.
void send_all(u64 handle, u64 count) {
    abi::Message message = echo::make_message(echo::TagFlood, 0, echo::make_payload(0, nullptr));
    for (u64 i = 0; count == Forever || i < count; ++i) {
        long sent = sys_send(handle, &message, 0, abi::WaitForever);
        if (sent < 0) refused("send", sent);
    }
}

u8 g_bulk[grants::MaxTransfer];

// Calls `handle` with `tag` and `payload`; the reply, or refused() when the Call fails.
template<typename P>
abi::Message call(u64 handle, u32 tag, P const& payload) {
    abi::Message request{};
    request.header.tag = tag;
    grants::set_payload(request, payload);
    abi::Message reply{};
    long const called = sys_call(handle, &request, &reply, abi::WaitForever);
    if (called < 0) refused("call", called);
    return reply;
}

[[noreturn]] void grant_serve() {
    for (;;) {
        abi::Message message;
        long const received = sys_receive(abi::OwnEndpointHandle, &message, 0, abi::WaitForever);
        if (received < 0) refused("receive", received);
        if ((message.header.flags & abi::MessageFlagKernel) != 0) {
            if (message.header.tag == abi::NotifyStop) sys_exit(0);
            continue;
        }
        if ((message.header.flags & abi::MessageFlagCall) == 0) continue;
        abi::Message reply{};
        reply.header.tag = message.header.tag;
        long result = -abi::StatusInvalidArgument;
        if (message.header.tag == grants::TagHello) result = 0;
        if (message.header.tag == grants::TagFetch) {
            grants::Transfer const fetch = grants::payload_of<grants::Transfer>(message);
            if (fetch.length <= grants::MaxTransfer) result = sys_grant_copy_from(fetch.grant, 0, g_bulk, fetch.length);
        }
        grants::set_payload(reply, grants::Result{result});
        long const replied = sys_reply(&reply);
        if (replied < 0) refused("reply", replied);
    }
}

void grant_stream(u64 handle, u64 count) {
    for (usize i = 0; i < grants::MaxTransfer; ++i) g_bulk[i] = static_cast<u8>(i);
    u32 const server = call(handle, grants::TagHello, grants::Hello{0}).header.sender;
    long const grant = sys_grant_create(g_bulk, grants::MaxTransfer, server, abi::GrantRead);
    if (grant < 0) refused("grant", grant);
    grants::Transfer const whole{static_cast<u64>(grant), grants::MaxTransfer};
    for (u64 i = 0; count == Forever || i < count; ++i) {
        long const fetched = grants::payload_of<grants::Result>(call(handle, grants::TagFetch, whole)).value;
        if (fetched != static_cast<long>(grants::MaxTransfer))
            refused("fetch of 64 KiB", fetched < 0 ? fetched : -abi::StatusInvalidState);
    }
    long const revoked = sys_grant_revoke(static_cast<u64>(grant));
    if (revoked < 0) refused("revoke", revoked);
}

long per_op(long ticks, u64 count) { return count == 0 ? 0 : ticks / static_cast<long>(count); }

} // namespace

int main(int argc, char** argv) {
    if (argc == 2 && is_mode(argv[1], "grant-serve")) grant_serve();
    if (argc < 3) usage(Usage);
    u64 count = 0;
    bool const with_target = is_mode(argv[1], "stream") || is_mode(argv[1], "measure") ||
                             is_mode(argv[1], "grant-stream") || is_mode(argv[1], "grant-measure");
    if (argc != (with_target ? 4 : 3) || !parse_count(argv[with_target ? 3 : 2], count)) usage(Usage);

    if (is_mode(argv[1], "null")) {
        for (u64 i = 0; count == Forever || i < count; ++i) sys_clock();
        return 0;
    }
    if (is_mode(argv[1], "yield")) {
        for (u64 i = 0; count == Forever || i < count; ++i) sys_yield();
        return 0;
    }
    if (is_mode(argv[1], "stream")) {
        u64 handle = lookup(argv[2]);
        long start = sys_clock();
        send_all(handle, count);
        print("ipcbench: stream %lu sends, %ld ticks per send\n", count, per_op(sys_clock() - start, count));
        return 0;
    }
    if (is_mode(argv[1], "measure")) {
        if (count == Forever) usage(Usage);
        u64 handle = lookup(argv[2]);
        long t0 = time_stamp();
        for (u64 i = 0; i < count; ++i) sys_clock();
        long t1 = time_stamp();
        send_all(handle, count);
        long t2 = time_stamp();
        print("ipcbench: null=%ld oneway=%ld n=%lu\n", per_op(t1 - t0, count), per_op(t2 - t1, count), count);
        return 0;
    }
    if (is_mode(argv[1], "grant-stream")) {
        grant_stream(lookup(argv[2]), count);
        return 0;
    }
    if (is_mode(argv[1], "grant-measure")) {
        if (count == Forever) usage(Usage);
        u64 const handle = lookup(argv[2]);
        long const start = time_stamp();
        grant_stream(handle, count);
        print("ipcbench: grant64k=%ld bytes=%lu n=%lu\n", per_op(time_stamp() - start, count), grants::MaxTransfer,
              count);
        return 0;
    }
    usage(Usage);
}

// flooder target-name [count|forever] [priority] [rate]
//
// Sends messages (tag TagFlood) to the grove `target-name` without blocking: `count` sends (default forever) at
// `priority` (0..31, default 0), as fast as it can or, with a `rate` above 0, about `rate` per second of virtual
// time (a Sleep of 1e9 / rate ticks after each send). After every send it looks for a stop request of the kernel
// (a graceful stop, which is how a scripted flood ends) after every 16th send, or every send when paced, and then prints its totals and exits 0. Counts accepted sends and each kind of refusal; when the
// target goes away (PeerClosed, BadHandle) it looks the name up again. With a finite count it prints the totals
// and exits 0; 2 when the target cannot be found, 64 on bad arguments.
#include <groves/programs/echo_protocol.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* Usage = "flooder target-name [count|forever] [priority] [rate]";
constexpr u64 TicksPerSecond = 1'000'000'000;
constexpr u64 StopCheckEvery = 16;
constexpr u64 LookupAttempts = 1000;
constexpr u64 LookupPause = 1'000'000; // ticks: 1 ms

struct Totals {
    u64 sent = 0;
    u64 would_block = 0;
    u64 limited = 0;
    u64 closed = 0;
    u64 other = 0;
};

long connect(char const* target, u64 attempts) {
    long handle = lookup_service(target, attempts, LookupPause);
    if (handle < 0) {
        print("flooder: lookup of %s failed: %s\n", target, status_name(handle));
        sys_exit(2);
    }
    return handle;
}

} // namespace

int main(int argc, char** argv) {
    u64 count = Forever;
    u64 priority = 0;
    u64 rate = 0;
    if (argc < 2 || argc > 5) usage(Usage);
    if (argc > 2 && !parse_count(argv[2], count)) usage(Usage);
    if (argc > 3 && (!parse_unsigned(argv[3], priority) || priority >= abi::PriorityLevels)) usage(Usage);
    if (argc > 4 && (!parse_unsigned(argv[4], rate) || rate > TicksPerSecond)) usage(Usage);
    u64 const pause = rate == 0 ? 0 : TicksPerSecond / rate;
    char const* target = argv[1];

    auto handle = static_cast<u64>(connect(target, LookupAttempts));
    print("flooder: flooding %s, %s%lu messages at priority %lu\n", target, count == Forever ? "forever, " : "",
          count == Forever ? 0 : count, priority);

    Totals totals;
    for (u64 sequence = 0; count == Forever || sequence < count; ++sequence) {
        abi::Message message =
            echo::make_message(echo::TagFlood, static_cast<u8>(priority), echo::make_payload(sequence, nullptr));
        long result = sys_send(handle, &message, abi::FlagNonBlocking, 0);
        if (result >= 0) {
            ++totals.sent;
        } else if (result == -abi::StatusWouldBlock) {
            ++totals.would_block;
        } else if (result == -abi::StatusLimitExceeded) {
            ++totals.limited;
        } else if (result == -abi::StatusPeerClosed || result == -abi::StatusBadHandle) {
            ++totals.closed;
            sys_handle_close(handle);
            handle = static_cast<u64>(connect(target, count == Forever ? Forever : LookupAttempts));
        } else {
            ++totals.other;
            if (totals.other == 1) print("flooder: first other refusal: %s\n", status_name(result));
        }
        if (pause != 0) sys_sleep(pause);
        // A stop request is looked for after every 16th send (or every send when paced), which keeps a fast flood
        // fast.
        if ((pause != 0 || sequence % StopCheckEvery == StopCheckEvery - 1) && stop_requested()) {
            print("flooder: stop requested\n");
            break;
        }
    }
    if (count == Forever) count = totals.sent + totals.would_block + totals.limited + totals.closed + totals.other;
    print("flooder: %lu attempts to %s: sent %lu, would-block %lu, limit-exceeded %lu, peer-closed %lu, other %lu\n",
          count, target, totals.sent, totals.would_block, totals.limited, totals.closed, totals.other);
    return 0;
}

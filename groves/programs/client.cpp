// client pingpong|request N [reply-to]
//
// Talks to the echo grove N times and checks every answer:
//   request   N Calls; each reply must be the request itself.
//   pingpong  N rounds of Send (tag TagPing) then Receive on the own endpoint (tag TagPong, same payload); echo
//             sends the pong to the grove named `reply-to` (default: argv[0], the client's own name).
// Prints a summary. Exit status: 0 all answers right, 1 a wrong answer, 2 a refused syscall, 64 bad arguments.
#include <groves/programs/echo_protocol.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* Usage = "client pingpong|request N [reply-to]";
constexpr u64 Timeout = 1'000'000'000; // ticks: one second of virtual time per operation
constexpr u64 LookupAttempts = 1000;
constexpr u64 LookupPause = 1'000'000; // ticks: 1 ms

constexpr int ExitMismatch = 1;
constexpr int ExitRefused = 2;

[[noreturn]] void refused(char const* what, u64 round, long result) {
    print("client: %s failed in round %lu: %s\n", what, round, status_name(result));
    sys_exit(ExitRefused);
}

// Checks an answer against what was sent; ends the grove on a difference.
void verify(abi::Message const& sent, abi::Message const& answer, u32 expected_tag, u64 round) {
    bool same_payload = memcmp(sent.payload, answer.payload, abi::MessagePayloadSize) == 0;
    if (answer.header.tag == expected_tag && answer.header.length == sent.header.length && same_payload) return;
    echo::PingPayload got;
    memcpy(&got, answer.payload, sizeof got);
    print("client: mismatch in round %lu: tag 0x%x (expected 0x%x), length %u, sequence %lu, check 0x%lx "
          "(expected 0x%lx)\n",
          round, answer.header.tag, expected_tag, answer.header.length, got.sequence, got.check, echo::check_of(round));
    sys_exit(ExitMismatch);
}

// Receives until the pong of this round arrives; other messages are counted and skipped.
void receive_pong(abi::Message const& ping, u64 round, u64& strays) {
    for (;;) {
        abi::Message answer;
        long received = sys_receive(abi::OwnEndpointHandle, &answer, 0, Timeout);
        if (received < 0) refused("receive", round, received);
        if ((answer.header.flags & abi::MessageFlagKernel) != 0 || answer.header.tag != echo::TagPong) {
            ++strays;
            continue;
        }
        verify(ping, answer, echo::TagPong, round);
        return;
    }
}

} // namespace

int main(int argc, char** argv) {
    u64 rounds = 0;
    if (argc < 3 || argc > 4 || !parse_unsigned(argv[2], rounds)) usage(Usage);
    bool pingpong = is_mode(argv[1], "pingpong");
    if (!pingpong && !is_mode(argv[1], "request")) usage(Usage);
    char const* reply_to = argument(argc, argv, 3, argv[0]);
    if (pingpong && strlen(reply_to) >= echo::ReplyNameSize) usage(Usage);

    long handle = lookup_service(echo::ServiceName, LookupAttempts, LookupPause);
    if (handle < 0) refused("lookup of echo", 0, handle);
    auto echo_handle = static_cast<u64>(handle);

    u64 strays = 0;
    long start = sys_clock();
    for (u64 round = 0; round < rounds; ++round) {
        if (pingpong) {
            abi::Message ping = echo::make_message(echo::TagPing, 0, echo::make_payload(round, reply_to));
            long sent = sys_send(echo_handle, &ping, 0, Timeout);
            if (sent < 0) refused("send", round, sent);
            receive_pong(ping, round, strays);
        } else {
            abi::Message request = echo::make_message(echo::TagRequest, 0, echo::make_payload(round, nullptr));
            abi::Message reply;
            long called = sys_call(echo_handle, &request, &reply, Timeout);
            if (called < 0) refused("call", round, called);
            verify(request, reply, echo::TagRequest, round);
        }
    }
    long elapsed = sys_clock() - start;
    print("client: %s %lu rounds ok, %lu stray messages, %ld ticks (%ld per round)\n", argv[1], rounds, strays, elapsed,
          rounds == 0 ? 0 : elapsed / static_cast<long>(rounds));
    return 0;
}

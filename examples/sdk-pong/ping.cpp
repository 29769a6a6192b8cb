// ping N: looks up pong, calls it N times (default 10) and checks every answer; prints the count and exits 0, or
// exits 1 at a wrong answer and 2 at a refused call.
#include "pong_protocol.hpp"

using namespace grove;
using namespace grove::rt;

int main(int argc, char** argv) {
    u64 rounds = 10;
    if (argc > 2 || (argc == 2 && !parse_unsigned(argv[1], rounds))) usage("ping [rounds]");
    long handle = lookup_service(pong::ServiceName, 100, 100'000);
    if (handle < 0) {
        print("ping: lookup of pong failed: %s\n", status_name(handle));
        return 2;
    }
    for (u64 round = 0; round < rounds; ++round) {
        abi::Message request{};
        request.header.tag = pong::TagPing;
        request.header.length = sizeof round;
        memcpy(request.payload, &round, sizeof round);
        abi::Message reply{};
        long called = sys_call(static_cast<u64>(handle), &request, &reply, 100'000'000);
        if (called < 0) {
            print("ping: call %lu refused: %s\n", round, status_name(called));
            return 2;
        }
        u64 answer = 0;
        memcpy(&answer, reply.payload, sizeof answer);
        if (reply.header.tag != pong::TagPong || answer != round + 1) {
            print("ping: round %lu answered %lu\n", round, answer);
            return 1;
        }
    }
    print("ping: %lu rounds ok\n", rounds);
    return 0;
}

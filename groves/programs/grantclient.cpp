// grantclient transfer | misuse
//
// The client of grant_protocol.hpp. `transfer`: grants a 64 KiB buffer to the server, has it transformed there
// through the grant, and checks every byte that comes back. `misuse`: misuses grants every way (a grant the server
// is not the peer of, a revoked grant, out of bounds, without the right, forged and stale ids, past its grants
// limit, and one used after this grove has exited) and checks that each is refused with its status. Exits 0 when
// everything went as expected, 1 otherwise (saying what did not).
#include <groves/programs/grant_protocol.hpp>

using namespace grove;
using namespace grove::rt;
using grove::grants::payload_of;
using grove::grants::set_payload;

namespace {

u8 g_buffer[grants::MaxTransfer];
u64 g_server = 0;    // send handle
u32 g_server_id = 0; // grove id, for GrantCreate
u32 g_own_id = 0;
bool g_failed = false;

// Calls the server; the reply's payload as T (zeroed when the call failed).
template<typename T, typename P>
T call(u32 tag, P const& payload, abi::Message& reply) {
    abi::Message request{};
    request.header.tag = tag;
    set_payload(request, payload);
    long const called = sys_call(g_server, &request, &reply, abi::WaitForever);
    if (called < 0) {
        print("grantclient: call failed: %s\n", status_name(called));
        g_failed = true;
        return T{};
    }
    return payload_of<T>(reply);
}

// Says what came back (a status, or a number of bytes) and whether it was the expected one.
void expect(char const* what, long seen, long wanted) {
    bool const ok = seen == wanted;
    if (seen >= 0) print("grantclient: %s: %ld%s\n", what, seen, ok ? "" : ", not the expected result");
    else print("grantclient: %s: %s%s\n", what, status_name(seen), ok ? "" : ", not the expected status");
    g_failed = g_failed || !ok;
}

long grant(usize length, u32 peer, u64 rights) { return sys_grant_create(g_buffer, length, peer, rights); }

long server_tries(u64 grant_id, u64 offset, u64 length, bool to_grant) {
    abi::Message reply;
    return call<grants::Result>(grants::TagTry, grants::Attempt{grant_id, offset, length, to_grant ? 1u : 0u}, reply)
        .value;
}

int transfer() {
    for (usize i = 0; i < grants::MaxTransfer; ++i) g_buffer[i] = static_cast<u8>(i * 31 + (i >> 9));
    long const id = grant(grants::MaxTransfer, g_server_id, abi::GrantRead | abi::GrantWrite);
    if (id < 0) {
        print("grantclient: grant failed: %s\n", status_name(id));
        return 1;
    }
    abi::Message reply;
    long const moved =
        call<grants::Result>(grants::TagTransform, grants::Transfer{static_cast<u64>(id), grants::MaxTransfer}, reply)
            .value;
    expect("transform of 64 KiB", moved, static_cast<long>(grants::MaxTransfer));
    usize wrong = 0;
    for (usize i = 0; i < grants::MaxTransfer; ++i)
        if (g_buffer[i] != grants::transformed(static_cast<u8>(i * 31 + (i >> 9)), i)) ++wrong;
    print("grantclient: %lu of %lu bytes came back transformed\n", grants::MaxTransfer - wrong, grants::MaxTransfer);
    expect("revoke", sys_grant_revoke(static_cast<u64>(id)), 0);
    return g_failed || wrong != 0 ? 1 : 0;
}

int misuse() {
    // Not the peer: a grant this grove made to itself.
    long const own = grant(256, g_own_id, abi::GrantRead);
    expect("a grant to another grove", server_tries(static_cast<u64>(own), 0, 16, false), -abi::StatusAccessDenied);
    // Revoked.
    long const revoked = grant(256, g_server_id, abi::GrantRead);
    expect("revoke", sys_grant_revoke(static_cast<u64>(revoked)), 0);
    expect("a revoked grant", server_tries(static_cast<u64>(revoked), 0, 16, false), -abi::StatusBadHandle);
    // Out of bounds, and an offset that overflows.
    long const small = grant(4096, g_server_id, abi::GrantRead);
    u64 const id = static_cast<u64>(small);
    expect("past the end", server_tries(id, 4000, 200, false), -abi::StatusInvalidArgument);
    expect("an overflowing offset", server_tries(id, ~u64{0} - 8, 16, false), -abi::StatusInvalidArgument);
    // Without the right: writing to a read-only grant.
    expect("a write to a read grant", server_tries(id, 0, 16, true), -abi::StatusAccessDenied);
    // Forged and stale ids: another generation of the slot, a slot never used.
    expect("a stale id", server_tries(id + (u64{1} << 32), 0, 16, false), -abi::StatusBadHandle);
    expect("a forged id", server_tries(abi::make_handle(1000, 1), 0, 16, false), -abi::StatusBadHandle);
    expect("a good copy", server_tries(id, 0, 16, false), 16);
    // Past the grants limit (the scenario gives this grove 4): 2 are live (own, small).
    long last = 0;
    int made = 0;
    while ((last = grant(64, g_server_id, abi::GrantRead)) >= 0 && made < 8) ++made;
    expect("a grant past the limit", last, -abi::StatusLimitExceeded);
    // After the granter is gone: the server uses the grant once this grove has exited.
    abi::Message keep{};
    keep.header.tag = grants::TagKeep;
    set_payload(keep, grants::Transfer{id, 16});
    expect("handing the grant on", sys_send(g_server, &keep, 0, abi::WaitForever), 0);
    return g_failed ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
    char const* mode = argument(argc, argv, 1, "");
    if (argc != 2 || (!is_mode(mode, "transfer") && !is_mode(mode, "misuse"))) usage("grantclient transfer|misuse");
    long const handle = lookup_service(grants::ServiceName, 100, 100'000);
    if (handle < 0) {
        print("grantclient: no server: %s\n", status_name(handle));
        return 1;
    }
    g_server = static_cast<u64>(handle);
    abi::Message reply;
    g_own_id = call<grants::Hello>(grants::TagHello, grants::Hello{0}, reply).caller;
    g_server_id = reply.header.sender;
    return is_mode(mode, "transfer") ? transfer() : misuse();
}

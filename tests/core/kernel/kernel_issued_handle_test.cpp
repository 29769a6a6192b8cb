// Issued handles (HandleIssue, HandleIssued): a service's open objects are handles in the client's own table,
// counted by the kernel against the client's file_handles limit, and given back by the client's close, the
// service's revoke, or the end of either incarnation; neither side can make the count lie.
#include <tests/core/kernel/kernel_fixture.hpp>

namespace grove {
namespace {

using namespace testing;

class KernelIssuedHandle : public KernelTest {
public:
    // A client with `handles` file handles that has called the server, and the server holding the call.
    void start(u64 handles = 256, ViolationPolicy policy = ViolationPolicy::Deny, u64 timeout = abi::WaitForever) {
        GroveSpec s = spec_sending_to("client", "server", RespawnPolicy::always());
        s.limits.file_handles = Count(handles);
        s.limits.policy = policy;
        client = spawn(s);
        server = spawn("server");
        c = main_thread(client);
        t = main_thread(server);
        to_server = static_cast<u64>(lookup(c, client, "server"));
        ASSERT_GT(static_cast<i64>(to_server), 0);
        ASSERT_EQ(call(c, client, to_server, make_message(1), timeout), NoResult);
        ASSERT_EQ(receive(t), 0);
    }
    u64 used(GroveId g) const { return find(g)->usage.file_handles.used().value; }
    i64 issued(ThreadId by, GroveId holder, u64 handle, u64 revoke = 0) {
        return sys(by, Syscall::HandleIssued, holder.serial, handle, revoke);
    }

    GroveId client, server;
    ThreadId c, t;
    u64 to_server = 0;
};

TEST_F(KernelIssuedHandle, IsChargedToTheCallerAndNamesTheIssuer) {
    start();
    u64 const before = used(client);
    i64 const handle = sys(t, Syscall::HandleIssue);
    ASSERT_GT(handle, 0);
    EXPECT_EQ(used(client), before + 1);
    EXPECT_EQ(used(server), 1u); // its own endpoint only
    EXPECT_EQ(issued(t, client, static_cast<u64>(handle)), 0);
    EXPECT_EQ(reply(t, server, make_message(2)), 0);
    // The client may call the server through it.
    ASSERT_EQ(call(c, client, static_cast<u64>(handle), make_message(3)), NoResult);
    ASSERT_EQ(receive(t), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.sender, client.serial);
}

TEST_F(KernelIssuedHandle, NeedsACallBeingServed) {
    GroveId const lone = spawn("lone");
    EXPECT_EQ(sys(main_thread(lone), Syscall::HandleIssue), status(Error::InvalidState));
    start();
    EXPECT_EQ(reply(t, server, make_message(2)), 0);
    EXPECT_EQ(sys(t, Syscall::HandleIssue), status(Error::InvalidState)); // answered: nobody to charge
}

TEST_F(KernelIssuedHandle, AtTheClientsLimitIsRefusedWithItsEvent) {
    start(2); // its own endpoint and the server's
    EXPECT_EQ(sys(t, Syscall::HandleIssue), status(Error::LimitExceeded));
    EXPECT_EQ(used(client), 2u);
    Event const e = last_of(EventKind::LimitExceeded);
    EXPECT_EQ(e.grove(), client);
    EXPECT_EQ(e.fields.limit_exceeded.resource, Resource::FileHandles);
    EXPECT_EQ(e.fields.limit_exceeded.requested, 3u);
    EXPECT_EQ(e.fields.limit_exceeded.limit, 2u);
}

TEST_F(KernelIssuedHandle, TheClientsCloseGivesItBackAndTheIssuerSeesIt) {
    start();
    u64 const before = used(client);
    auto const handle = static_cast<u64>(sys(t, Syscall::HandleIssue));
    EXPECT_EQ(reply(t, server, make_message(2)), 0);
    EXPECT_EQ(sys(c, Syscall::HandleClose, handle), 0);
    EXPECT_EQ(used(client), before);
    EXPECT_EQ(issued(t, client, handle), status(Error::NotFound));
    EXPECT_EQ(issued(t, client, handle, 1), status(Error::NotFound));
    EXPECT_EQ(used(client), before);
}

TEST_F(KernelIssuedHandle, TheIssuersRevokeClosesTheClientsHandle) {
    start();
    u64 const before = used(client);
    auto const handle = static_cast<u64>(sys(t, Syscall::HandleIssue));
    EXPECT_EQ(issued(t, client, handle, 1), 0);
    EXPECT_EQ(used(client), before);
    EXPECT_EQ(reply(t, server, make_message(2)), 0);
    EXPECT_EQ(sys(c, Syscall::HandleClose, handle), status(Error::BadHandle));
    EXPECT_EQ(used(client), before);
}

TEST_F(KernelIssuedHandle, NoOtherGroveAndNoOtherHandleCanBeRevoked) {
    start();
    GroveId const other = spawn("other");
    auto const handle = static_cast<u64>(sys(t, Syscall::HandleIssue));
    u64 const held = used(client);
    // Another grove cannot see or end it, and the issuer cannot end a handle the client got itself, even one to
    // the issuer's own endpoint, nor the client's own endpoint.
    EXPECT_EQ(issued(main_thread(other), client, handle, 1), status(Error::NotFound));
    EXPECT_EQ(issued(t, client, to_server, 1), status(Error::NotFound));
    EXPECT_EQ(issued(t, client, abi::OwnEndpointHandle, 1), status(Error::NotFound));
    EXPECT_EQ(issued(t, other, handle, 1), status(Error::NotFound));
    EXPECT_EQ(used(client), held);
    EXPECT_EQ(issued(t, client, handle), 0);
}

TEST_F(KernelIssuedHandle, TheClientsEndEndsItsHandles) {
    start();
    auto const handle = static_cast<u64>(sys(t, Syscall::HandleIssue));
    ASSERT_TRUE(kernel->kill(client).has_value());
    EXPECT_EQ(issued(t, client, handle), status(Error::NotFound));
    EXPECT_EQ(reply(t, server, make_message(2)), status(Error::PeerClosed));
}

TEST_F(KernelIssuedHandle, TheIssuersEndGivesTheClientItsHandlesBack) {
    start();
    u64 const before = used(client);
    auto const handle = static_cast<u64>(sys(t, Syscall::HandleIssue));
    ASSERT_EQ(used(client), before + 1);
    ASSERT_TRUE(kernel->kill(server).has_value());
    EXPECT_EQ(used(client), before);
    EXPECT_EQ(sys(c, Syscall::HandleClose, handle), status(Error::BadHandle));
    EXPECT_EQ(sys(c, Syscall::HandleClose, to_server), 0); // the client's own handle to it stays its own
}

TEST_F(KernelIssuedHandle, TheClientsNextIncarnationHoldsNoneOfTheLastOnesHandlesAndPaysOnlyForItsOwn) {
    start();
    auto const old = static_cast<u64>(sys(t, Syscall::HandleIssue));
    EXPECT_EQ(reply(t, server, make_message(2)), 0);
    ASSERT_TRUE(kernel->restart(client).has_value());
    EXPECT_EQ(sys(c, Syscall::Exit, 0), NoResult); // it answers the stop; the next incarnation starts
    GroveId const renewed{client.serial, 2};
    ASSERT_EQ(state_of(renewed), GroveState::Running);
    EXPECT_EQ(used(renewed), 1u); // its own endpoint: nothing of the last incarnation is charged to it
    // The old value names nothing, for the holder's close and the issuer's check and revoke.
    ThreadId const c2 = main_thread(renewed);
    EXPECT_EQ(sys(c2, Syscall::HandleClose, old), status(Error::BadHandle));
    EXPECT_EQ(issued(t, renewed, old), status(Error::NotFound));
    EXPECT_EQ(issued(t, renewed, old, 1), status(Error::NotFound));
    EXPECT_EQ(used(renewed), 1u);
    // A handle issued to the new incarnation in the same slot is another value, and only it is the issuer's.
    auto const again = static_cast<u64>(lookup(c2, renewed, "server"));
    ASSERT_EQ(call(c2, renewed, again, make_message(3)), NoResult);
    ASSERT_EQ(receive(t), 0);
    auto const fresh = static_cast<u64>(sys(t, Syscall::HandleIssue));
    EXPECT_NE(fresh, old);
    EXPECT_EQ(used(renewed), 3u);
    EXPECT_EQ(issued(t, renewed, old), status(Error::NotFound));
    EXPECT_EQ(issued(t, renewed, fresh), 0);
}

TEST_F(KernelIssuedHandle, AtTheClientsLimitUnderKillEndsTheClientAndNotTheService) {
    start(2, ViolationPolicy::Kill);
    u64 const served = used(server);
    EXPECT_EQ(sys(t, Syscall::HandleIssue), status(Error::LimitExceeded));
    EXPECT_EQ(last_of(EventKind::Crashed).grove(), client);
    EXPECT_NE(state_of(client), GroveState::Running);
    // The call went with the client: nobody is left to charge or to answer.
    EXPECT_EQ(sys(t, Syscall::HandleIssue), status(Error::InvalidState));
    EXPECT_EQ(reply(t, server, make_message(2)), status(Error::PeerClosed));
    EXPECT_EQ(state_of(server), GroveState::Running);
    EXPECT_EQ(used(server), served);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelIssuedHandle, ACallItsCallerGaveUpOnChargesNobody) {
    start(256, ViolationPolicy::Deny, 100);
    u64 const before = used(client);
    advance_to(Ticks(100));
    EXPECT_EQ(rax(c), status(Error::TimedOut));
    EXPECT_EQ(sys(t, Syscall::HandleIssue), status(Error::InvalidState));
    EXPECT_EQ(used(client), before);
    // A later call of the same thread is a new one: the stale call still charges nobody.
    ASSERT_EQ(call(c, client, to_server, make_message(3)), NoResult);
    EXPECT_EQ(sys(t, Syscall::HandleIssue), status(Error::InvalidState));
    EXPECT_EQ(used(client), before);
}

TEST_F(KernelIssuedHandle, MalformedArgumentsAreRefused) {
    start();
    EXPECT_EQ(sys(t, Syscall::HandleIssued, u64{1} << 32, 1, 0), status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::HandleIssued, client.serial, 1, 2), status(Error::InvalidArgument));
    EXPECT_EQ(sys(t, Syscall::HandleIssued, 999, 1, 0), status(Error::NotFound));
}

} // namespace
} // namespace grove

// IPC through the Kernel: send, receive, call and reply between groves, blocking and not, timeouts, wake order,
// hostile arguments, forged headers, the rate limit under each policy, peer death and crash notices.
#include <tests/core/kernel/kernel_fixture.hpp>

namespace grove {
namespace {

using namespace testing;

// A client that may send to a server; the client holds a send handle to the server's endpoint.
class KernelIpc : public KernelTest {
protected:
    void SetUp() override {
        KernelTest::SetUp();
        client = spawn(client_spec());
        server = spawn(server_spec());
        c = main_thread(client);
        s = main_thread(server);
        handle = static_cast<u64>(lookup(c, client, "server"));
        ASSERT_GT(static_cast<i64>(handle), 0);
    }
    virtual GroveSpec client_spec() {
        GroveSpec spec = spec_sending_to("client", "server");
        EXPECT_TRUE(spec.capabilities.grant(CapabilityKind::ThreadCreate).has_value());
        return spec;
    }
    virtual GroveSpec server_spec() {
        GroveSpec spec = open_spec("server");
        EXPECT_TRUE(spec.capabilities.grant(CapabilityKind::ThreadCreate).has_value());
        EXPECT_TRUE(spec.capabilities.grant(CapabilityKind::MemoryManage).has_value());
        return spec;
    }
    IpcCounters const& counters_of(GroveId g) const { return kernel->ipc().grove_counters(find(g)->slot); }
    ThreadId create_thread(ThreadId creator) {
        i64 const id = sys(creator, Syscall::ThreadCreate, CodeAddress, StackTop, 0);
        EXPECT_GT(id, 0);
        return thread_id(id);
    }
    void fill_server_queue() {
        for (u32 i = 0; i < Endpoint::Capacity; ++i)
            ASSERT_EQ(send(c, client, handle, make_message(i), abi::FlagNonBlocking), 0) << i;
    }

    GroveId client, server;
    ThreadId c, s;
    u64 handle = 0;
};

TEST_F(KernelIpc, SendQueuesAndReceiveTakesTheMessageWithTheSenderStamped) {
    EXPECT_EQ(send(c, client, handle, make_message(7, 3, 0x1234), abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    abi::Message const m = read_message(server, ReceiveBuffer);
    EXPECT_EQ(m.header.tag, 7u);
    EXPECT_EQ(m.header.priority, 3);
    EXPECT_EQ(m.header.sender, client.serial);
    EXPECT_EQ(m.header.sender_generation, 1);
    EXPECT_EQ(m.header.flags, 0);
    EXPECT_EQ(payload_word(m), 0x1234u);
    EXPECT_EQ(counters_of(client).delivered, 1u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelIpc, ReceiveBlocksUntilASendArrives) {
    EXPECT_EQ(receive(s), NoResult);
    EXPECT_TRUE(is_blocked(s));
    EXPECT_EQ(send(c, client, handle, make_message(9)), 0);
    EXPECT_EQ(rax(s), 0);
    EXPECT_FALSE(is_blocked(s));
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 9u);
    EXPECT_EQ(kernel->ipc().ledger().queued_total(), 0u);
}

TEST_F(KernelIpc, NonBlockingReceiveOnAnEmptyQueueWouldBlock) {
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), status(Error::WouldBlock));
    EXPECT_FALSE(is_blocked(s));
    EXPECT_EQ(receive(s, 0, 0), status(Error::TimedOut)); // a zero timeout does not wait either
}

TEST_F(KernelIpc, MessagesAreServedHighestPriorityFirstAndFifoWithin) {
    u8 const priorities[] = {1, 5, 3, 5};
    for (u32 i = 0; i < 4; ++i)
        ASSERT_EQ(send(c, client, handle, make_message(i, priorities[i]), abi::FlagNonBlocking), 0);
    u32 const expected[] = {1, 3, 2, 0};
    for (u32 tag : expected) {
        ASSERT_EQ(receive(s, abi::FlagNonBlocking), 0);
        EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, tag);
    }
}

TEST_F(KernelIpc, AFullQueueRefusesANonBlockingSendAndBlocksABlockingOne) {
    fill_server_queue();
    EXPECT_EQ(send(c, client, handle, make_message(100), abi::FlagNonBlocking), status(Error::WouldBlock));
    EXPECT_EQ(counters_of(client).refused_for(Refusal::QueueFull), 1u);
    EXPECT_EQ(send(c, client, handle, make_message(101)), NoResult);
    EXPECT_TRUE(is_blocked(c));
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(rax(c), 0); // its message took the freed slot
    EXPECT_EQ(kernel->ipc().ledger().queued_total(), Endpoint::Capacity);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelIpc, ABlockedSendTimesOut) {
    fill_server_queue();
    arch.set_now(Ticks(1'000));
    EXPECT_EQ(send(c, client, handle, make_message(100), 0, 500), NoResult);
    advance_to(Ticks(1'499));
    EXPECT_EQ(rax(c), NoResult);
    advance_to(Ticks(1'500));
    EXPECT_EQ(rax(c), status(Error::TimedOut));
    EXPECT_EQ(counters_of(client).refused_for(Refusal::TimedOut), 1u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelIpc, AReceiveTimeoutMakesTheKernelIdleUntilItsDeadline) {
    EXPECT_EQ(sys(c, Syscall::Sleep, 5'000), NoResult);
    EXPECT_EQ(receive(s, 0, 1'000), NoResult);
    EXPECT_TRUE(last.is_idle());
    EXPECT_EQ(last.wake_at, Ticks(1'000));
    Dispatch const d = advance_to(Ticks(1'000));
    EXPECT_EQ(d.thread, s);
    EXPECT_EQ(rax(s), status(Error::TimedOut));
    EXPECT_EQ(sys(s, Syscall::Sleep, abi::WaitForever), NoResult);
    EXPECT_EQ(last.wake_at, Ticks(5'000));
    EXPECT_EQ(advance_to(Ticks(5'000)).thread, c);
    EXPECT_EQ(rax(c), 0);
}

TEST_F(KernelIpc, BlockedReceiversAreServedInOrderOfArrival) {
    ThreadId const s2 = create_thread(s);
    ThreadId const s3 = create_thread(s);
    EXPECT_EQ(receive(s3, 0, abi::WaitForever, ReceiveBuffer + 0x80), NoResult);
    EXPECT_EQ(receive(s, 0, abi::WaitForever, ReceiveBuffer), NoResult);
    EXPECT_EQ(receive(s2, 0, abi::WaitForever, ReceiveBuffer + 0x40), NoResult);
    for (u32 tag = 1; tag <= 3; ++tag) ASSERT_EQ(send(c, client, handle, make_message(tag)), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer + 0x80).header.tag, 1u);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 2u);
    EXPECT_EQ(read_message(server, ReceiveBuffer + 0x40).header.tag, 3u);
    EXPECT_EQ(rax(s), 0);
    EXPECT_EQ(rax(s2), 0);
    EXPECT_EQ(rax(s3), 0);
}

TEST_F(KernelIpc, CallAndReplyRoundTrip) {
    EXPECT_EQ(receive(s), NoResult);
    EXPECT_EQ(call(c, client, handle, make_message(0x51, 0, 40)), NoResult);
    EXPECT_TRUE(is_blocked(c));
    ASSERT_EQ(rax(s), 0);
    abi::Message const request = read_message(server, ReceiveBuffer);
    EXPECT_EQ(request.header.tag, 0x51u);
    EXPECT_EQ(request.header.flags, abi::MessageFlagCall);
    EXPECT_EQ(request.header.sender, client.serial);
    EXPECT_EQ(reply(s, server, make_message(0x52, 0, payload_word(request) + 2)), 0);
    EXPECT_EQ(rax(c), 0);
    abi::Message const answer = read_message(client, ReplyBuffer);
    EXPECT_EQ(answer.header.tag, 0x52u);
    EXPECT_EQ(payload_word(answer), 42u);
    EXPECT_EQ(answer.header.sender, server.serial);
    EXPECT_EQ(answer.header.flags, 0);
    // The call is answered: another reply has nothing to answer.
    EXPECT_EQ(reply(s, server, make_message(0x53)), status(Error::InvalidState));
    EXPECT_EQ(counters_of(server).delivered, 1u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelIpc, APlainMessageReceivedWhileBlockedKeepsTheCallStillOwed) {
    ThreadId const c2 = create_thread(c);
    EXPECT_EQ(call(c, client, handle, make_message(1)), NoResult);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(s), NoResult);
    EXPECT_EQ(send(c2, client, handle, make_message(2)), 0);
    ASSERT_EQ(rax(s), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.flags, 0);
    EXPECT_EQ(reply(s, server, make_message(3)), 0);
    EXPECT_EQ(rax(c), 0);
    EXPECT_EQ(read_message(client, ReplyBuffer).header.tag, 3u);
}

TEST_F(KernelIpc, ASecondCallReceivedWhileBlockedGivesUpTheFirst) {
    ThreadId const c2 = create_thread(c);
    EXPECT_EQ(call(c, client, handle, make_message(1)), NoResult);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(s), NoResult);
    write_message(client, SendBuffer + 0x40, make_message(2));
    EXPECT_EQ(sys(c2, Syscall::Call, handle, SendBuffer + 0x40, ReplyBuffer + 0x40, abi::WaitForever), NoResult);
    ASSERT_EQ(rax(s), 0);
    EXPECT_EQ(rax(c), status(Error::PeerClosed)); // a thread answers one call at a time
    EXPECT_EQ(reply(s, server, make_message(3)), 0);
    EXPECT_EQ(rax(c2), 0);
    EXPECT_EQ(read_message(client, ReplyBuffer + 0x40).header.tag, 3u);
    // The same rule when the second call is already queued.
    EXPECT_EQ(call(c, client, handle, make_message(4)), NoResult);
    EXPECT_EQ(call(c2, client, handle, make_message(5)), NoResult);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(rax(c), status(Error::PeerClosed));
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelIpc, ReplyWithoutAPendingCallIsInvalidState) {
    EXPECT_EQ(reply(s, server, make_message(1)), status(Error::InvalidState));
    EXPECT_EQ(send(c, client, handle, make_message(2), abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(reply(s, server, make_message(3)), status(Error::InvalidState)); // a plain message owes no reply
}

TEST_F(KernelIpc, AReplyToACallerThatTimedOutIsPeerClosed) {
    EXPECT_EQ(call(c, client, handle, make_message(1), 100), NoResult);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    advance_to(Ticks(100));
    EXPECT_EQ(rax(c), status(Error::TimedOut));
    EXPECT_EQ(reply(s, server, make_message(2)), status(Error::PeerClosed));
    EXPECT_EQ(counters_of(server).refused_for(Refusal::PeerClosed), 1u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelIpc, AMalformedReplyLeavesTheCallerWaitingAndTheCallAnswerable) {
    EXPECT_EQ(call(c, client, handle, make_message(1)), NoResult);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    abi::Message bad = make_message(2);
    bad.header.length = abi::MessagePayloadSize + 1;
    EXPECT_EQ(reply(s, server, bad), status(Error::InvalidArgument));
    EXPECT_EQ(sys(s, Syscall::Reply, KernelAddress), status(Error::InvalidArgument));
    EXPECT_EQ(sys(s, Syscall::Reply, UnmappedAddress), status(Error::InvalidArgument));
    EXPECT_TRUE(is_blocked(c));
    EXPECT_EQ(reply(s, server, make_message(3)), 0);
    EXPECT_EQ(rax(c), 0);
    EXPECT_EQ(read_message(client, ReplyBuffer).header.tag, 3u);
}

TEST_F(KernelIpc, AGroveCannotForgeTheSenderOrTheKernelFlag) {
    abi::Message forged = make_message(0x666);
    forged.header.sender = 0;
    forged.header.sender_generation = 77;
    forged.header.flags = abi::MessageFlagKernel | abi::MessageFlagCall;
    EXPECT_EQ(send(c, client, handle, forged, abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    abi::Message const m = read_message(server, ReceiveBuffer);
    EXPECT_EQ(m.header.sender, client.serial);
    EXPECT_EQ(m.header.sender_generation, 1);
    EXPECT_EQ(m.header.flags, 0);
    // Nor in a reply.
    EXPECT_EQ(call(c, client, handle, make_message(1)), NoResult);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(reply(s, server, forged), 0);
    abi::Message const answer = read_message(client, ReplyBuffer);
    EXPECT_EQ(answer.header.sender, server.serial);
    EXPECT_EQ(answer.header.flags, 0);
}

TEST_F(KernelIpc, SendRefusesHostileHandlesPointersFlagsAndHeaders) {
    write_message(client, SendBuffer, make_message(1));
    auto send_raw = [&](u64 h, u64 buffer, u64 flags) { return sys(c, Syscall::Send, h, buffer, flags, 0); };
    EXPECT_EQ(send_raw(handle + (u64{5} << 32), SendBuffer, abi::FlagNonBlocking), status(Error::BadHandle));
    EXPECT_EQ(send_raw(0xffff'ffff, SendBuffer, abi::FlagNonBlocking), status(Error::BadHandle));
    EXPECT_EQ(send_raw(77, SendBuffer, abi::FlagNonBlocking), status(Error::BadHandle));
    EXPECT_EQ(send_raw(abi::OwnEndpointHandle, SendBuffer, abi::FlagNonBlocking), status(Error::AccessDenied));
    EXPECT_EQ(send_raw(handle, SendBuffer, 0x2), status(Error::InvalidArgument));
    EXPECT_EQ(send_raw(handle, SendBuffer, ~u64{0}), status(Error::InvalidArgument));
    for (u64 buffer : {u64{0}, KernelAddress, UnmappedAddress, DataAddress + 2 * PageSize - 32})
        EXPECT_EQ(send_raw(handle, buffer, abi::FlagNonBlocking), status(Error::InvalidArgument)) << buffer;
    abi::Message bad = make_message(1);
    bad.header.priority = abi::PriorityLevels;
    EXPECT_EQ(send(c, client, handle, bad, abi::FlagNonBlocking), status(Error::InvalidArgument));
    bad = make_message(1);
    bad.header.length = abi::MessagePayloadSize + 1;
    EXPECT_EQ(send(c, client, handle, bad), status(Error::InvalidArgument));
    bad = make_message(1);
    bad.header.reserved = 1;
    EXPECT_EQ(send(c, client, handle, bad), status(Error::InvalidArgument));
    IpcCounters const& counted = counters_of(client);
    EXPECT_EQ(counted.refused_for(Refusal::BadHandle), 3u);
    EXPECT_EQ(counted.refused_for(Refusal::AccessDenied), 1u);
    EXPECT_EQ(counted.refused_for(Refusal::Invalid), 3u);
    EXPECT_EQ(kernel->ipc().ledger().queued_total(), 0u);
    EXPECT_EQ(state_of(client), GroveState::Running);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelIpc, ReceiveRefusesHostileBuffersWithoutLosingTheMessage) {
    ASSERT_EQ(send(c, client, handle, make_message(5), abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking, 0, ReadOnlyAddress), status(Error::InvalidArgument));
    EXPECT_EQ(receive(s, abi::FlagNonBlocking, 0, UnmappedAddress), status(Error::InvalidArgument));
    EXPECT_EQ(receive(s, abi::FlagNonBlocking, 0, KernelAddress), status(Error::InvalidArgument));
    EXPECT_EQ(receive(s, 0, abi::WaitForever, ReadOnlyAddress), status(Error::InvalidArgument));
    EXPECT_EQ(receive(s, 0x4), status(Error::InvalidArgument));
    EXPECT_EQ(sys(s, Syscall::Receive, 0xffff'ffff, ReceiveBuffer, 0, 0), status(Error::BadHandle));
    // A send handle does not receive.
    EXPECT_EQ(sys(c, Syscall::Receive, handle, ReceiveBuffer, abi::FlagNonBlocking, 0), status(Error::AccessDenied));
    EXPECT_EQ(kernel->ipc().ledger().queued_total(), 1u);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 5u);
}

TEST_F(KernelIpc, CallRefusesAnUnwritableReplyBufferBeforeSending) {
    write_message(client, SendBuffer, make_message(1));
    EXPECT_EQ(sys(c, Syscall::Call, handle, SendBuffer, ReadOnlyAddress, abi::WaitForever),
              status(Error::InvalidArgument));
    EXPECT_EQ(sys(c, Syscall::Call, handle, SendBuffer, UnmappedAddress, abi::WaitForever),
              status(Error::InvalidArgument));
    EXPECT_EQ(sys(c, Syscall::Call, 0xffff'ffff, SendBuffer, ReplyBuffer, abi::WaitForever), status(Error::BadHandle));
    EXPECT_EQ(kernel->ipc().ledger().queued_total(), 0u);
    EXPECT_FALSE(is_blocked(c));
}

TEST_F(KernelIpc, ASendHandleGoesStaleWhenThePeerDiesAndIsRespawned) {
    ASSERT_TRUE(kernel->kill(server).has_value());
    EXPECT_EQ(send(c, client, handle, make_message(1), abi::FlagNonBlocking), status(Error::PeerClosed));
    EXPECT_EQ(send(c, client, handle, make_message(1)), status(Error::PeerClosed));
    EXPECT_EQ(call(c, client, handle, make_message(1)), status(Error::PeerClosed));
    EXPECT_EQ(lookup(c, client, "server"), status(Error::NotFound));
    EXPECT_EQ(counters_of(client).refused_for(Refusal::PeerClosed), 3u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

// --- peer death -----------------------------------------------------------------------------------------------

class KernelIpcPeerDeath : public KernelIpc {};

TEST_F(KernelIpcPeerDeath, BlockedSendersAndCallersWakeWithPeerClosedAndQueuedMessagesAreReclaimed) {
    ThreadId const c2 = create_thread(c);
    ThreadId const c3 = create_thread(c);
    fill_server_queue();
    EXPECT_EQ(send(c, client, handle, make_message(100)), NoResult);
    write_message(client, SendBuffer + 0x40, make_message(101));
    EXPECT_EQ(sys(c2, Syscall::Call, handle, SendBuffer + 0x40, ReplyBuffer, abi::WaitForever), NoResult);
    ASSERT_EQ(receive(s, abi::FlagNonBlocking), 0); // c's message enters; c2's request still waits for room
    EXPECT_EQ(rax(c), 0);
    EXPECT_EQ(send(c3, client, handle, make_message(102)), NoResult);
    ASSERT_TRUE(is_blocked(c2) && is_blocked(c3));
    u64 const queued = kernel->ipc().ledger().queued_total();
    EXPECT_EQ(queued, Endpoint::Capacity);

    ASSERT_TRUE(kernel->crash(server, Crash::fault(0x400000, 0)).has_value());
    EXPECT_EQ(rax(c2), status(Error::PeerClosed));
    EXPECT_EQ(rax(c3), status(Error::PeerClosed));
    EXPECT_EQ(kernel->ipc().ledger().queued_total(), 0u);
    IpcCounters const& counted = counters_of(client);
    EXPECT_EQ(counted.refused_for(Refusal::PeerClosed), queued + 2); // reclaimed, plus the two blocked messages
    EXPECT_EQ(counted.delivered, 1u);
    EXPECT_TRUE(counted.is_balanced());
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

// --- delivery failure -----------------------------------------------------------------------------------------

TEST_F(KernelIpc, AReceiverWhoseBufferWentAwayWhileItWaitedCrashes) {
    ThreadId const s2 = create_thread(s);
    EXPECT_EQ(receive(s, 0, abi::WaitForever, SecondDataPage), NoResult);
    EXPECT_EQ(sys(s2, Syscall::MemoryUnmap, SecondDataPage, PageSize), 0);
    EXPECT_EQ(send(c, client, handle, make_message(1)), 0);
    EXPECT_EQ(state_of(server), GroveState::Faulted);
    Event const e = last_of(EventKind::Crashed);
    EXPECT_EQ(e.fields.crashed.kind, CrashKind::Fault);
    EXPECT_EQ(e.fields.crashed.address, SecondDataPage);
    EXPECT_EQ(thread(s), nullptr);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

// One event wakes two threads of a warden; the first one's buffer is gone, so its delivery crashes the warden while
// the second is still among the woken threads waiting to be finished.
TEST_F(KernelIpc, AGroveThatCrashesOnADeliveryTakesItsOtherWokenThreadsWithIt) {
    GroveId const victim = spawn(spec("victim", RespawnPolicy::limited(0)));
    ThreadId const s2 = create_thread(s);
    ThreadId const s3 = create_thread(s);
    EXPECT_EQ(sys(s, Syscall::SubscribeCrashes), 0);
    EXPECT_EQ(receive(s, 0, abi::WaitForever, SecondDataPage), NoResult);
    EXPECT_EQ(receive(s2), NoResult);
    EXPECT_EQ(sys(s3, Syscall::MemoryUnmap, SecondDataPage, PageSize), 0);
    ASSERT_TRUE(fault(main_thread(victim), TrapKind::DivideError, CodeAddress)); // crashed, then gave_up
    EXPECT_EQ(state_of(victim), GroveState::Quarantined);
    EXPECT_EQ(state_of(server), GroveState::Faulted);
    EXPECT_EQ(last_of(EventKind::Crashed).fields.crashed.address, SecondDataPage);
    EXPECT_EQ(thread(s2), nullptr);
    EXPECT_FALSE(arch.has_context(s2));
    EXPECT_TRUE(kernel->ipc().check_invariant());
    EXPECT_EQ(sys(c, Syscall::Clock), 0);
}

// --- the IPC rate limit ----------------------------------------------------------------------------------------

GroveSpec rate_limited_client(ViolationPolicy policy) {
    GroveSpec spec = spec_sending_to("client", "server");
    spec.limits.ipc_messages_per_second = 10; // a token every 100 ms
    spec.limits.ipc_burst = 2;
    spec.limits.policy = policy;
    return spec;
}

class KernelIpcRateDeny : public KernelIpc {
protected:
    GroveSpec client_spec() override { return rate_limited_client(ViolationPolicy::Deny); }
};
class KernelIpcRateThrottle : public KernelIpc {
protected:
    GroveSpec client_spec() override { return rate_limited_client(ViolationPolicy::Throttle); }
};
class KernelIpcRateKill : public KernelIpc {
protected:
    GroveSpec client_spec() override { return rate_limited_client(ViolationPolicy::Kill); }
};

TEST_F(KernelIpcRateDeny, SendsOverTheRateAreRefusedAndCounted) {
    EXPECT_EQ(send(c, client, handle, make_message(1), abi::FlagNonBlocking), 0);
    EXPECT_EQ(send(c, client, handle, make_message(2)), 0);
    EXPECT_EQ(send(c, client, handle, make_message(3), abi::FlagNonBlocking), status(Error::LimitExceeded));
    EXPECT_EQ(send(c, client, handle, make_message(4)), status(Error::LimitExceeded));
    EXPECT_EQ(call(c, client, handle, make_message(5)), status(Error::LimitExceeded));
    EXPECT_EQ(counters_of(client).refused_for(Refusal::RateLimited), 3u);
    Event const e = last_of(EventKind::LimitExceeded);
    EXPECT_EQ(e.fields.limit_exceeded.resource, Resource::IpcRate);
    EXPECT_EQ(e.fields.limit_exceeded.limit, 10u);
    EXPECT_EQ(count(EventKind::LimitExceeded), 1u); // once per episode
    advance_to(milliseconds(100));
    EXPECT_EQ(send(c, client, handle, make_message(6), abi::FlagNonBlocking), 0);
    EXPECT_EQ(state_of(client), GroveState::Running);
    EXPECT_EQ(kernel->ipc().ledger().queued_total(), 3u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelIpcRateThrottle, ASendOverTheRateWaitsForItsTokenAndThenCompletes) {
    EXPECT_EQ(receive(s), NoResult);
    EXPECT_EQ(send(c, client, handle, make_message(1), abi::FlagNonBlocking), 0);
    EXPECT_EQ(rax(s), 0);
    EXPECT_EQ(send(c, client, handle, make_message(2), abi::FlagNonBlocking), 0);
    EXPECT_EQ(send(c, client, handle, make_message(3)), NoResult);
    EXPECT_TRUE(is_blocked(c));
    EXPECT_EQ(count(EventKind::LimitExceeded), 1u);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 2u);
    EXPECT_EQ(receive(s), NoResult);
    ASSERT_TRUE(last.is_idle());
    EXPECT_EQ(last.wake_at, milliseconds(100));
    advance_to(milliseconds(100) - Ticks(1));
    EXPECT_EQ(rax(c), NoResult);
    advance_to(milliseconds(100));
    EXPECT_EQ(rax(c), 0);
    EXPECT_EQ(rax(s), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 3u);
    EXPECT_EQ(counters_of(client).refused_total(), 0u);
    EXPECT_EQ(counters_of(client).delivered, 3u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelIpcRateKill, ASendOverTheRateCrashesTheGroveWithKindLimit) {
    EXPECT_EQ(send(c, client, handle, make_message(1), abi::FlagNonBlocking), 0);
    EXPECT_EQ(send(c, client, handle, make_message(2), abi::FlagNonBlocking), 0);
    EXPECT_EQ(send(c, client, handle, make_message(3), abi::FlagNonBlocking), NoResult);
    EXPECT_EQ(thread(c), nullptr);
    EXPECT_EQ(state_of(client), GroveState::Faulted);
    Event const e = last_of(EventKind::Crashed);
    EXPECT_EQ(e.grove(), client);
    EXPECT_EQ(e.fields.crashed.kind, CrashKind::LimitViolation);
    EXPECT_EQ(counters_of(client).refused_for(Refusal::RateLimited), 1u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

// --- crash notices ----------------------------------------------------------------------------------------------

TEST_F(KernelIpc, ASubscribedWardenHearsOfACrashOnItsOwnEndpoint) {
    EXPECT_EQ(sys(s, Syscall::SubscribeCrashes), 0);
    EXPECT_EQ(receive(s), NoResult);
    arch.set_now(Ticks(777));
    FaultInfo info;
    info.address = 0xdead'0000;
    info.access = Access::Write;
    ASSERT_TRUE(fault(c, TrapKind::PageFault, CodeAddress + 3, info));
    ASSERT_EQ(rax(s), 0);
    abi::Message const m = read_message(server, ReceiveBuffer);
    EXPECT_EQ(m.header.tag, abi::NotifyCrashed);
    EXPECT_EQ(m.header.flags, abi::MessageFlagKernel);
    EXPECT_EQ(m.header.sender, 0u);
    EXPECT_EQ(m.header.length, sizeof(abi::CrashNotice));
    abi::CrashNotice notice{};
    std::memcpy(&notice, m.payload, sizeof notice);
    EXPECT_EQ(notice.grove, client.serial);
    EXPECT_EQ(notice.generation, 1u);
    EXPECT_EQ(notice.kind, static_cast<u32>(CrashKind::Fault));
    EXPECT_EQ(notice.pc, CodeAddress + 3);
    EXPECT_EQ(notice.address, 0xdead'0000u);
    EXPECT_EQ(notice.time, 777u);
}

TEST_F(KernelIpc, AGiveUpReachesTheWardenAfterTheCrash) {
    GroveId const victim = spawn(spec("victim", RespawnPolicy::limited(0)));
    EXPECT_EQ(sys(s, Syscall::SubscribeCrashes), 0);
    ASSERT_TRUE(fault(main_thread(victim), TrapKind::InvalidOpcode, CodeAddress));
    EXPECT_EQ(state_of(victim), GroveState::Quarantined);
    ASSERT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, abi::NotifyCrashed);
    ASSERT_EQ(receive(s, abi::FlagNonBlocking), 0);
    abi::Message const m = read_message(server, ReceiveBuffer);
    EXPECT_EQ(m.header.tag, abi::NotifyGaveUp);
    abi::CrashNotice notice{};
    std::memcpy(&notice, m.payload, sizeof notice);
    EXPECT_EQ(notice.grove, victim.serial);
}

TEST_F(KernelIpcPeerDeath, ACallerAwaitingAReplyWakesWhenTheServerOrItsThreadGoes) {
    ThreadId const c2 = create_thread(c);
    EXPECT_EQ(call(c, client, handle, make_message(1)), NoResult);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    // The server thread that owes the reply exits: the caller hears PeerClosed.
    ThreadId const s2 = create_thread(s);
    EXPECT_EQ(sys(s, Syscall::ThreadExit, 0), NoResult);
    EXPECT_EQ(rax(c), status(Error::PeerClosed));
    // A caller whose request is still queued when the server dies.
    EXPECT_EQ(call(c2, client, handle, make_message(2)), NoResult);
    ASSERT_TRUE(kernel->kill(server).has_value());
    EXPECT_EQ(rax(c2), status(Error::PeerClosed));
    EXPECT_EQ(thread(s2), nullptr);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

} // namespace
} // namespace grove

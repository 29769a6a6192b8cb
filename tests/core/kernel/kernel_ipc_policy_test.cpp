// The IPC policy the kernel enforces and the trace of every message: a recipient's ipc_receive capability on every
// delivery path (send, call; the kernel's own messages excepted), the service capabilities a recipient provides, the
// kernel's messages never refused for lack of room (the kernel lane), and one trace event per step of every
// message's accounting.
#include <tests/core/kernel/kernel_fixture.hpp>

namespace grove {
namespace {

using namespace testing;

// A client that may send to a server, and a server whose ipc_receive names `receive_from` (nothing when empty).
class KernelIpcPolicy : public KernelTest {
public:
    void start(char const* receive_from) {
        client = spawn(spec_sending_to("client", "server"));
        GroveSpec server_spec = make_spec("server");
        if (receive_from != nullptr) {
            EXPECT_TRUE(server_spec.capabilities.grant_receive_from(make_grove_name(receive_from).value()).has_value());
        }
        server = spawn(server_spec);
        c = main_thread(client);
        s = main_thread(server);
        handle = static_cast<u64>(lookup(c, client, "server"));
        ASSERT_GT(static_cast<i64>(handle), 0);
    }
    IpcCounters const& counters_of(GroveId g) const { return kernel->ipc().grove_counters(find(g)->slot); }
    usize count_refused(Refusal reason) const {
        usize n = 0;
        for (Event const& e : *events)
            if (e.kind == EventKind::MessageRefused && e.fields.message_refused.reason == reason) ++n;
        return n;
    }

    // A non-blocking send, a blocking send and a call from the client, each refused for `reason` with AccessDenied
    // and a `capability_denied` of grove `denied` for `capability` with `detail`; nothing reached the server.
    void expect_three_refused(Refusal reason, GroveId denied, CapabilityKind capability, u64 detail) {
        EXPECT_EQ(send(c, client, handle, make_message(1), abi::FlagNonBlocking), status(Error::AccessDenied));
        EXPECT_EQ(send(c, client, handle, make_message(2)), status(Error::AccessDenied));
        EXPECT_EQ(call(c, client, handle, make_message(3)), status(Error::AccessDenied));
        EXPECT_FALSE(is_blocked(c));
        EXPECT_EQ(receive(s, abi::FlagNonBlocking), status(Error::WouldBlock)); // nothing reached the queue

        IpcCounters const& counted = counters_of(client);
        EXPECT_EQ(counted.sent, 3u);
        EXPECT_EQ(counted.delivered, 0u);
        EXPECT_EQ(counted.refused_for(reason), 3u);
        EXPECT_TRUE(counted.is_balanced());
        EXPECT_EQ(count_refused(reason), 3u);
        EXPECT_EQ(count(EventKind::CapabilityDenied), 3u);
        Event const refusal = last_of(EventKind::CapabilityDenied);
        EXPECT_EQ(refusal.grove(), denied);
        EXPECT_EQ(refusal.fields.capability_denied.capability, capability);
        EXPECT_EQ(refusal.fields.capability_denied.detail, detail);
        EXPECT_TRUE(kernel->ipc().check_invariant());
    }

    GroveId client, server;
    ThreadId c, s;
    u64 handle = 0;
};

// --- ipc_receive ---------------------------------------------------------------------------------------------

TEST_F(KernelIpcPolicy, AReceiverWithoutIpcReceiveRefusesSendsAndCalls) {
    start(nullptr);
    expect_three_refused(Refusal::ReceiveDenied, server, CapabilityKind::IpcReceive, client.serial);
}

TEST_F(KernelIpcPolicy, AReceiverNamingAnotherGroveRefusesAndOneNamingTheSenderAccepts) {
    start("other");
    EXPECT_EQ(send(c, client, handle, make_message(1), abi::FlagNonBlocking), status(Error::AccessDenied));
    EXPECT_EQ(counters_of(client).refused_for(Refusal::ReceiveDenied), 1u);

    GroveSpec named = make_spec("named");
    ASSERT_TRUE(named.capabilities.grant_receive_from(make_grove_name("friend").value()).has_value());
    GroveId const receiver = spawn(named);
    GroveId const ally = spawn(spec_sending_to("friend", "named"));
    GroveId const stranger = spawn(spec_sending_to("stranger", "named"));
    ThreadId const a = main_thread(ally);
    ThreadId const b = main_thread(stranger);
    u64 const from_ally = static_cast<u64>(lookup(a, ally, "named"));
    u64 const from_stranger = static_cast<u64>(lookup(b, stranger, "named"));
    EXPECT_EQ(send(a, ally, from_ally, make_message(5), abi::FlagNonBlocking), 0);
    EXPECT_EQ(send(b, stranger, from_stranger, make_message(6), abi::FlagNonBlocking), status(Error::AccessDenied));
    EXPECT_EQ(receive(main_thread(receiver), abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(receiver, ReceiveBuffer).header.tag, 5u);
}

TEST_F(KernelIpcPolicy, AReceivePolicyPassedOnceIsAskedAgainOfTheNextGroveInTheSlot) {
    // The kernel remembers which recipients a sender's messages passed; the memory must not carry over to another
    // grove that takes the recipient's slot, nor to its refusals.
    start("client");
    EXPECT_EQ(send(c, client, handle, make_message(1), abi::FlagNonBlocking), 0);
    EXPECT_EQ(send(c, client, handle, make_message(2), abi::FlagNonBlocking), 0);
    GroveSlot const slot = find(server)->slot;
    ASSERT_TRUE(kernel->stop(server).has_value());
    ASSERT_EQ(sys(s, Syscall::Exit, 0), NoResult);
    ASSERT_TRUE(kernel->manager().remove(server).has_value());

    GroveId const successor = spawn(make_spec("server")); // the same name, no ipc_receive
    ASSERT_EQ(find(successor)->slot, slot) << "the test needs the slot reused";
    u64 const again = static_cast<u64>(lookup(c, client, "server"));
    ASSERT_GT(static_cast<i64>(again), 0);
    for (u32 tag = 3; tag <= 4; ++tag)
        EXPECT_EQ(send(c, client, again, make_message(tag), abi::FlagNonBlocking), status(Error::AccessDenied));
    EXPECT_EQ(counters_of(client).refused_for(Refusal::ReceiveDenied), 2u);
    EXPECT_EQ(receive(main_thread(successor), abi::FlagNonBlocking), status(Error::WouldBlock));
}

TEST_F(KernelIpcPolicy, TheKernelsStopRequestReachesAGroveWithoutIpcReceive) {
    start(nullptr);
    ASSERT_TRUE(kernel->stop(server).has_value());
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    abi::Message const m = read_message(server, ReceiveBuffer);
    EXPECT_EQ(m.header.tag, abi::NotifyStop);
    EXPECT_EQ(m.header.flags, abi::MessageFlagKernel);
}

// --- provided services ---------------------------------------------------------------------------------------

// A server that provides the filesystem service and receives from anyone, and a client that may send to it,
// holding the filesystem capability or not.
class KernelServicePolicy : public KernelIpcPolicy {
public:
    void start_service(bool client_holds_filesystem) {
        GroveSpec client_spec = spec_sending_to("client", "server");
        if (client_holds_filesystem) {
            EXPECT_TRUE(client_spec.capabilities.grant(CapabilityKind::Filesystem).has_value());
        }
        client = spawn(client_spec);
        GroveSpec server_spec = spec_sending_to("server", "driver");
        EXPECT_TRUE(server_spec.provides.add(CapabilityKind::Filesystem).has_value());
        server = spawn(server_spec);
        c = main_thread(client);
        s = main_thread(server);
        handle = static_cast<u64>(lookup(c, client, "server"));
        ASSERT_GT(static_cast<i64>(handle), 0);
    }
};

TEST_F(KernelServicePolicy, ASendOrCallFromAGroveWithoutTheServiceCapabilityIsRefused) {
    start_service(false);
    // The sender lacks the capability, so the denial is the sender's, and the receiver's ipc_receive is not asked.
    expect_three_refused(Refusal::AccessDenied, client, CapabilityKind::Filesystem, server.serial);
}

TEST_F(KernelServicePolicy, AGroveHoldingTheServiceCapabilityIsServed) {
    start_service(true);
    EXPECT_EQ(receive(s), NoResult);
    EXPECT_EQ(call(c, client, handle, make_message(0x51)), NoResult);
    ASSERT_EQ(rax(s), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 0x51u);
    EXPECT_EQ(reply(s, server, make_message(0x52)), 0);
    EXPECT_EQ(rax(c), 0);
    EXPECT_EQ(read_message(client, ReplyBuffer).header.tag, 0x52u);
    EXPECT_EQ(count(EventKind::CapabilityDenied), 0u);
}

TEST_F(KernelServicePolicy, TheReplyToACallTheServiceMadeIsNotGuarded) {
    start_service(false);
    // The driver holds no filesystem capability; the service calls it, and its reply comes back.
    GroveId const driver = spawn("driver");
    ThreadId const d = main_thread(driver);
    u64 const to_driver = static_cast<u64>(lookup(s, server, "driver"));
    ASSERT_GT(static_cast<i64>(to_driver), 0);
    EXPECT_EQ(receive(d), NoResult);
    EXPECT_EQ(call(s, server, to_driver, make_message(0x61)), NoResult);
    ASSERT_EQ(rax(d), 0);
    EXPECT_EQ(reply(d, driver, make_message(0x62)), 0);
    EXPECT_EQ(rax(s), 0);
    EXPECT_EQ(read_message(server, ReplyBuffer).header.tag, 0x62u);
    EXPECT_EQ(count(EventKind::CapabilityDenied), 0u);
}

TEST_F(KernelServicePolicy, AServiceWithSeveralServicesNeedsEachOfThem) {
    GroveSpec both = open_spec("both");
    ASSERT_TRUE(both.provides.add(CapabilityKind::Filesystem).has_value());
    ASSERT_TRUE(both.provides.add(CapabilityKind::Network).has_value());
    GroveId const service = spawn(both);
    GroveSpec half_spec = spec_sending_to("half", "both");
    ASSERT_TRUE(half_spec.capabilities.grant(CapabilityKind::Filesystem).has_value());
    GroveId const half = spawn(half_spec);
    GroveSpec whole_spec = spec_sending_to("whole", "both");
    ASSERT_TRUE(whole_spec.capabilities.grant(CapabilityKind::Filesystem).has_value());
    ASSERT_TRUE(whole_spec.capabilities.grant(CapabilityKind::Network).has_value());
    GroveId const whole = spawn(whole_spec);
    ThreadId const h = main_thread(half);
    ThreadId const w = main_thread(whole);
    EXPECT_EQ(send(h, half, static_cast<u64>(lookup(h, half, "both")), make_message(1), abi::FlagNonBlocking),
              status(Error::AccessDenied));
    EXPECT_EQ(last_of(EventKind::CapabilityDenied).fields.capability_denied.capability, CapabilityKind::Network);
    EXPECT_EQ(send(w, whole, static_cast<u64>(lookup(w, whole, "both")), make_message(2), abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(main_thread(service), abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(service, ReceiveBuffer).header.tag, 2u);
}

TEST(ProvidedServices, HoldOnlyServiceKinds) {
    ProvidedServices services;
    EXPECT_EQ(services.add(CapabilityKind::ThreadCreate).error(), Error::InvalidArgument);
    EXPECT_EQ(services.add(CapabilityKind::IpcSend).error(), Error::InvalidArgument);
    EXPECT_TRUE(services.is_empty());
    ASSERT_TRUE(services.add(CapabilityKind::Graphics).has_value());
    EXPECT_TRUE(services.provides(CapabilityKind::Graphics));
    EXPECT_FALSE(services.provides(CapabilityKind::Filesystem));
    EXPECT_EQ(ProvidedServices::from_bits(services.bits()).value().bits(), services.bits());
    EXPECT_EQ(ProvidedServices::from_bits(capability_bit(CapabilityKind::MemoryManage)).error(),
              Error::InvalidArgument);
}

// --- the kernel lane -----------------------------------------------------------------------------------------

TEST_F(KernelIpcPolicy, AStopRequestIsNotRefusedWhenAFloodFilledTheQueue) {
    start("client");
    for (u32 i = 0; i < Endpoint::Capacity; ++i)
        ASSERT_EQ(send(c, client, handle, make_message(100 + i), abi::FlagNonBlocking), 0) << i;
    ASSERT_EQ(send(c, client, handle, make_message(999), abi::FlagNonBlocking), status(Error::WouldBlock));
    ASSERT_TRUE(kernel->stop(server).has_value());
    IpcCounters const& own = counters_of(server); // the kernel's messages are counted in the recipient's row
    EXPECT_EQ(own.refused_total(), 0u);
    EXPECT_EQ(own.queued, 1u);
    // The stop request comes first, before the flood.
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, abi::NotifyStop);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 100u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
    EXPECT_TRUE(kernel->ipc().ledger().is_balanced());
}

TEST_F(KernelIpcPolicy, CrashNoticesReachABusyWardenAndAnUnreadOneIsSupersededByTheNext) {
    // The server is the warden: it watches the victim.
    client = spawn(spec_sending_to("client", "server"));
    GroveSpec warden = make_spec("server");
    ASSERT_TRUE(warden.capabilities.grant_receive_from(make_grove_name("client").value()).has_value());
    ASSERT_TRUE(warden.capabilities.grant_watch(make_grove_name("victim").value()).has_value());
    server = spawn(warden);
    GroveSpec fragile = make_spec("victim", RespawnPolicy::always());
    fragile.restart_budget.backoff_base = Ticks(1);
    fragile.restart_budget.backoff_cap = Ticks(1);
    GroveId const victim = spawn(fragile);
    c = main_thread(client);
    s = main_thread(server);
    handle = static_cast<u64>(lookup(c, client, "server"));
    ASSERT_EQ(sys(s, Syscall::SubscribeCrashes), 0);
    for (u32 i = 0; i < Endpoint::Capacity; ++i)
        ASSERT_EQ(send(c, client, handle, make_message(100 + i), abi::FlagNonBlocking), 0) << i;

    ASSERT_TRUE(fault(main_thread(victim), TrapKind::InvalidOpcode, CodeAddress));
    advance(Ticks(10)); // respawned
    GroveId const second = kernel->manager().find_by_name("victim", 6)->id;
    ASSERT_EQ(second.generation, 2u);
    ASSERT_TRUE(fault(main_thread(second), TrapKind::InvalidOpcode, CodeAddress + 1));

    IpcCounters const& own = counters_of(server);
    EXPECT_EQ(own.sent, 2u);
    EXPECT_EQ(own.refused_for(Refusal::Superseded), 1u);
    EXPECT_EQ(own.refused_for(Refusal::QueueFull), 0u);
    EXPECT_EQ(own.queued, 1u);
    EXPECT_EQ(count_refused(Refusal::Superseded), 1u);
    // The latest notice comes first, then the flood.
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    abi::Message const m = read_message(server, ReceiveBuffer);
    EXPECT_EQ(m.header.tag, abi::NotifyCrashed);
    abi::CrashNotice notice{};
    std::memcpy(&notice, m.payload, sizeof notice);
    EXPECT_EQ(notice.generation, 2u);
    EXPECT_EQ(notice.pc, CodeAddress + 1);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 100u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

// --- the trace of messages -----------------------------------------------------------------------------------

TEST_F(KernelIpcPolicy, EveryStepOfEveryMessageIsAnEventThatAgreesWithTheCounters) {
    start("client");
    EXPECT_EQ(send(c, client, handle, make_message(1, 2), abi::FlagNonBlocking), 0); // queued
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);                                  // delivered
    EXPECT_EQ(send(c, client, handle, make_message(2, 40), abi::FlagNonBlocking),    // invalid priority
              status(Error::InvalidArgument));
    EXPECT_EQ(receive(s), NoResult);                                              // a receiver waits
    EXPECT_EQ(send(c, client, handle, make_message(3), abi::FlagNonBlocking), 0); // handed over

    IpcCounters const& counted = counters_of(client);
    EXPECT_EQ(count(EventKind::MessageSent), counted.sent);
    EXPECT_EQ(count(EventKind::MessageDelivered), counted.delivered);
    EXPECT_EQ(count(EventKind::MessageRefused), counted.refused_total());
    EXPECT_EQ(counted.sent, 3u);

    Event const sent = last_of(EventKind::MessageSent);
    EXPECT_EQ(sent.grove(), client);
    EXPECT_EQ(sent.fields.message_sent.to, server.serial);
    EXPECT_EQ(sent.fields.message_sent.tag, 3u);
    Event const delivered = last_of(EventKind::MessageDelivered);
    EXPECT_EQ(delivered.grove(), server);
    EXPECT_EQ(delivered.fields.message_delivered.from, client.serial);
    EXPECT_EQ(delivered.fields.message_delivered.tag, 3u);
    Event const refused = last_of(EventKind::MessageRefused);
    EXPECT_EQ(refused.grove(), client);
    EXPECT_EQ(refused.fields.message_refused.reason, Refusal::Invalid);
    EXPECT_EQ(refused.fields.message_refused.priority, 40u);
}

// Two runs whose lifecycle events are the same and whose messages differ only in order have different digests.
TEST(KernelIpcTrace, TheOrderOfMessagesChangesTheDigest) {
    struct Run : KernelIpcPolicy {
        void TestBody() override {}
        u64 digest_of(u32 first, u32 second) {
            SetUp();
            start("client");
            EXPECT_EQ(send(c, client, handle, make_message(first), abi::FlagNonBlocking), 0);
            EXPECT_EQ(send(c, client, handle, make_message(second), abi::FlagNonBlocking), 0);
            return kernel->digest();
        }
    };
    auto run = [](u32 first, u32 second) { return Run{}.digest_of(first, second); };
    EXPECT_EQ(run(1, 2), run(1, 2));
    EXPECT_NE(run(1, 2), run(2, 1));
}

} // namespace
} // namespace grove

// Receive and its buffer. The kernel checks a receive buffer with Arch::check_message_buffer before it takes a
// message, and writes the buffer once: the message when one arrives, zeros otherwise. A backend may check by
// writing an empty message (Arch's default, the simulator) or without writing (MetalArch): the same script runs
// on both kinds of check and must give the same results, buffers, accounting and trace.
#include <tests/core/kernel/kernel_fixture.hpp>

#include <vector>

namespace grove {
namespace {

using namespace testing;

constexpr u8 Pattern = 0xab;

enum class BufferCheck : u8 { ByWriting, WithoutWriting };

// A client that may send to a server through `handle`, on a backend with the given kind of buffer check.
class ClientAndServer : public KernelTest {
protected:
    explicit ClientAndServer(BufferCheck check) {
        if (check == BufferCheck::WithoutWriting) arch.check_message_buffers_without_writing();
    }
    void start() {
        KernelTest::SetUp();
        client = spawn(spec_sending_to("client", "server"));
        server = spawn("server");
        c = main_thread(client);
        s = main_thread(server);
        handle = static_cast<u64>(lookup(c, client, "server"));
    }

    GroveId client, server;
    ThreadId c, s;
    u64 handle = 0;
};

// One machine and the record of what the script saw on it: every syscall result, the receive buffer after each
// step, the IPC counters and the trace digest.
class ReceiveScript : public ClientAndServer {
public:
    explicit ReceiveScript(BufferCheck check) : ClientAndServer(check) {}
    void TestBody() override {}

    std::vector<u64> run() {
        start();
        // Nothing queued: a non-blocking receive would block, and its buffer ends zeroed.
        step(receive(s, abi::FlagNonBlocking));
        // A queued message lands in the buffer, stamped with its sender.
        step(send(c, client, handle, make_message(1, 3, 0x11), abi::FlagNonBlocking));
        step(receive(s, abi::FlagNonBlocking));
        // A receive whose deadline has passed times out at once, with its buffer zeroed.
        step(receive(s, 0, 0));
        // A blocked receive: zeros while it waits, the message once a send arrives.
        step(receive(s));
        step(send(c, client, handle, make_message(2, 0, 0x22)));
        record(rax(s));
        // Hostile buffers and handles, with a message queued: refused, and the message stays queued.
        step(send(c, client, handle, make_message(3, 7, 0x33), abi::FlagNonBlocking));
        step(receive(s, abi::FlagNonBlocking, 0, ReadOnlyAddress));
        step(receive(s, 0, abi::WaitForever, UnmappedAddress));
        step(receive(s, abi::FlagNonBlocking, 0, KernelAddress));
        step(receive(s, abi::FlagNonBlocking, 0, SecondDataPage - 32)); // crosses into the next page: fine
        step(send(c, client, handle, make_message(4, 7, 0x44), abi::FlagNonBlocking));
        step(sys(s, Syscall::Receive, 0xffff'ffff, ReceiveBuffer, abi::FlagNonBlocking, 0));
        step(sys(c, Syscall::Receive, handle, ReceiveBuffer, abi::FlagNonBlocking, 0));
        step(receive(s, abi::FlagNonBlocking));
        // A full queue and a blocked sender: a receive takes the oldest message and lets the sender's in.
        for (u32 i = 0; i < Endpoint::Capacity; ++i)
            step(send(c, client, handle, make_message(100 + i), abi::FlagNonBlocking));
        step(send(c, client, handle, make_message(200)));
        record(is_blocked(c) ? 1 : 0);
        step(receive(s));
        record(rax(c));
        record(is_blocked(c) ? 1 : 0);

        IpcCounters const& sent = kernel->ipc().grove_counters(find(client)->slot);
        record(sent.sent);
        record(sent.delivered);
        record(sent.queued);
        record(sent.refused_for(Refusal::BadHandle) + sent.refused_for(Refusal::AccessDenied));
        record(kernel->ipc().ledger().queued_total());
        record(kernel->ipc().check_invariant() ? 1 : 0);
        record(kernel->digest());
        return log;
    }

    // The message in the server's receive buffer after the last step.
    abi::Message buffer() const { return read_message(server, ReceiveBuffer); }

private:
    // Records a result and the receive buffer as it is now, after filling the buffer with a pattern, so that the
    // next step shows what it wrote there and what it did not.
    void step(i64 result) {
        record(static_cast<u64>(result));
        abi::Message const m = read_message(server, ReceiveBuffer);
        u8 const* bytes = reinterpret_cast<u8 const*>(&m);
        for (usize i = 0; i < sizeof m; i += 8) {
            u64 word = 0;
            std::memcpy(&word, bytes + i, 8);
            record(word);
        }
        abi::Message pattern;
        std::memset(&pattern, Pattern, sizeof pattern);
        write_message(server, ReceiveBuffer, pattern);
    }
    void record(u64 value) { log.push_back(value); }

    std::vector<u64> log;
};

TEST(KernelReceiveBuffer, ACheckWithoutWritingGivesTheSameResultsBuffersAccountingAndTrace) {
    ReceiveScript by_writing(BufferCheck::ByWriting);
    ReceiveScript without_writing(BufferCheck::WithoutWriting);
    std::vector<u64> const expected = by_writing.run();
    std::vector<u64> const seen = without_writing.run();
    ASSERT_EQ(seen.size(), expected.size());
    for (usize i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], expected[i]) << "entry " << i;
}

// What the script sees, step by step, on the backend that checks without writing.
class KernelReceiveBufferSteps : public ClientAndServer {
protected:
    KernelReceiveBufferSteps() : ClientAndServer(BufferCheck::WithoutWriting) {}
    void SetUp() override {
        start();
        ASSERT_GT(static_cast<i64>(handle), 0);
        fill_buffer();
    }
    void fill_buffer() {
        abi::Message pattern;
        std::memset(&pattern, Pattern, sizeof pattern);
        write_message(server, ReceiveBuffer, pattern);
    }
    bool buffer_is_zero() const {
        abi::Message const m = read_message(server, ReceiveBuffer);
        abi::Message const zero{};
        return std::memcmp(&m, &zero, sizeof m) == 0;
    }
    bool buffer_is_pattern() const {
        abi::Message const m = read_message(server, ReceiveBuffer);
        u8 const* bytes = reinterpret_cast<u8 const*>(&m);
        for (usize i = 0; i < sizeof m; ++i)
            if (bytes[i] != Pattern) return false;
        return true;
    }
};

TEST_F(KernelReceiveBufferSteps, AReceiveWithoutAMessageLeavesItsBufferZeroed) {
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), status(Error::WouldBlock));
    EXPECT_TRUE(buffer_is_zero());
    fill_buffer();
    EXPECT_EQ(receive(s, 0, 0), status(Error::TimedOut));
    EXPECT_TRUE(buffer_is_zero());
    fill_buffer();
    EXPECT_EQ(receive(s), NoResult);
    EXPECT_TRUE(buffer_is_zero()); // while it waits
    EXPECT_EQ(send(c, client, handle, make_message(9, 1, 0x99)), 0);
    EXPECT_EQ(rax(s), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 9u);
    EXPECT_EQ(payload_word(read_message(server, ReceiveBuffer)), 0x99u);
}

TEST_F(KernelReceiveBufferSteps, AReceivedMessageIsWrittenWholeAndStamped) {
    ASSERT_EQ(send(c, client, handle, make_message(5, 4, 0x55), abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    abi::Message const m = read_message(server, ReceiveBuffer);
    EXPECT_EQ(m.header.tag, 5u);
    EXPECT_EQ(m.header.priority, 4u);
    EXPECT_EQ(m.header.sender, client.serial);
    EXPECT_EQ(payload_word(m), 0x55u);
    // The payload beyond the message's length is what the sender's buffer held: zeros here, never the pattern.
    EXPECT_EQ(m.payload[abi::MessagePayloadSize - 1], 0u);
}

TEST_F(KernelReceiveBufferSteps, AnUnwritableBufferIsRefusedBeforeAnyMessageIsTakenAndLeftAsItWas) {
    ASSERT_EQ(send(c, client, handle, make_message(6), abi::FlagNonBlocking), 0);
    EXPECT_EQ(receive(s, abi::FlagNonBlocking, 0, ReadOnlyAddress), status(Error::InvalidArgument));
    EXPECT_EQ(receive(s, 0, abi::WaitForever, UnmappedAddress), status(Error::InvalidArgument));
    EXPECT_EQ(receive(s, abi::FlagNonBlocking, 0, SecondDataPage + PageSize - 32), status(Error::InvalidArgument));
    EXPECT_EQ(kernel->ipc().ledger().queued_total(), 1u);
    EXPECT_TRUE(buffer_is_pattern());
    EXPECT_EQ(sys(s, Syscall::Receive, 0xffff'ffff, ReceiveBuffer, abi::FlagNonBlocking, 0), status(Error::BadHandle));
    EXPECT_EQ(sys(c, Syscall::Receive, handle, ReceiveBuffer, abi::FlagNonBlocking, 0), status(Error::AccessDenied));
    EXPECT_TRUE(buffer_is_pattern());
    EXPECT_EQ(receive(s, abi::FlagNonBlocking), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 6u);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

TEST_F(KernelReceiveBufferSteps, AReceiveFromAFullQueueLetsTheBlockedSenderInAndWakesIt) {
    for (u32 i = 0; i < Endpoint::Capacity; ++i)
        ASSERT_EQ(send(c, client, handle, make_message(100 + i), abi::FlagNonBlocking), 0) << i;
    EXPECT_EQ(send(c, client, handle, make_message(200)), NoResult);
    EXPECT_TRUE(is_blocked(c));
    EXPECT_EQ(receive(s), 0);
    EXPECT_EQ(read_message(server, ReceiveBuffer).header.tag, 100u);
    EXPECT_FALSE(is_blocked(c));
    EXPECT_EQ(rax(c), 0);
    EXPECT_EQ(kernel->ipc().ledger().queued_total(), Endpoint::Capacity);
    EXPECT_TRUE(kernel->ipc().check_invariant());
}

} // namespace
} // namespace grove

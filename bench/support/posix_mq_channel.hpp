#pragma once
#include <bench/support/host_channel.hpp>

#include <mqueue.h>
#include <time.h>

namespace grove::bench {

// Two POSIX message queues of 64-byte messages, one per direction, between a parent and its forked child.
// Ownership: the channel owns both descriptors (closed by the destructor in each process). The queues have no
// names once open() returns: each is unlinked right after mq_open, and the descriptors, inherited across fork,
// keep them alive; so no queue can outlive the processes, whatever happens to them.
// A message's mq priority is its header.priority. Every send and receive waits at most until a deadline fixed
// by open() (30 s later), so a dead peer ends a run with an error instead of a hang.
class PosixMqChannel {
public:
    static constexpr long PreferredDepth = 10; // Linux's default msg_max

    PosixMqChannel() = default;
    PosixMqChannel(PosixMqChannel const&) = delete;
    PosixMqChannel& operator=(PosixMqChannel const&) = delete;
    ~PosixMqChannel();

    // Creates and unlinks both queues with mq_maxmsg = min(PreferredDepth, /proc/sys/fs/mqueue/msg_max) and
    // mq_msgsize = 64. False when a limit is too small or a call fails (error() says which).
    bool open();
    void become(ChannelSide side);
    bool send(abi::Message const& message);
    ReceiveOutcome receive(abi::Message& message);
    std::string const& error() const { return m_error; }
    long depth() const { return m_depth; }

private:
    bool open_queue(mqd_t& queue, char const* direction);

    mqd_t m_down = -1; // parent to child
    mqd_t m_up = -1;   // child to parent
    mqd_t m_out = -1;
    mqd_t m_in = -1;
    long m_depth = 0;
    timespec m_deadline{};
    std::string m_error;
};

static_assert(HostChannel<PosixMqChannel>);

} // namespace grove::bench

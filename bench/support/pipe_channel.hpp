#pragma once
#include <bench/support/host_channel.hpp>

namespace grove::bench {

// Two pipes, one per direction, between a parent and its forked child; each message is one 64-byte write (atomic,
// below PIPE_BUF) and one 64-byte read. Ownership: the channel owns the four descriptors; become() closes the
// two ends the calling process does not use, so a dead peer shows up as end of file (receive returns Closed) or
// EPIPE (send fails; the caller ignores SIGPIPE).
class PipeChannel {
public:
    PipeChannel() = default;
    PipeChannel(PipeChannel const&) = delete;
    PipeChannel& operator=(PipeChannel const&) = delete;
    ~PipeChannel();

    bool open();
    void become(ChannelSide side);
    bool send(abi::Message const& message);
    ReceiveOutcome receive(abi::Message& message);
    std::string const& error() const { return m_error; }

private:
    int m_down[2] = {-1, -1}; // parent to child: [0] read end, [1] write end
    int m_up[2] = {-1, -1};   // child to parent
    int m_out = -1;
    int m_in = -1;
    std::string m_error;
};

static_assert(HostChannel<PipeChannel>);

} // namespace grove::bench

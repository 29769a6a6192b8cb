#include <bench/support/pipe_channel.hpp>

#include <cerrno>
#include <cstddef>
#include <unistd.h>

namespace grove::bench {

namespace {

void close_if_open(int& fd) {
    if (fd != -1) close(fd);
    fd = -1;
}

} // namespace

PipeChannel::~PipeChannel() {
    for (int& fd : m_down) close_if_open(fd);
    for (int& fd : m_up) close_if_open(fd);
}

bool PipeChannel::open() {
    if (pipe(m_down) != 0 || pipe(m_up) != 0) {
        m_error = describe_errno("pipe");
        return false;
    }
    return true;
}

void PipeChannel::become(ChannelSide side) {
    if (side == ChannelSide::Parent) {
        close_if_open(m_down[0]);
        close_if_open(m_up[1]);
        m_out = m_down[1];
        m_in = m_up[0];
    } else {
        close_if_open(m_down[1]);
        close_if_open(m_up[0]);
        m_out = m_up[1];
        m_in = m_down[0];
    }
}

bool PipeChannel::send(abi::Message const& message) {
    // One write of 64 bytes is atomic on a pipe (PIPE_BUF >= 512): it is written whole or not at all.
    for (;;) {
        ssize_t const written = write(m_out, &message, sizeof message);
        if (written == static_cast<ssize_t>(sizeof message)) return true;
        if (written < 0 && errno == EINTR) continue;
        m_error = written < 0 ? describe_errno("write") : "write: short write on a pipe";
        return false;
    }
}

ReceiveOutcome PipeChannel::receive(abi::Message& message) {
    auto* bytes = reinterpret_cast<unsigned char*>(&message);
    std::size_t received = 0;
    while (received < sizeof message) {
        ssize_t const size = read(m_in, bytes + received, sizeof message - received);
        if (size > 0) {
            received += static_cast<std::size_t>(size);
            continue;
        }
        if (size < 0 && errno == EINTR) continue;
        if (size == 0 && received == 0) return ReceiveOutcome::Closed;
        m_error = size < 0 ? describe_errno("read") : "read: end of file inside a message";
        return ReceiveOutcome::Failed;
    }
    return ReceiveOutcome::Message;
}

} // namespace grove::bench

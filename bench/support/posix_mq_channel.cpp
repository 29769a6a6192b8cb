#include <bench/support/posix_mq_channel.hpp>

#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>

namespace grove::bench {

namespace {

// A limit from /proc/sys/fs/mqueue, or `fallback` when it cannot be read.
long read_limit(char const* path, long fallback) {
    std::ifstream file(path);
    long value = 0;
    if (file >> value) return value;
    return fallback;
}

} // namespace

PosixMqChannel::~PosixMqChannel() {
    if (m_down != -1) mq_close(m_down);
    if (m_up != -1) mq_close(m_up);
}

bool PosixMqChannel::open_queue(mqd_t& queue, char const* direction) {
    static unsigned sequence = 0;
    std::string const name =
        "/grove-bench-" + std::to_string(getpid()) + "-" + std::to_string(sequence++) + "-" + direction;
    mq_attr attributes{};
    attributes.mq_maxmsg = m_depth;
    attributes.mq_msgsize = sizeof(abi::Message);
    queue = mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600, &attributes);
    if (queue == -1) {
        m_error = describe_errno("mq_open") + " (" + name + ")";
        return false;
    }
    if (mq_unlink(name.c_str()) != 0) {
        m_error = describe_errno("mq_unlink") + " (" + name + ")";
        return false;
    }
    return true;
}

bool PosixMqChannel::open() {
    long const msg_max = read_limit("/proc/sys/fs/mqueue/msg_max", PreferredDepth);
    long const msgsize_max = read_limit("/proc/sys/fs/mqueue/msgsize_max", 8192);
    m_depth = msg_max < PreferredDepth ? msg_max : PreferredDepth;
    if (m_depth < 1 || msgsize_max < static_cast<long>(sizeof(abi::Message))) {
        m_error = "POSIX mq limits too small: msg_max " + std::to_string(msg_max) + ", msgsize_max " +
                  std::to_string(msgsize_max) + " (need 1 and 64; see /proc/sys/fs/mqueue)";
        return false;
    }
    if (!open_queue(m_down, "down") || !open_queue(m_up, "up")) return false;
    if (clock_gettime(CLOCK_REALTIME, &m_deadline) != 0) {
        m_error = describe_errno("clock_gettime");
        return false;
    }
    m_deadline.tv_sec += 30;
    return true;
}

void PosixMqChannel::become(ChannelSide side) {
    m_out = side == ChannelSide::Parent ? m_down : m_up;
    m_in = side == ChannelSide::Parent ? m_up : m_down;
}

bool PosixMqChannel::send(abi::Message const& message) {
    char const* bytes = reinterpret_cast<char const*>(&message);
    while (mq_timedsend(m_out, bytes, sizeof message, message.header.priority, &m_deadline) != 0) {
        if (errno == EINTR) continue;
        m_error = describe_errno("mq_timedsend");
        return false;
    }
    return true;
}

ReceiveOutcome PosixMqChannel::receive(abi::Message& message) {
    unsigned priority = 0;
    for (;;) {
        ssize_t const size =
            mq_timedreceive(m_in, reinterpret_cast<char*>(&message), sizeof message, &priority, &m_deadline);
        if (size == static_cast<ssize_t>(sizeof message)) return ReceiveOutcome::Message;
        if (size < 0 && errno == EINTR) continue;
        m_error = size < 0 ? describe_errno("mq_timedreceive") : "mq_timedreceive: short message";
        return ReceiveOutcome::Failed;
    }
}

} // namespace grove::bench

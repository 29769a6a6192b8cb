#include <sim/gdb/connection.hpp>

#include <cerrno>
#include <cstring>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace grove::gdb {

std::optional<Connection> Connection::listen(u16 port, std::string& error) {
    int const fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("cannot open a socket: ") + std::strerror(errno);
        return std::nullopt;
    }
    int const yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 1) != 0) {
        error = "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
        ::close(fd);
        return std::nullopt;
    }
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    return Connection(fd, ntohs(address.sin_port));
}

Connection::Connection(Connection&& other) noexcept
    : m_listener(std::exchange(other.m_listener, -1)), m_peer(std::exchange(other.m_peer, -1)), m_port(other.m_port) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        close();
        if (m_listener >= 0) ::close(m_listener);
        m_listener = std::exchange(other.m_listener, -1);
        m_peer = std::exchange(other.m_peer, -1);
        m_port = other.m_port;
    }
    return *this;
}

Connection::~Connection() {
    close();
    if (m_listener >= 0) ::close(m_listener);
}

bool Connection::accept() {
    if (m_listener < 0) return false;
    int const peer = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
    ::close(m_listener);
    m_listener = -1;
    if (peer < 0) return false;
    int const yes = 1;
    ::setsockopt(peer, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    m_peer = peer;
    return true;
}

bool Connection::send(std::string_view bytes) {
    while (!bytes.empty() && m_peer >= 0) {
        ssize_t const sent = ::send(m_peer, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) {
            close();
            return false;
        }
        bytes.remove_prefix(static_cast<usize>(sent));
    }
    return m_peer >= 0;
}

std::optional<std::string> Connection::receive() {
    char buffer[4096];
    while (m_peer >= 0) {
        ssize_t const n = ::recv(m_peer, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        return std::string(buffer, static_cast<usize>(n));
    }
    close();
    return std::nullopt;
}

std::string Connection::poll() {
    if (m_peer < 0) return {};
    pollfd fd{m_peer, POLLIN, 0};
    if (::poll(&fd, 1, 0) <= 0) return {};
    auto bytes = receive();
    return bytes ? *bytes : std::string();
}

void Connection::close() {
    if (m_peer >= 0) ::close(m_peer);
    m_peer = -1;
}

} // namespace grove::gdb

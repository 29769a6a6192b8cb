#pragma once
// One TCP connection from gdb to a stub on 127.0.0.1 (never another interface: a debugger can write a grove's
// memory and registers).
#include <core/base/std.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace grove::gdb {

class Connection {
public:
    // Listens on 127.0.0.1:`port` (0: a port the system picks, see port()) without accepting yet; an error text
    // when the port cannot be had.
    static std::optional<Connection> listen(u16 port, std::string& error);
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(Connection const&) = delete;
    Connection& operator=(Connection const&) = delete;
    ~Connection();

    u16 port() const { return m_port; }
    // Waits for gdb to connect, then stops listening. False when accept fails.
    bool accept();
    bool is_connected() const { return m_peer >= 0; }
    // Sends everything; false (and the connection closed) when the peer is gone.
    bool send(std::string_view bytes);
    // Waits for bytes; nothing (and the connection closed) once the peer has closed it.
    std::optional<std::string> receive();
    // The bytes already waiting, without waiting; empty when none (or the peer is gone: then closed).
    std::string poll();
    void close();

private:
    Connection(int listener, u16 port) : m_listener(listener), m_port(port) {}
    int m_listener = -1;
    int m_peer = -1;
    u16 m_port = 0;
};

} // namespace grove::gdb

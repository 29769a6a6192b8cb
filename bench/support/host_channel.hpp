#pragma once
#include <core/abi/syscall.hpp>

#include <string>

namespace grove::bench {

// Which end of a two-process channel the calling process is, once it has forked.
enum class ChannelSide { Parent, Child };

// What a channel's receive saw.
enum class ReceiveOutcome { Message, Closed, Failed };

// A two-way message channel between a parent process and the child it forks, implemented by PosixMqChannel and
// PipeChannel. The protocol, for both: open() before fork(), then each process calls become() with its side and
// uses send()/receive(); each call moves one whole 64-byte message. `error()` describes the last failure (the
// call and errno).
template<typename Channel>
concept HostChannel = requires(Channel channel, abi::Message message, ChannelSide side) {
    { channel.open() } -> std::same_as<bool>;
    channel.become(side);
    { channel.send(message) } -> std::same_as<bool>;
    { channel.receive(message) } -> std::same_as<ReceiveOutcome>;
    { channel.error() } -> std::same_as<std::string const&>;
};

// "<call>: <strerror(errno)>", for the error() of a channel.
std::string describe_errno(char const* call);

} // namespace grove::bench

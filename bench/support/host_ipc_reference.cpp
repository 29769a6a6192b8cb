#include <bench/support/host_ipc_reference.hpp>

#include <bench/support/forked_child.hpp>
#include <bench/support/pipe_channel.hpp>
#include <bench/support/posix_mq_channel.hpp>
#include <core/base/prng.hpp>

namespace grove::bench {

namespace {

// The tag of the message that ends the child. Data messages carry tags below it.
constexpr u32 StopTag = 0xffffffffu;
constexpr u32 PriorityTableSize = 1024;

struct PriorityTable {
    u8 priorities[PriorityTableSize];
};

// Priorities 0..31 from a fixed seed, the same sequence in every run.
PriorityTable make_priorities() {
    PriorityTable table{};
    Prng prng(0x6772'6f76'6562'656eULL);
    for (u8& priority : table.priorities) priority = static_cast<u8>(prng.below(abi::PriorityLevels));
    return table;
}

abi::Message make_message(u32 tag, u8 priority) {
    abi::Message message{};
    message.header.tag = tag;
    message.header.priority = priority;
    message.header.length = abi::MessagePayloadSize;
    for (u32 i = 0; i < abi::MessagePayloadSize; ++i) message.payload[i] = static_cast<u8>(i);
    return message;
}

// The child's loop: receives until the stop message; in a stream, acknowledges every HostStreamBatch messages;
// in a round trip, answers every message with itself. Returns the child's exit status.
template<HostChannel Channel>
int serve(Channel& channel, HostPattern pattern) {
    abi::Message message{};
    long received = 0;
    for (;;) {
        if (channel.receive(message) != ReceiveOutcome::Message) return 1;
        if (message.header.tag == StopTag) return 0;
        if (pattern == HostPattern::RoundTrip) {
            if (!channel.send(message)) return 1;
        } else if (++received == HostStreamBatch) {
            received = 0;
            if (!channel.send(make_message(0, 0))) return 1;
        }
    }
}

// The parent's loop: the timed part of the benchmark. Returns an empty string, or what went wrong.
template<HostChannel Channel>
std::string drive(benchmark::State& state, Channel& channel, HostPattern pattern) {
    static PriorityTable const table = make_priorities();
    abi::Message message = make_message(0, 0);
    abi::Message answer{};
    u32 sequence = 0;
    for (auto _ : state) {
        long const count = pattern == HostPattern::Stream ? HostStreamBatch : 1;
        for (long i = 0; i < count; ++i) {
            message.header.tag = sequence & 0x7fffffffu;
            message.header.priority = table.priorities[sequence % PriorityTableSize];
            ++sequence;
            if (!channel.send(message)) return "parent: " + channel.error();
        }
        ReceiveOutcome const outcome = channel.receive(answer);
        if (outcome == ReceiveOutcome::Closed) return "parent: the child closed the channel";
        if (outcome == ReceiveOutcome::Failed) return "parent: " + channel.error();
        if (pattern == HostPattern::RoundTrip && answer.header.tag != message.header.tag)
            return "parent: the answer is not the message sent";
    }
    state.SetItemsProcessed(state.iterations() * (pattern == HostPattern::Stream ? HostStreamBatch : 1));
    if (!channel.send(make_message(StopTag, 0))) return "parent: " + channel.error();
    return {};
}

template<HostChannel Channel>
void measure(benchmark::State& state, HostPattern pattern) {
    Channel channel;
    if (!channel.open()) {
        state.SkipWithError(channel.error().c_str());
        return;
    }
    std::string const failure = run_beside_child(
        [&] {
            channel.become(ChannelSide::Child);
            return serve(channel, pattern);
        },
        [&] {
            channel.become(ChannelSide::Parent);
            return drive(state, channel, pattern);
        });
    if (!failure.empty()) state.SkipWithError(failure.c_str());
}

} // namespace

void measure_host_ipc(benchmark::State& state, HostTransport transport, HostPattern pattern) {
    if (transport == HostTransport::PosixMq) measure<PosixMqChannel>(state, pattern);
    else measure<PipeChannel>(state, pattern);
}

void register_host_ipc_references() {
    struct Reference {
        char const* name;
        HostTransport transport;
        HostPattern pattern;
    };
    static constexpr Reference references[] = {
        {PosixMqStreamBenchmark, HostTransport::PosixMq, HostPattern::Stream},
        {PosixMqRoundTripBenchmark, HostTransport::PosixMq, HostPattern::RoundTrip},
        {PipeStreamBenchmark, HostTransport::Pipe, HostPattern::Stream},
        {PipeRoundTripBenchmark, HostTransport::Pipe, HostPattern::RoundTrip},
    };
    for (Reference const& reference : references) {
        benchmark::RegisterBenchmark(reference.name, measure_host_ipc, reference.transport, reference.pattern)
            ->UseRealTime();
    }
}

} // namespace grove::bench

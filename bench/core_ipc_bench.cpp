// The core-level IPC rows: the endpoint's non-blocking send and receive fast paths against minimal references,
// each pair in this one program, so that ours and the reference come from the same run.
#include <bench/reference/bitmap_priority_queue.hpp>
#include <bench/reference/message_ring.hpp>
#include <bench/support/benchmark_main.hpp>
#include <bench/support/benchmark_row.hpp>
#include <core/base/prng.hpp>
#include <core/ipc/endpoint.hpp>

#include <benchmark/benchmark.h>

#include <new>

namespace grove::bench {

namespace {

constexpr u32 Capacity = Endpoint::Capacity;
constexpr u32 PriorityTableSize = 4096;

// The endpoint as the loop sees it: grove 0 sends to it with try_send and receives from it with try_receive; no
// thread ever waits on it, so both calls stay on their inline fast paths.
class EndpointUnderTest {
public:
    bool push(abi::Message const& message) { return m_endpoint.try_send(0, message, m_woken).has_value(); }
    bool pop(abi::Message& out) {
        ReplyToken reply;
        return m_endpoint.try_receive(out, reply, m_woken).has_value();
    }

private:
    IpcLedger m_ledger;
    Endpoint m_endpoint{0, m_ledger};
    WakeList m_woken;
};

// How the loop chooses each message's priority.
enum class Priorities { One, Random };

// The same priorities for every queue type and every run: 0..31 from a fixed seed.
struct PriorityTable {
    u8 priorities[PriorityTableSize];
};

PriorityTable const& priority_table() {
    static PriorityTable const table = [] {
        PriorityTable result{};
        Prng prng(0x636f'7265'5f69'7063ULL);
        for (u8& priority : result.priorities) priority = static_cast<u8>(prng.below(abi::PriorityLevels));
        return result;
    }();
    return table;
}

// One benchmark body for every queue type, so that each does exactly the same work around the queue: the queue
// holds depth - 1 messages (state.range(0), 1 for FIFO runs); each iteration sets the message's tag and priority,
// pushes it (the queue then holds `depth`), and pops the message the queue serves next (back to depth - 1). The
// memory clobber between push and pop makes both copies real and makes pop reload the queue's state, as two
// separate system calls would.
template<typename Queue>
void send_and_receive(benchmark::State& state, Priorities priorities) {
    auto const depth = static_cast<u32>(state.range(0));
    PriorityTable const& table = priority_table();
    // Static storage, as in the kernel, and the same address in every run: a heap block lands elsewhere each time,
    // and how its slots alias the stack's message buffers (4 KiB apart or not) changed the figure from one
    // repetition to the next.
    alignas(64) static unsigned char storage[sizeof(Queue)];
    Queue* const queue_pointer = new (storage) Queue();
    benchmark::DoNotOptimize(queue_pointer);

    abi::Message message{};
    message.header.length = abi::MessagePayloadSize;
    for (u32 i = 0; i < abi::MessagePayloadSize; ++i) message.payload[i] = static_cast<u8>(i);
    abi::Message out{};
    u32 sequence = 0;
    auto next_priority = [&] {
        return priorities == Priorities::One ? u8{0} : table.priorities[sequence % PriorityTableSize];
    };

    for (u32 i = 0; i + 1 < depth; ++i, ++sequence) {
        message.header.tag = sequence;
        message.header.priority = next_priority();
        if (!queue_pointer->push(message)) {
            state.SkipWithError("the queue refused a message while filling");
            queue_pointer->~Queue();
            return;
        }
    }
    for (auto _ : state) {
        message.header.tag = sequence;
        message.header.priority = next_priority();
        ++sequence;
        if (!queue_pointer->push(message)) [[unlikely]] {
            state.SkipWithError("push refused");
            break;
        }
        benchmark::ClobberMemory();
        if (!queue_pointer->pop(out)) [[unlikely]] {
            state.SkipWithError("pop refused");
            break;
        }
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations());
    queue_pointer->~Queue();
}

// The depths of the priority rows. The endpoint's queue holds at most Endpoint::Capacity (64) messages: its slot
// links are u8 and MessageQueue is not a template, so depths beyond 64 (the 1024) do not exist.
constexpr i64 ShallowDepth = 1;
constexpr i64 DeepDepth = Capacity;

void register_core_benchmarks() {
    benchmark::RegisterBenchmark("core_fifo/endpoint", send_and_receive<EndpointUnderTest>, Priorities::One)
        ->ArgName("depth")
        ->Arg(1);
    benchmark::RegisterBenchmark("core_fifo/ring", send_and_receive<MessageRing<Capacity>>, Priorities::One)
        ->ArgName("depth")
        ->Arg(1);
    benchmark::RegisterBenchmark("core_prio32/endpoint", send_and_receive<EndpointUnderTest>, Priorities::Random)
        ->ArgName("depth")
        ->Arg(ShallowDepth)
        ->Arg(DeepDepth);
    benchmark::RegisterBenchmark("core_prio32/bitmap", send_and_receive<BitmapPriorityQueue<Capacity>>,
                                 Priorities::Random)
        ->ArgName("depth")
        ->Arg(ShallowDepth)
        ->Arg(DeepDepth);
}

void declare_core_rows() {
    std::string const shallow = "/depth:" + std::to_string(ShallowDepth);
    std::string const deep = "/depth:" + std::to_string(DeepDepth);
    declare_row({"core_fifo_vs_ring", "core_fifo/endpoint/depth:1", "core_fifo/ring/depth:1", RowMetric::CpuTime,
                 "ns/op", "<= 1.5"});
    declare_row({"core_prio32_vs_bitmap" + shallow, "core_prio32/endpoint" + shallow, "core_prio32/bitmap" + shallow,
                 RowMetric::CpuTime, "ns/op", "<= 1.5"});
    declare_row({"core_prio32_vs_bitmap" + deep, "core_prio32/endpoint" + deep, "core_prio32/bitmap" + deep,
                 RowMetric::CpuTime, "ns/op", "<= 1.5"});
    // Flatness: the endpoint at its deepest queue against itself at depth 1, and the same for the reference.
    declare_row({"core_prio32_endpoint_deep_vs_shallow", "core_prio32/endpoint" + deep,
                 "core_prio32/endpoint" + shallow, RowMetric::CpuTime, "ns/op", "<= 1.2"});
    declare_row({"core_prio32_bitmap_deep_vs_shallow", "core_prio32/bitmap" + deep, "core_prio32/bitmap" + shallow,
                 RowMetric::CpuTime, "ns/op", ""});
}

} // namespace

} // namespace grove::bench

int main(int argc, char** argv) {
    grove::bench::register_core_benchmarks();
    grove::bench::declare_core_rows();
    return grove::bench::run_benchmarks(argc, argv);
}

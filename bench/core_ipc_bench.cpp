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
#include <string>

namespace grove::bench {

namespace {

// The kernel's endpoint capacity, and the capacity that holds the deepest queue measured.
constexpr u32 KernelCapacity = Endpoint::Capacity;
constexpr u32 DeepCapacity = 1024;
constexpr u32 PriorityTableSize = 4096;

// The endpoint as the loop sees it: grove 0 sends to it with try_send and receives from it with try_receive; no
// thread ever waits on it, so both calls stay on their inline fast paths. The kernel's code at any queue capacity
// (BasicEndpoint; the kernel's endpoint is the 64-message one).
template<u32 QueueCapacity>
class EndpointUnderTest {
public:
    bool push(abi::Message const& message) { return m_endpoint.try_send(0, message, m_woken).has_value(); }
    bool pop(abi::Message& out) {
        ReplyToken reply;
        return m_endpoint.try_receive(out, reply, m_woken).has_value();
    }

private:
    IpcLedger m_ledger;
    BasicEndpoint<QueueCapacity> m_endpoint{0, m_ledger};
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

// The priority runs: a queue capacity and a depth, the same for the endpoint and its reference. The rows
// core_prio32_vs_bitmap/depth:D measure depths 1 and 64 at the kernel's capacity (64: the queue is full after the
// push at depth 64) and depth 1024 at capacity 1024; the flatness rows compare depth 1024 with depth 1 at
// capacity 1024, so that only the depth differs.
struct PriorityRun {
    u32 capacity;
    i64 depth;
};
constexpr PriorityRun RowRuns[] = {{KernelCapacity, 1}, {KernelCapacity, 64}, {DeepCapacity, 1024}};
constexpr PriorityRun Shallow{DeepCapacity, 1};
constexpr PriorityRun Deep{DeepCapacity, 1024};
// Every run registered: those of the rows above, each once.
constexpr PriorityRun MeasuredRuns[] = {RowRuns[0], RowRuns[1], Shallow, Deep};

// "core_prio32/<queue>/capacity:<capacity>"; Google Benchmark appends "/depth:<depth>" to name a run.
std::string priority_family(char const* queue, u32 capacity) {
    return std::string("core_prio32/") + queue + "/capacity:" + std::to_string(capacity);
}
std::string priority_run(char const* queue, PriorityRun run) {
    return priority_family(queue, run.capacity) + "/depth:" + std::to_string(run.depth);
}

// Registers the endpoint and its reference at one capacity, at every depth measured at that capacity.
template<u32 QueueCapacity>
void register_priority_benchmarks() {
    auto* endpoint =
        benchmark::RegisterBenchmark(priority_family("endpoint", QueueCapacity).c_str(),
                                     send_and_receive<EndpointUnderTest<QueueCapacity>>, Priorities::Random);
    auto* bitmap =
        benchmark::RegisterBenchmark(priority_family("bitmap", QueueCapacity).c_str(),
                                     send_and_receive<BitmapPriorityQueue<QueueCapacity>>, Priorities::Random);
    endpoint->ArgName("depth");
    bitmap->ArgName("depth");
    for (PriorityRun const run : MeasuredRuns) {
        if (run.capacity != QueueCapacity) continue;
        endpoint->Arg(run.depth);
        bitmap->Arg(run.depth);
    }
}

void register_core_benchmarks() {
    benchmark::RegisterBenchmark("core_fifo/endpoint", send_and_receive<EndpointUnderTest<KernelCapacity>>,
                                 Priorities::One)
        ->ArgName("depth")
        ->Arg(1);
    benchmark::RegisterBenchmark("core_fifo/ring", send_and_receive<MessageRing<KernelCapacity>>, Priorities::One)
        ->ArgName("depth")
        ->Arg(1);
    register_priority_benchmarks<KernelCapacity>();
    register_priority_benchmarks<DeepCapacity>();
}

void declare_core_rows() {
    declare_row({"core_fifo_vs_ring", "core_fifo/endpoint/depth:1", "core_fifo/ring/depth:1", RowMetric::CpuTime,
                 "ns/op", "<= 1.5"});
    for (PriorityRun const run : RowRuns)
        declare_row({"core_prio32_vs_bitmap/depth:" + std::to_string(run.depth), priority_run("endpoint", run),
                     priority_run("bitmap", run), RowMetric::CpuTime, "ns/op", "<= 1.5"});
    // Flatness: each queue at depth 1024 against itself at depth 1, at the same capacity.
    declare_row({"core_prio32_endpoint_deep_vs_shallow", priority_run("endpoint", Deep),
                 priority_run("endpoint", Shallow), RowMetric::CpuTime, "ns/op", "<= 1.2"});
    declare_row({"core_prio32_bitmap_deep_vs_shallow", priority_run("bitmap", Deep), priority_run("bitmap", Shallow),
                 RowMetric::CpuTime, "ns/op", ""});
}

} // namespace

} // namespace grove::bench

int main(int argc, char** argv) {
    grove::bench::register_core_benchmarks();
    grove::bench::declare_core_rows();
    return grove::bench::run_benchmarks(argc, argv);
}

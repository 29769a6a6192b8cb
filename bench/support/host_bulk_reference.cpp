#include <bench/support/host_bulk_reference.hpp>

#include <bench/support/forked_child.hpp>
#include <bench/support/host_channel.hpp>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <unistd.h>

namespace grove::bench {

namespace {

using Bulk = unsigned char[HostBulkSize];

// One pipe end, closed when the owner goes.
class PipeEnd {
public:
    PipeEnd() = default;
    PipeEnd(PipeEnd const&) = delete;
    PipeEnd& operator=(PipeEnd const&) = delete;
    ~PipeEnd() { close_now(); }
    void set(int fd) { m_fd = fd; }
    int fd() const { return m_fd; }
    void close_now() {
        if (m_fd != -1) close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
};

// Writes all `size` bytes; an empty string, or the failure.
std::string write_all(int fd, unsigned char const* bytes, std::size_t size) {
    while (size > 0) {
        ssize_t const written = write(fd, bytes, size);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return written < 0 ? describe_errno("write") : "write: nothing written to a pipe";
        bytes += written;
        size -= static_cast<std::size_t>(written);
    }
    return {};
}

// Reads exactly `size` bytes: 1 when done, 0 at end of file before the first byte, -1 on any other failure.
int read_all(int fd, unsigned char* bytes, std::size_t size) {
    std::size_t received = 0;
    while (received < size) {
        ssize_t const got = read(fd, bytes + received, size - received);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return -1;
        if (got == 0) return received == 0 ? 0 : -1;
        received += static_cast<std::size_t>(got);
    }
    return 1;
}

// The child: reads whole transfers until end of file, checks their first and last bytes, answers each with a byte.
int serve_bulk(int in, int out, unsigned char first, unsigned char last) {
    static Bulk buffer;
    for (;;) {
        int const read = read_all(in, buffer, HostBulkSize);
        if (read == 0) return 0;
        if (read < 0 || buffer[0] != first || buffer[HostBulkSize - 1] != last) return 1;
        unsigned char const answer = 1;
        if (!write_all(out, &answer, 1).empty()) return 1;
    }
}

} // namespace

void measure_host_memcpy(benchmark::State& state) {
    static Bulk source;
    static Bulk destination;
    for (std::size_t i = 0; i < HostBulkSize; ++i) source[i] = static_cast<unsigned char>(i);
    for (auto _ : state) {
        std::memcpy(destination, source, HostBulkSize);
        benchmark::DoNotOptimize(destination);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(HostBulkSize));
}

void measure_host_pipe_bulk(benchmark::State& state) {
    // Data from the parent to the child, answers back; each end closed by its owner.
    PipeEnd down_read, down_write, up_read, up_write;
    for (auto [read_end, write_end] : {std::pair{&down_read, &down_write}, std::pair{&up_read, &up_write}}) {
        int fds[2];
        if (pipe(fds) != 0) {
            state.SkipWithError(describe_errno("pipe").c_str());
            return;
        }
        read_end->set(fds[0]);
        write_end->set(fds[1]);
    }
    static Bulk data;
    for (std::size_t i = 0; i < HostBulkSize; ++i) data[i] = static_cast<unsigned char>(i * 7 + 1);
    std::string const failure = run_beside_child(
        [&] {
            down_write.close_now();
            up_read.close_now();
            return serve_bulk(down_read.fd(), up_write.fd(), data[0], data[HostBulkSize - 1]);
        },
        [&]() -> std::string {
            down_read.close_now();
            up_write.close_now();
            for (auto _ : state) {
                std::string const written = write_all(down_write.fd(), data, HostBulkSize);
                if (!written.empty()) return "parent: " + written;
                unsigned char answer = 0;
                if (read_all(up_read.fd(), &answer, 1) != 1) return "parent: the child did not answer a transfer";
            }
            state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(HostBulkSize));
            down_write.close_now(); // end of file: the child exits 0
            return {};
        });
    if (!failure.empty()) state.SkipWithError(failure.c_str());
}

void register_host_bulk_references() {
    benchmark::RegisterBenchmark(MemcpyBulkBenchmark, measure_host_memcpy)->UseRealTime();
    benchmark::RegisterBenchmark(PipeBulkBenchmark, measure_host_pipe_bulk)->UseRealTime();
}

} // namespace grove::bench

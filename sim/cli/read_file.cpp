#include <sim/cli/read_file.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace grove::sim {

namespace {

// Closes a descriptor when it goes out of scope.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : m_fd(fd) {}
    FileDescriptor(FileDescriptor const&) = delete;
    FileDescriptor& operator=(FileDescriptor const&) = delete;
    ~FileDescriptor() {
        if (m_fd >= 0) ::close(m_fd);
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

FileContents failure(std::string message) {
    FileContents contents;
    contents.error = std::move(message);
    return contents;
}

char const* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

} // namespace

FileContents read_regular_file(std::string const& path, std::uint64_t max_size) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; the type check below refuses it anyway.
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) return failure(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0)
        return failure(fmt::format("cannot stat '{}': {}", path, std::strerror(errno)));
    if (!S_ISREG(status.st_mode)) return failure(fmt::format("'{}' is {}, not a file", path, kind_of(status.st_mode)));
    auto const size = static_cast<std::uint64_t>(status.st_size);
    if (size > max_size)
        return failure(fmt::format("'{}' is too large: {} bytes, at most {} are read", path, size, max_size));

    FileContents contents;
    contents.bytes.resize(size);
    std::uint64_t done = 0;
    while (done < size) {
        ssize_t const n = ::read(fd.get(), contents.bytes.data() + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return failure(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
        if (n == 0) break; // the file shrank while it was read: take what is there
        done += static_cast<std::uint64_t>(n);
    }
    contents.bytes.resize(done);
    return contents;
}

} // namespace grove::sim

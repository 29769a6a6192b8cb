#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace grove::sim {

// The whole content of a regular file of at most `max_size` bytes, or why it could not be read.
struct FileContents {
    std::vector<std::uint8_t> bytes;
    std::string error; // empty when the file was read; else a sentence naming the file and the reason
    bool ok() const { return error.empty(); }
};

// Reads `path` without ever blocking on it: a directory, a FIFO, a device or a socket is refused before it is
// read, as is a file larger than `max_size`.
FileContents read_regular_file(std::string const& path, std::uint64_t max_size);

} // namespace grove::sim

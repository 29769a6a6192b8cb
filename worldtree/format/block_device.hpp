#pragma once
#include <core/base/std.hpp>

namespace grove::worldtree {

inline constexpr u32 SectorSize = 512;

// What World-Tree needs of a disk: sectors of SectorSize bytes that it reads and writes, and a flush after which
// every completed write is on the medium. A write that was not flushed may be lost, and the sector being written
// when power fails may hold part old and part new bytes; the format (FORMAT.md) survives both. Implemented over
// the ata grove's block protocol (the world-tree grove), over a file (grovesim disk) and by the tests' simulated
// disk that drops unflushed writes.
class BlockDevice {
public:
    virtual u64 sector_count() const = 0;
    // Each returns false when the device reports an error; the buffer holds count * SectorSize bytes.
    virtual bool read(u64 lba, u32 count, void* buffer) = 0;
    virtual bool write(u64 lba, u32 count, void const* buffer) = 0;
    virtual bool flush() = 0;

protected:
    BlockDevice() = default;
    BlockDevice(BlockDevice const&) = default;
    BlockDevice& operator=(BlockDevice const&) = default;
    ~BlockDevice() = default;
};

} // namespace grove::worldtree

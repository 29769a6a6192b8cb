#pragma once
#include <core/base/std.hpp>
#include <worldtree/format/block_device.hpp>
#include <worldtree/format/object.hpp>

// The on-disk structures of World-Tree (FORMAT.md describes them byte by byte): two superblocks in sectors 0 and 1,
// then an append-only log of records from sector 2. Every integer is little-endian.
namespace grove::worldtree::disk {

inline constexpr u64 SuperblockSlots = 2;
inline constexpr u64 LogStart = 2;
inline constexpr u32 FormatVersion = 1;
inline constexpr u8 SuperblockMagic[8] = {'W', 'T', 'R', 'E', 'E', 'S', 'B', '1'};
inline constexpr u32 RecordMagic = 0x31525457; // "WTR1"
inline constexpr usize SuperblockBytes = 88;   // checksummed bytes: 0..79, the checksum at 80..87
inline constexpr usize RecordHeaderBytes = 72; // checksummed bytes: 0..63, the checksum at 64..71

enum class RecordKind : u16 { Blob = 1, Commit = 2 };
enum class ChangeKind : u8 { Put = 1, Remove = 2, Restore = 3 };

struct Superblock {
    u64 generation = 0;    // one more at every commit; written to slot generation % 2
    u64 total_sectors = 0; // the device's size when the store was made
    u64 log_end = LogStart;
    u64 record_count = 0;
    u64 commit_count = 0;
    u64 last_commit_sector = 0;
    u64 chain = 0; // FNV-1a over the header checksums of every record below log_end, in order
};

struct RecordHeader {
    RecordKind kind = RecordKind::Blob;
    u64 sequence = 0; // 1, 2, ... in log order
    u64 payload_length = 0;
    u64 payload_checksum = 0; // FNV-1a over the payload
    ContentHash hash;         // a blob's address; zero for a commit
    u64 header_checksum = 0;  // set by encode, checked by decode
};

// The sectors a record occupies: its header sector and its payload rounded up to whole sectors.
constexpr u64 record_sectors(u64 payload_length) { return 1 + (payload_length + SectorSize - 1) / SectorSize; }

// Encode into a zeroed sector; decode returns false for anything that is not a well-formed, intact structure.
void encode_superblock(Superblock const& superblock, u8* sector);
bool decode_superblock(u8 const* sector, Superblock* out);
void encode_record_header(RecordHeader& header, u8* sector); // fills header.header_checksum
bool decode_record_header(u8 const* sector, RecordHeader* out);

// Little-endian fields.
constexpr void put_u16(u8* p, u16 v) {
    for (int i = 0; i < 2; ++i) p[i] = u8(v >> (8 * i));
}
constexpr void put_u32(u8* p, u32 v) {
    for (int i = 0; i < 4; ++i) p[i] = u8(v >> (8 * i));
}
constexpr void put_u64(u8* p, u64 v) {
    for (int i = 0; i < 8; ++i) p[i] = u8(v >> (8 * i));
}
constexpr u16 get_u16(u8 const* p) { return u16(p[0] | (p[1] << 8)); }
constexpr u32 get_u32(u8 const* p) {
    u32 v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}
constexpr u64 get_u64(u8 const* p) {
    u64 v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

} // namespace grove::worldtree::disk

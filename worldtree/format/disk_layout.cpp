#include <core/base/hash.hpp>
#include <worldtree/format/disk_layout.hpp>

namespace grove::worldtree::disk {

namespace {

u64 checksum(u8 const* bytes, usize length) {
    Fnv1a64 fnv;
    fnv.update(bytes, length);
    return fnv.digest();
}

} // namespace

void encode_superblock(Superblock const& superblock, u8* sector) {
    fill_bytes(sector, 0, SectorSize);
    copy_bytes(sector, SuperblockMagic, 8);
    put_u32(sector + 8, FormatVersion);
    put_u32(sector + 12, SectorSize);
    put_u64(sector + 16, superblock.generation);
    put_u64(sector + 24, superblock.total_sectors);
    put_u64(sector + 32, superblock.log_end);
    put_u64(sector + 40, superblock.record_count);
    put_u64(sector + 48, superblock.commit_count);
    put_u64(sector + 56, superblock.last_commit_sector);
    put_u64(sector + 64, superblock.chain);
    put_u64(sector + 72, LogStart);
    put_u64(sector + 80, checksum(sector, 80));
}

bool decode_superblock(u8 const* sector, Superblock* out) {
    if (!equal_bytes(sector, SuperblockMagic, 8)) return false;
    if (get_u64(sector + 80) != checksum(sector, 80)) return false;
    if (get_u32(sector + 8) != FormatVersion || get_u32(sector + 12) != SectorSize) return false;
    if (get_u64(sector + 72) != LogStart) return false;
    Superblock s;
    s.generation = get_u64(sector + 16);
    s.total_sectors = get_u64(sector + 24);
    s.log_end = get_u64(sector + 32);
    s.record_count = get_u64(sector + 40);
    s.commit_count = get_u64(sector + 48);
    s.last_commit_sector = get_u64(sector + 56);
    s.chain = get_u64(sector + 64);
    if (s.log_end < LogStart || s.log_end > s.total_sectors) return false;
    if (s.commit_count > s.record_count || s.record_count > s.log_end - LogStart) return false;
    if (s.commit_count > 0 && (s.last_commit_sector < LogStart || s.last_commit_sector >= s.log_end)) return false;
    *out = s;
    return true;
}

void encode_record_header(RecordHeader& header, u8* sector) {
    fill_bytes(sector, 0, SectorSize);
    put_u32(sector, RecordMagic);
    put_u16(sector + 4, u16(header.kind));
    put_u64(sector + 8, header.sequence);
    put_u64(sector + 16, header.payload_length);
    put_u64(sector + 24, header.payload_checksum);
    copy_bytes(sector + 32, header.hash.bytes, 32);
    header.header_checksum = checksum(sector, 64);
    put_u64(sector + 64, header.header_checksum);
}

bool decode_record_header(u8 const* sector, RecordHeader* out) {
    if (get_u32(sector) != RecordMagic) return false;
    if (get_u64(sector + 64) != checksum(sector, 64)) return false;
    u16 kind = get_u16(sector + 4);
    if (kind != u16(RecordKind::Blob) && kind != u16(RecordKind::Commit)) return false;
    if (get_u16(sector + 6) != 0) return false;
    RecordHeader h;
    h.kind = RecordKind(kind);
    h.sequence = get_u64(sector + 8);
    h.payload_length = get_u64(sector + 16);
    h.payload_checksum = get_u64(sector + 24);
    copy_bytes(h.hash.bytes, sector + 32, 32);
    h.header_checksum = get_u64(sector + 64);
    *out = h;
    return true;
}

} // namespace grove::worldtree::disk

#include <worldtree/format/store.hpp>

namespace grove::worldtree {

using disk::ChangeKind;
using disk::RecordHeader;
using disk::RecordKind;

namespace {

u64 chain_next(u64 chain, u64 header_checksum) {
    Fnv1a64 fnv;
    fnv.update_u64(chain);
    fnv.update_u64(header_checksum);
    return fnv.digest();
}

// Bounds-checked reading of a commit payload: every read past the end fails and leaves `ok` false.
struct Reader {
    u8 const* data;
    usize length;
    usize position = 0;
    bool ok = true;

    u8 const* take(usize n) {
        if (!ok || n > length - position) {
            ok = false;
            return nullptr;
        }
        u8 const* p = data + position;
        position += n;
        return p;
    }
    u8 byte() {
        u8 const* p = take(1);
        return p != nullptr ? *p : 0;
    }
    u16 u16_() {
        u8 const* p = take(2);
        return p != nullptr ? disk::get_u16(p) : 0;
    }
    u32 u32_() {
        u8 const* p = take(4);
        return p != nullptr ? disk::get_u32(p) : 0;
    }
    u64 u64_() {
        u8 const* p = take(8);
        return p != nullptr ? disk::get_u64(p) : 0;
    }
    // A string of `length` bytes (read before it), at most `max` long.
    char const* text(usize n, usize max) {
        if (n > max) ok = false;
        return reinterpret_cast<char const*>(take(n));
    }
};

struct Writer {
    u8* data;
    usize position = 0;

    void byte(u8 v) { data[position++] = v; }
    void u16_(u16 v) {
        disk::put_u16(data + position, v);
        position += 2;
    }
    void u32_(u32 v) {
        disk::put_u32(data + position, v);
        position += 4;
    }
    void u64_(u64 v) {
        disk::put_u64(data + position, v);
        position += 8;
    }
    void bytes(void const* p, usize n) {
        copy_bytes(data + position, p, n);
        position += n;
    }
};

// One change of a commit record as it is on disk.
struct Change {
    ChangeKind kind = ChangeKind::Put;
    Metadata meta;
    u64 blob_sector = 0;
    u32 restored_from = 0;
};

template<usize N>
bool read_string(Reader& r, usize length, FixedString<N>* out) {
    char const* p = r.text(length, N);
    if (p == nullptr) return false;
    auto s = FixedString<N>::from(p, length);
    if (!s) return false;
    *out = s.value();
    return true;
}

bool read_change(Reader& r, Change* out) {
    Change c;
    u8 kind = r.byte();
    if (kind < u8(ChangeKind::Put) || kind > u8(ChangeKind::Restore)) return false;
    c.kind = ChangeKind(kind);
    if (!read_string(r, r.byte(), &c.meta.name) || !is_valid_name(c.meta.name.c_str(), c.meta.name.length()))
        return false;
    u8 essence = r.byte();
    if (essence >= EssenceCount) return false;
    c.meta.essence = Essence(essence);
    if (!read_string(r, r.byte(), &c.meta.creator) || !is_valid_name(c.meta.creator.c_str(), c.meta.creator.length()))
        return false;
    c.meta.created = r.u64_();
    c.meta.tag_count = r.byte();
    if (c.meta.tag_count > MaxTags) return false;
    for (u8 i = 0; i < c.meta.tag_count; ++i) {
        Tag& tag = c.meta.tags[i];
        if (!read_string(r, r.byte(), &tag.key) || !is_valid_tag_key(tag.key.c_str(), tag.key.length())) return false;
        if (!read_string(r, r.byte(), &tag.value) || !is_valid_name(tag.value.c_str(), tag.value.length()))
            return false;
    }
    c.meta.size = r.u64_();
    u8 const* hash = r.take(32);
    if (hash == nullptr) return false;
    copy_bytes(c.meta.hash.bytes, hash, 32);
    c.blob_sector = r.u64_();
    c.restored_from = r.u32_();
    if (!r.ok || c.meta.size > MaxObjectSize) return false;
    if ((c.kind == ChangeKind::Restore) != (c.restored_from != 0)) return false;
    *out = c;
    return true;
}

void write_change(Writer& w, ChangeKind kind, Metadata const& meta, u64 blob_sector, u32 restored_from) {
    w.byte(u8(kind));
    w.byte(u8(meta.name.length()));
    w.bytes(meta.name.c_str(), meta.name.length());
    w.byte(u8(meta.essence));
    w.byte(u8(meta.creator.length()));
    w.bytes(meta.creator.c_str(), meta.creator.length());
    w.u64_(meta.created);
    w.byte(meta.tag_count);
    for (u8 i = 0; i < meta.tag_count; ++i) {
        w.byte(u8(meta.tags[i].key.length()));
        w.bytes(meta.tags[i].key.c_str(), meta.tags[i].key.length());
        w.byte(u8(meta.tags[i].value.length()));
        w.bytes(meta.tags[i].value.c_str(), meta.tags[i].value.length());
    }
    w.u64_(meta.size);
    w.bytes(meta.hash.bytes, 32);
    w.u64_(blob_sector);
    w.u32_(restored_from);
}

} // namespace

// A staged Put of an object that is not live: it is created by the commit, at the commit's time.
constexpr u64 NewObject = ~u64(0);

struct Store::Scan {
    u64 sector = disk::LogStart;
    u64 end = disk::LogStart;
    u64 records = 0;
    u64 chain = 0;
    u64 last_commit_sector = 0;
    MountReport report;
};

StoreResult<void> Store::fail(u64 sector, char const* what) {
    m_problem = Problem{sector, what};
    m_mounted = false;
    return StoreError::Corrupt;
}

StoreResult<void> Store::write_sectors(u64 lba, u32 count, void const* buffer) {
    if (lba > m_total_sectors || count > m_total_sectors - lba) return StoreError::NoSpace;
    if (!m_device.write(lba, count, buffer)) return StoreError::Io;
    return {};
}

StoreResult<void> Store::format() {
    m_mounted = false;
    u64 total = m_device.sector_count();
    if (total < disk::LogStart + 2) return StoreError::NoSpace;
    u8 sectors[2 * SectorSize];
    for (u64 slot = 0; slot < disk::SuperblockSlots; ++slot) {
        disk::Superblock s;
        s.generation = slot;
        s.total_sectors = total;
        disk::encode_superblock(s, sectors + slot * SectorSize);
    }
    if (!m_device.write(0, 2, sectors) || !m_device.flush()) return StoreError::Io;
    return {};
}

StoreResult<MountReport> Store::mount(Verification verification) {
    m_mounted = false;
    m_problem = Problem{};
    m_object_count = m_version_count = m_commit_count = m_blob_count = m_staged_count = 0;
    m_committed_blobs = 0;
    m_blob_open = false;
    m_total_sectors = m_device.sector_count();
    if (m_total_sectors < disk::LogStart + 2) {
        (void)fail(0, "the device is too small to hold a store");
        return StoreError::Corrupt;
    }
    if (!m_device.read(0, 2, m_read_buffer)) return StoreError::Io;

    Scan scan;
    disk::Superblock chosen;
    bool found = false;
    for (u64 slot = 0; slot < disk::SuperblockSlots; ++slot) {
        disk::Superblock s;
        if (!disk::decode_superblock(m_read_buffer + slot * SectorSize, &s)) continue;
        if (s.generation % disk::SuperblockSlots != slot || s.total_sectors > m_total_sectors) continue;
        ++scan.report.valid_superblocks;
        if (!found || s.generation > chosen.generation) chosen = s;
        found = true;
    }
    if (!found) {
        (void)fail(0, "no intact superblock: not a World-Tree store, or both copies are damaged");
        return StoreError::Corrupt;
    }
    m_total_sectors = chosen.total_sectors;
    scan.end = chosen.log_end;
    while (scan.sector < scan.end) {
        auto scanned = scan_record(scan, verification);
        if (!scanned) {
            m_mounted = false;
            return scanned.error();
        }
    }
    if (scan.records != chosen.record_count) {
        (void)fail(chosen.log_end, "the log holds a different number of records than the superblock says");
        return StoreError::Corrupt;
    }
    if (m_commit_count != chosen.commit_count || scan.last_commit_sector != chosen.last_commit_sector) {
        (void)fail(chosen.log_end, "the log's commits do not match the superblock");
        return StoreError::Corrupt;
    }
    if (scan.chain != chosen.chain) {
        (void)fail(chosen.log_end, "the log's record chain does not match the superblock");
        return StoreError::Corrupt;
    }
    m_superblock = chosen;
    m_cursor = chosen.log_end;
    m_records_written = chosen.record_count;
    m_chain_written = chosen.chain;
    m_committed_blobs = m_blob_count;
    m_mounted = true;
    scan.report.generation = chosen.generation;
    scan.report.log_end = chosen.log_end;
    scan.report.records = scan.records;
    scan.report.commits = m_commit_count;
    scan.report.blobs = m_blob_count;
    return scan.report;
}

StoreResult<void> Store::scan_record(Scan& scan, Verification verification) {
    u64 const sector = scan.sector;
    if (!m_device.read(sector, 1, m_read_buffer)) return StoreError::Io;
    RecordHeader header;
    if (!disk::decode_record_header(m_read_buffer, &header)) return fail(sector, "record header damaged");
    if (header.sequence != scan.records + 1) return fail(sector, "record out of sequence");
    u64 const limit = header.kind == RecordKind::Blob ? MaxObjectSize : CommitBufferBytes;
    if (header.payload_length > limit) return fail(sector, "record payload too long");
    u64 const sectors = disk::record_sectors(header.payload_length);
    if (sectors > scan.end - sector) return fail(sector, "record runs past the end of the committed log");

    Fnv1a64 fnv;
    if (header.kind == RecordKind::Blob) {
        Sha256 sha;
        u64 remaining = header.payload_length;
        u64 next = sector + 1;
        while (remaining > 0) {
            u64 run = sectors - (next - sector);
            if (run > IoSectors) run = IoSectors;
            if (!m_device.read(next, u32(run), m_read_buffer)) return StoreError::Io;
            u64 bytes = run * SectorSize < remaining ? run * SectorSize : remaining;
            fnv.update(m_read_buffer, bytes);
            if (verification == Verification::Content) sha.update(m_read_buffer, bytes);
            remaining -= bytes;
            next += run;
        }
        if (fnv.digest() != header.payload_checksum) return fail(sector, "blob payload damaged");
        if (verification == Verification::Content) {
            ContentHash computed;
            sha.finish(computed.bytes);
            if (!(computed == header.hash)) return fail(sector, "blob content does not match its address");
        }
        if (find_blob(header.hash) != NoIndex) return fail(sector, "blob stored twice");
        if (m_blob_count == MaxBlobs) {
            m_problem = Problem{sector, "more blobs than the index holds"};
            return StoreError::IndexFull;
        }
        m_blobs[m_blob_count++] = BlobRef{header.hash, sector, header.payload_length};
        ++scan.report.blobs;
        scan.report.blob_bytes += header.payload_length;
    } else {
        if (sectors > 1 && !m_device.read(sector + 1, u32(sectors - 1), m_commit_buffer)) return StoreError::Io;
        fnv.update(m_commit_buffer, header.payload_length);
        if (fnv.digest() != header.payload_checksum) return fail(sector, "commit payload damaged");
        auto applied = apply_commit(m_commit_buffer, header.payload_length, sector, m_commit_count + 1);
        if (!applied) {
            if (applied.error() == StoreError::IndexFull) {
                m_problem = Problem{sector, "more objects, versions or commits than the index holds"};
                return StoreError::IndexFull;
            }
            return fail(sector, "commit record malformed or names what the log does not hold");
        }
        scan.last_commit_sector = sector;
    }
    scan.chain = chain_next(scan.chain, header.header_checksum);
    ++scan.records;
    scan.sector = sector + sectors;
    return {};
}

u32 Store::find_object(char const* name, usize length) const {
    for (u32 i = 0; i < m_object_count; ++i)
        if (m_versions[m_objects[i]].meta.name.equals(name, length)) return i;
    return NoIndex;
}

u32 Store::find_blob(ContentHash const& hash) const {
    for (u32 i = 0; i < m_blob_count; ++i)
        if (m_blobs[i].hash == hash) return i;
    return NoIndex;
}

StoreResult<void> Store::apply_commit(u8 const* payload, usize length, u64 sector, u32 number) {
    Reader r{payload, length};
    CommitInfo info;
    info.number = number;
    info.sector = sector;
    if (!read_string(r, r.byte(), &info.author) || !is_valid_name(info.author.c_str(), info.author.length()))
        return StoreError::Corrupt;
    info.time = r.u64_();
    if (!read_string(r, r.u16_(), &info.message) || !is_valid_message(info.message.c_str(), info.message.length()))
        return StoreError::Corrupt;
    u16 change_count = r.u16_();
    if (!r.ok || change_count == 0 || change_count > MaxStaged) return StoreError::Corrupt;
    usize const changes_at = r.position;

    // Validate every change before any touches the index.
    ObjectName names[MaxStaged];
    u32 new_objects = 0;
    for (u16 i = 0; i < change_count; ++i) {
        Change c;
        if (!read_change(r, &c)) return StoreError::Corrupt;
        for (u16 j = 0; j < i; ++j)
            if (c.meta.name == names[j]) return StoreError::Corrupt;
        names[i] = c.meta.name;
        u32 blob = find_blob(c.meta.hash);
        if (blob == NoIndex || m_blobs[blob].sector != c.blob_sector || m_blobs[blob].size != c.meta.size)
            return StoreError::Corrupt;
        u32 object = find_object(c.meta.name.c_str(), c.meta.name.length());
        bool live = object != NoIndex && !m_versions[m_objects[object]].is_removal();
        if (c.kind == ChangeKind::Remove && !live) return StoreError::Corrupt;
        if (c.kind == ChangeKind::Restore) {
            if (object == NoIndex || c.restored_from > m_versions[m_objects[object]].number) return StoreError::Corrupt;
            auto restored = find_version(c.meta.name.c_str(), c.meta.name.length(), c.restored_from);
            if (!restored || m_versions[restored.value()].is_removal() ||
                !(m_versions[restored.value()].meta.hash == c.meta.hash))
                return StoreError::Corrupt;
        }
        if (object == NoIndex) ++new_objects;
    }
    if (r.position != length) return StoreError::Corrupt;
    if (!index_takes(change_count, new_objects)) return StoreError::IndexFull;

    info.first_version = m_version_count;
    info.change_count = change_count;
    Reader again{payload, length, changes_at};
    for (u16 i = 0; i < change_count; ++i) {
        Change c;
        (void)read_change(again, &c);
        c.meta.modified = info.time;
        u32 object = find_object(c.meta.name.c_str(), c.meta.name.length());
        Version& v = m_versions[m_version_count];
        v.meta = c.meta;
        v.kind = c.kind;
        v.commit = m_commit_count;
        v.blob_sector = c.blob_sector;
        v.restored_from = c.restored_from;
        if (object == NoIndex) {
            v.number = 1;
            v.previous = NoIndex;
            m_objects[m_object_count++] = m_version_count;
        } else {
            v.previous = m_objects[object];
            v.number = m_versions[v.previous].number + 1;
            m_objects[object] = m_version_count;
        }
        ++m_version_count;
    }
    m_commits[m_commit_count++] = info;
    return {};
}

StoreResult<void> Store::begin_blob() {
    if (!m_mounted) return StoreError::NotMounted;
    if (m_blob_open) return StoreError::InvalidState;
    if (m_cursor >= m_total_sectors) return StoreError::NoSpace;
    m_blob_open = true;
    m_blob_sector = m_cursor;
    m_blob_next = m_cursor + 1;
    m_blob_size = 0;
    m_blob_fnv = Fnv1a64{};
    m_blob_sha = Sha256{};
    m_blob_buffered = 0;
    return {};
}

StoreResult<void> Store::flush_blob_buffer() {
    u32 sectors = (m_blob_buffered + SectorSize - 1) / SectorSize;
    if (sectors == 0) return {};
    fill_bytes(m_write_buffer + m_blob_buffered, 0, sectors * SectorSize - m_blob_buffered);
    auto written = write_sectors(m_blob_next, sectors, m_write_buffer);
    if (!written) {
        m_blob_open = false;
        return written.error();
    }
    m_blob_next += sectors;
    m_blob_buffered = 0;
    return {};
}

StoreResult<void> Store::append_blob(void const* data, usize length) {
    if (!m_mounted) return StoreError::NotMounted;
    if (!m_blob_open) return StoreError::InvalidState;
    if (length > MaxObjectSize - m_blob_size) {
        m_blob_open = false;
        return StoreError::InvalidArgument;
    }
    m_blob_fnv.update(data, length);
    m_blob_sha.update(data, length);
    m_blob_size += length;
    auto const* p = static_cast<u8 const*>(data);
    while (length > 0) {
        usize take = sizeof(m_write_buffer) - m_blob_buffered;
        if (take > length) take = length;
        copy_bytes(m_write_buffer + m_blob_buffered, p, take);
        m_blob_buffered += u32(take);
        p += take;
        length -= take;
        if (m_blob_buffered == sizeof(m_write_buffer)) TRY(flush_blob_buffer());
    }
    return {};
}

StoreResult<BlobRef> Store::finish_blob() {
    if (!m_mounted) return StoreError::NotMounted;
    if (!m_blob_open) return StoreError::InvalidState;
    TRY(flush_blob_buffer());
    m_blob_open = false;
    BlobRef blob;
    blob.size = m_blob_size;
    m_blob_sha.finish(blob.hash.bytes);
    u32 existing = find_blob(blob.hash);
    if (existing != NoIndex) return m_blobs[existing];
    if (m_blob_count == MaxBlobs) return StoreError::IndexFull;

    RecordHeader header;
    header.kind = RecordKind::Blob;
    header.sequence = m_records_written + 1;
    header.payload_length = m_blob_size;
    header.payload_checksum = m_blob_fnv.digest();
    header.hash = blob.hash;
    u8 sector[SectorSize];
    disk::encode_record_header(header, sector);
    TRY(write_sectors(m_blob_sector, 1, sector));
    blob.sector = m_blob_sector;
    m_cursor = m_blob_next;
    ++m_records_written;
    m_chain_written = chain_next(m_chain_written, header.header_checksum);
    m_blobs[m_blob_count++] = blob;
    return blob;
}

void Store::abandon_blob() { m_blob_open = false; }

StoreResult<BlobRef> Store::write_blob(void const* data, usize length) {
    TRY(begin_blob());
    TRY(append_blob(data, length));
    return finish_blob();
}

bool Store::is_staged(char const* name, usize length) const {
    for (u32 i = 0; i < m_staged_count; ++i)
        if (m_staged[i].meta.name.equals(name, length)) return true;
    return false;
}

StoreResult<void> Store::stage(Staged const& staged) {
    if (is_staged(staged.meta.name.c_str(), staged.meta.name.length())) return StoreError::InvalidArgument;
    if (m_staged_count == MaxStaged) return StoreError::IndexFull;
    m_staged[m_staged_count++] = staged;
    return {};
}

StoreResult<void> Store::stage_put(PutSpec const& spec, BlobRef const& blob) {
    if (!m_mounted) return StoreError::NotMounted;
    if (spec.name == nullptr || spec.creator == nullptr || spec.tag_count > MaxTags) return StoreError::InvalidArgument;
    u32 known = find_blob(blob.hash);
    if (known == NoIndex || m_blobs[known].sector != blob.sector || m_blobs[known].size != blob.size)
        return StoreError::InvalidArgument;
    Staged staged{ChangeKind::Put, Metadata{}, blob.sector, 0};
    Metadata& meta = staged.meta;
    auto name = ObjectName::from(spec.name);
    auto creator = CreatorName::from(spec.creator);
    if (!name || !creator || !is_valid_name(spec.name, name.value().length()) ||
        !is_valid_name(spec.creator, creator.value().length()) || u8(spec.essence) >= EssenceCount)
        return StoreError::InvalidArgument;
    meta.name = name.value();
    meta.creator = creator.value();
    meta.essence = spec.essence;
    for (u8 i = 0; i < spec.tag_count; ++i) {
        Tag const& tag = spec.tags[i];
        if (!is_valid_tag_key(tag.key.c_str(), tag.key.length()) ||
            !is_valid_name(tag.value.c_str(), tag.value.length()))
            return StoreError::InvalidArgument;
        for (u8 j = 0; j < i; ++j)
            if (spec.tags[j].key == tag.key) return StoreError::InvalidArgument;
        meta.tags[i] = tag;
    }
    meta.tag_count = spec.tag_count;
    meta.size = blob.size;
    meta.hash = blob.hash;
    auto current = find_current(meta.name.c_str(), meta.name.length());
    meta.created = current ? m_versions[current.value()].meta.created : NewObject;
    return stage(staged);
}

StoreResult<void> Store::stage_remove(char const* name, usize length) {
    if (!m_mounted) return StoreError::NotMounted;
    u32 current = TRY(find_current(name, length));
    Version const& v = m_versions[current];
    return stage(Staged{ChangeKind::Remove, v.meta, v.blob_sector, 0});
}

StoreResult<void> Store::stage_restore(char const* name, usize length, u32 number) {
    if (!m_mounted) return StoreError::NotMounted;
    u32 index = TRY(find_version(name, length, number));
    Version const& v = m_versions[index];
    if (v.is_removal()) return StoreError::InvalidArgument;
    Staged staged{ChangeKind::Restore, v.meta, v.blob_sector, number};
    auto current = find_current(name, length);
    if (current) staged.meta.created = m_versions[current.value()].meta.created;
    return stage(staged);
}

void Store::discard_staged() {
    m_staged_count = 0;
    m_blob_open = false;
    if (!m_mounted) return;
    m_cursor = m_superblock.log_end;
    m_records_written = m_superblock.record_count;
    m_chain_written = m_superblock.chain;
    m_blob_count = m_committed_blobs;
}

usize Store::encode_commit(char const* author, u64 time, char const* message, u8* out) const {
    Writer w{out};
    usize author_length = string_length(author);
    usize message_length = string_length(message);
    w.byte(u8(author_length));
    w.bytes(author, author_length);
    w.u64_(time);
    w.u16_(u16(message_length));
    w.bytes(message, message_length);
    w.u16_(u16(m_staged_count));
    for (u32 i = 0; i < m_staged_count; ++i) {
        Staged const& s = m_staged[i];
        Metadata meta = s.meta;
        if (meta.created == NewObject) meta.created = time;
        write_change(w, s.kind, meta, s.blob_sector, s.restored_from);
    }
    return w.position;
}

bool Store::index_takes(u32 changes, u32 new_objects) const {
    return m_commit_count < MaxCommits && m_version_count + changes <= MaxVersions &&
           m_object_count + new_objects <= MaxObjects;
}

StoreResult<u32> Store::commit(char const* author, u64 time, char const* message) {
    if (!m_mounted) return StoreError::NotMounted;
    if (m_blob_open) return StoreError::InvalidState;
    if (m_staged_count == 0) return StoreError::NothingStaged;
    if (author == nullptr || message == nullptr) return StoreError::InvalidArgument;
    usize author_length = string_length(author);
    usize message_length = string_length(message);
    if (author_length > MaxCreatorLength || !is_valid_name(author, author_length) ||
        message_length > MaxMessageLength || !is_valid_message(message, message_length))
        return StoreError::InvalidArgument;
    // Refused before anything is written: a commit on disk that the index cannot take would make every later
    // mount fail (apply_commit counts the same way).
    u32 new_objects = 0;
    for (u32 i = 0; i < m_staged_count; ++i) {
        Metadata const& meta = m_staged[i].meta;
        if (find_object(meta.name.c_str(), meta.name.length()) == NoIndex) ++new_objects;
    }
    if (!index_takes(m_staged_count, new_objects)) return StoreError::IndexFull;

    fill_bytes(m_commit_buffer, 0, CommitBufferBytes);
    usize length = encode_commit(author, time, message, m_commit_buffer);
    RecordHeader header;
    header.kind = RecordKind::Commit;
    header.sequence = m_records_written + 1;
    header.payload_length = length;
    Fnv1a64 fnv;
    fnv.update(m_commit_buffer, length);
    header.payload_checksum = fnv.digest();
    u64 const sector = m_cursor;
    u64 const sectors = disk::record_sectors(length);
    if (sectors > m_total_sectors - sector) return StoreError::NoSpace;
    u8 block[SectorSize];
    disk::encode_record_header(header, block);

    disk::Superblock next = m_superblock;
    next.generation = m_superblock.generation + 1;
    next.log_end = sector + sectors;
    next.record_count = m_records_written + 1;
    next.commit_count = m_superblock.commit_count + 1;
    next.last_commit_sector = sector;
    next.chain = chain_next(m_chain_written, header.header_checksum);

    // The log first, flushed; only then the superblock that makes it visible, flushed.
    bool written = m_device.write(sector, 1, block) && m_device.write(sector + 1, u32(sectors - 1), m_commit_buffer) &&
                   m_device.flush();
    if (written) {
        disk::encode_superblock(next, block);
        written = m_device.write(next.generation % disk::SuperblockSlots, 1, block) && m_device.flush();
    }
    if (!written) {
        m_mounted = false;
        m_staged_count = 0;
        return StoreError::Io;
    }
    auto applied = apply_commit(m_commit_buffer, length, sector, m_commit_count + 1);
    if (!applied) {
        // The commit encoded by this store did not read back: a bug, not a disk problem. Mount again to know.
        m_mounted = false;
        m_problem = Problem{sector, "a commit written by this store did not apply"};
        return applied.error();
    }
    m_superblock = next;
    m_cursor = next.log_end;
    m_records_written = next.record_count;
    m_chain_written = next.chain;
    m_committed_blobs = m_blob_count;
    m_staged_count = 0;
    return m_commit_count;
}

StoreResult<u32> Store::find_current(char const* name, usize length) const {
    if (!m_mounted) return StoreError::NotMounted;
    u32 object = find_object(name, length);
    if (object == NoIndex || m_versions[m_objects[object]].is_removal()) return StoreError::NotFound;
    return m_objects[object];
}

StoreResult<u32> Store::find_newest(char const* name, usize length) const {
    u32 object = find_object(name, length);
    if (object == NoIndex) return StoreError::NotFound;
    return m_objects[object];
}

StoreResult<u32> Store::find_version(char const* name, usize length, u32 number) const {
    u32 object = find_object(name, length);
    if (object == NoIndex) return StoreError::NotFound;
    for (u32 v = m_objects[object]; v != NoIndex; v = m_versions[v].previous)
        if (m_versions[v].number == number) return v;
    return StoreError::NotFound;
}

StoreResult<u64> Store::read(u32 index, u64 offset, void* buffer, u64 length) {
    if (!m_mounted) return StoreError::NotMounted;
    if (index >= m_version_count || m_versions[index].is_removal()) return StoreError::NotFound;
    Version const& v = m_versions[index];
    if (offset >= v.meta.size) return u64(0);
    if (length > v.meta.size - offset) length = v.meta.size - offset;
    auto* out = static_cast<u8*>(buffer);
    u64 done = 0;
    while (done < length) {
        u64 position = offset + done;
        u64 first = v.blob_sector + 1 + position / SectorSize;
        u64 skip = position % SectorSize;
        u64 want = length - done;
        u64 sectors = (skip + want + SectorSize - 1) / SectorSize;
        if (sectors > IoSectors) sectors = IoSectors;
        if (!m_device.read(first, u32(sectors), m_read_buffer)) return StoreError::Io;
        u64 available = sectors * SectorSize - skip;
        u64 take = want < available ? want : available;
        copy_bytes(out + done, m_read_buffer + skip, take);
        done += take;
    }
    return done;
}

} // namespace grove::worldtree

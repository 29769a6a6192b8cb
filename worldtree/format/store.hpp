#pragma once
#include <core/base/hash.hpp>
#include <core/base/result.hpp>
#include <core/base/std.hpp>
#include <worldtree/format/block_device.hpp>
#include <worldtree/format/disk_layout.hpp>
#include <worldtree/format/object.hpp>
#include <worldtree/format/sha256.hpp>

namespace grove::worldtree {

enum class StoreError : u8 {
    InvalidArgument, // a name, tag, message or size that the format does not accept, or a duplicate in one commit
    NotFound,        // no such object or version
    NotMounted,      // mount first (or again: an I/O error during a commit unmounts the store)
    InvalidState,    // a blob is being written, or none is
    NoSpace,         // the device is full
    IndexFull,       // one of the in-memory tables (objects, versions, commits, blobs, staged changes) is full
    NothingStaged,   // a commit without changes
    Io,              // the device reported an error
    Corrupt,         // the image is not a World-Tree store, or is damaged (problem() says where)
};

constexpr char const* store_error_name(StoreError e) {
    switch (e) {
    case StoreError::InvalidArgument: return "InvalidArgument";
    case StoreError::NotFound: return "NotFound";
    case StoreError::NotMounted: return "NotMounted";
    case StoreError::InvalidState: return "InvalidState";
    case StoreError::NoSpace: return "NoSpace";
    case StoreError::IndexFull: return "IndexFull";
    case StoreError::NothingStaged: return "NothingStaged";
    case StoreError::Io: return "Io";
    case StoreError::Corrupt: return "Corrupt";
    }
    return "?";
}

template<typename T>
using StoreResult = Result<T, StoreError>;

inline constexpr u32 NoIndex = 0xffffffff;

// The capacities of the index that mount rebuilds (no heap: a Store holds them inline).
inline constexpr u32 MaxObjects = 256;
inline constexpr u32 MaxVersions = 512;
inline constexpr u32 MaxCommits = 512;
inline constexpr u32 MaxBlobs = 512;
inline constexpr u32 MaxStaged = 16; // changes in one commit
inline constexpr u32 IoSectors = 8;  // sectors moved per device call when streaming a blob

struct BlobRef {
    ContentHash hash;
    u64 sector = 0; // the blob record's header sector
    u64 size = 0;
};

// One version of one object: what a change of some commit made of it.
struct Version {
    Metadata meta; // for a Remove: the metadata of the version it removed
    disk::ChangeKind kind = disk::ChangeKind::Put;
    u32 number = 0;         // 1, 2, ... per object
    u32 commit = 0;         // index into the commits
    u32 previous = NoIndex; // the object's version before this one
    u32 restored_from = 0;  // Restore: the version number whose content and metadata came back
    u64 blob_sector = 0;

    bool is_removal() const { return kind == disk::ChangeKind::Remove; }
};

struct CommitInfo {
    u32 number = 0; // 1, 2, ...
    CreatorName author;
    u64 time = 0;
    CommitMessage message;
    u32 first_version = 0; // its changes are versions [first_version, first_version + change_count)
    u32 change_count = 0;
    u64 sector = 0;
};

// What a Put stages: the object's metadata apart from times, size and hash, which the store fills in.
struct PutSpec {
    char const* name = nullptr;
    Essence essence = Essence::Scroll;
    char const* creator = nullptr;
    Tag tags[MaxTags];
    u8 tag_count = 0;
};

// The result of a mount: what the log held. check() also verifies every blob's SHA-256 against its address.
struct MountReport {
    u64 generation = 0;
    u32 valid_superblocks = 0;
    u64 log_end = 0;
    u64 records = 0;
    u64 blobs = 0;
    u64 commits = 0;
    u64 blob_bytes = 0;
};

// Where the image first failed a check: a sector and a sentence (static text).
struct Problem {
    u64 sector = 0;
    char const* what = nullptr;
};

enum class Verification : u8 { Checksums, Content };

// A World-Tree store on a BlockDevice: the index of every object, version, commit and blob, rebuilt from the log at
// mount, and the staging area of the next commit. Invariant: while mounted, the index holds exactly the records
// below the newest valid superblock's log_end; anything written after it (staged blobs, a commit being written) is
// not visible until commit() has flushed the log and then the next superblock. The Store does not own the device.
class Store {
public:
    explicit Store(BlockDevice& device) : m_device(device) {}
    Store(Store const&) = delete;
    Store& operator=(Store const&) = delete;

    // Makes an empty store on the whole device (both superblocks written and flushed). Unmounts this store.
    StoreResult<void> format();
    // Reads both superblocks, takes the newest intact one and replays the log below its log_end into the index.
    // Corrupt (problem() names the sector) when no superblock is intact or the log does not match it.
    StoreResult<MountReport> mount(Verification verification = Verification::Checksums);
    // fsck: a mount that also hashes every blob. The store stays mounted when the check passes.
    StoreResult<MountReport> check() { return mount(Verification::Content); }
    bool is_mounted() const { return m_mounted; }
    Problem problem() const { return m_problem; }

    // Streams one blob into the log after the last record: begin, append any number of times, finish. A blob whose
    // content the store already holds is not written twice: finish returns the existing one.
    StoreResult<void> begin_blob();
    StoreResult<void> append_blob(void const* data, usize length);
    StoreResult<BlobRef> finish_blob();
    void abandon_blob();
    StoreResult<BlobRef> write_blob(void const* data, usize length);

    // Stage the changes of the next commit. Put: `blob` from finish_blob/write_blob. Remove: the object must exist.
    // Restore: version `number` of the object comes back as its newest version.
    StoreResult<void> stage_put(PutSpec const& spec, BlobRef const& blob);
    StoreResult<void> stage_remove(char const* name, usize length);
    StoreResult<void> stage_restore(char const* name, usize length, u32 number);
    // Forgets the staged changes and the blobs written since the last commit.
    void discard_staged();
    u32 staged_count() const { return m_staged_count; }
    // Writes the commit record, flushes, writes the next superblock, flushes. Returns the commit's number. On an
    // I/O error the store unmounts itself (whether the commit reached the disk is known only after a new mount).
    StoreResult<u32> commit(char const* author, u64 time, char const* message);

    // The index. Versions and commits are numbered by index (0..count-1); objects by index too.
    u32 object_count() const { return m_object_count; }
    u32 object_latest(u32 object) const { return m_objects[object]; }
    u32 version_count() const { return m_version_count; }
    Version const& version(u32 index) const { return m_versions[index]; }
    u32 commit_count() const { return m_commit_count; }
    CommitInfo const& commit_info(u32 index) const { return m_commits[index]; }
    // The newest version of a live object (NotFound when absent or removed), or version `number` of it.
    StoreResult<u32> find_current(char const* name, usize length) const;
    StoreResult<u32> find_version(char const* name, usize length, u32 number) const;
    // The newest version of an object, a removal included (NotFound when the store never held it); its history runs
    // from there through Version::previous, newest first, down to version 1.
    StoreResult<u32> find_newest(char const* name, usize length) const;
    // Copies up to `length` bytes of version `index` from `offset`; returns how many (0 at the end).
    StoreResult<u64> read(u32 index, u64 offset, void* buffer, u64 length);

private:
    struct Staged {
        disk::ChangeKind kind;
        Metadata meta;
        u64 blob_sector;
        u32 restored_from;
    };
    struct Scan;

    StoreResult<void> fail(u64 sector, char const* what);
    // Whether the index can take one more commit of `changes` changes that names `new_objects` objects it lacks.
    bool index_takes(u32 changes, u32 new_objects) const;
    StoreResult<void> write_sectors(u64 lba, u32 count, void const* buffer);
    StoreResult<void> flush_blob_buffer();
    StoreResult<void> append_record(disk::RecordHeader& header, u8 const* payload, u64 sector);
    StoreResult<void> apply_commit(u8 const* payload, usize length, u64 sector, u32 number);
    StoreResult<void> scan_record(Scan& scan, Verification verification);
    u32 find_object(char const* name, usize length) const;
    u32 find_blob(ContentHash const& hash) const;
    bool is_staged(char const* name, usize length) const;
    StoreResult<void> stage(Staged const& staged);
    usize encode_commit(char const* author, u64 time, char const* message, u8* out) const;

    BlockDevice& m_device;
    bool m_mounted = false;
    Problem m_problem;
    disk::Superblock m_superblock;
    u64 m_total_sectors = 0;

    // The write cursor: the first sector after the last record written (committed or not).
    u64 m_cursor = 0;
    u64 m_records_written = 0; // records below m_cursor
    u64 m_chain_written = 0;   // the chain over them

    // The blob being streamed.
    bool m_blob_open = false;
    u64 m_blob_sector = 0;
    u64 m_blob_size = 0;
    u64 m_blob_next = 0; // the next data sector to write
    Fnv1a64 m_blob_fnv;
    Sha256 m_blob_sha;
    u32 m_blob_buffered = 0; // bytes in m_write_buffer
    u32 m_committed_blobs = 0;

    u32 m_objects[MaxObjects]{};
    u32 m_object_count = 0;
    Version m_versions[MaxVersions];
    u32 m_version_count = 0;
    CommitInfo m_commits[MaxCommits];
    u32 m_commit_count = 0;
    BlobRef m_blobs[MaxBlobs];
    u32 m_blob_count = 0;
    Staged m_staged[MaxStaged];
    u32 m_staged_count = 0;

    u8 m_write_buffer[IoSectors * SectorSize]{};
    u8 m_read_buffer[IoSectors * SectorSize]{};
    static constexpr usize CommitBufferBytes = 16 * SectorSize;
    u8 m_commit_buffer[CommitBufferBytes]{};
};

} // namespace grove::worldtree

// world_tree [format]
//
// World-Tree: the versioned, content-addressed store (worldtree/FORMAT.md) as a grove, on the disk the `ata` driver
// grove serves (block_protocol.hpp), to clients over IPC (worldtree_protocol.hpp). At start it asks ata for the
// disk's size and mounts the store, rebuilding the index from the log; with `format` it makes an empty store first
// when the disk holds none (never over a damaged one: a mount that fails otherwise ends the grove with 1). Sectors
// move to and from ata through one copy grant of a 64 KiB buffer. A content written to a handle stays in the
// content pool (768 KiB for every handle together) until its client commits: the commit writes the client's blobs and
// the commit record in one go, so
// between requests nothing uncommitted is in the store, one client's failed commit drops only what that commit
// wrote, and a close gives back everything the handle held. Every request is checked and answered with a status,
// never a crash; a disk failure unmounts the store, which is mounted again at the next request. A stop request of
// the kernel makes it exit 0.
#include <groves/programs/block_protocol.hpp>
#include <groves/programs/worldtree_protocol.hpp>
#include <groves/runtime/serve.hpp>
#include <worldtree/format/query.hpp>
#include <worldtree/format/store.hpp>

using namespace grove;
using namespace grove::rt;
namespace wt = grove::worldtree;
namespace proto = grove::worldtree_protocol;

namespace {

constexpr u64 MaxRetries = 64;
constexpr u64 LookupPause = 100'000;
constexpr u32 MaxHandles = 32;

u8 g_io[block::MaxSectors * block::SectorSize];

// The disk, through ata: sector runs of up to MaxSectors through the grant of g_io.
class AtaDevice final : public wt::BlockDevice {
public:
    // Looks ata up, asks for the disk's size and grants g_io to it; false when any of that fails.
    bool connect() {
        long const handle = lookup_service(block::ServiceName, MaxRetries, LookupPause);
        if (handle < 0) return false;
        m_ata = static_cast<u64>(handle);
        block::Reply info = call({block::OpInfo, 0, 0, 0});
        if (info.status != 0) return false;
        m_sectors = info.value;
        long const grant = sys_grant_create(g_io, sizeof g_io, m_ata_id, abi::GrantRead | abi::GrantWrite);
        if (grant < 0) return false;
        m_grant = static_cast<u64>(grant);
        return true;
    }
    u64 sector_count() const override { return m_sectors; }
    bool read(u64 lba, u32 count, void* buffer) override {
        auto* out = static_cast<u8*>(buffer);
        while (count > 0) {
            u32 run = count < block::MaxSectors ? count : block::MaxSectors;
            if (call({block::OpRead, run, lba, m_grant}).status != 0) return false;
            memcpy(out, g_io, usize(run) * block::SectorSize);
            out += usize(run) * block::SectorSize;
            lba += run;
            count -= run;
        }
        return true;
    }
    bool write(u64 lba, u32 count, void const* buffer) override {
        auto const* in = static_cast<u8 const*>(buffer);
        while (count > 0) {
            u32 run = count < block::MaxSectors ? count : block::MaxSectors;
            memcpy(g_io, in, usize(run) * block::SectorSize);
            if (call({block::OpWrite, run, lba, m_grant}).status != 0) return false;
            in += usize(run) * block::SectorSize;
            lba += run;
            count -= run;
        }
        return true;
    }
    bool flush() override { return call({block::OpFlush, 0, 0, 0}).status == 0; }

private:
    block::Reply call(block::Request const& r) {
        abi::Message message{};
        message.header.tag = block::TagBlock;
        set_payload(message, r);
        abi::Message reply{};
        long const called = sys_call(m_ata, &message, &reply, abi::WaitForever);
        if (called < 0) return {called, 0};
        m_ata_id = reply.header.sender;
        return payload_of<block::Reply>(reply);
    }

    u64 m_ata = 0;
    u32 m_ata_id = 0;
    u64 m_grant = 0;
    u64 m_sectors = 0;
};

// A client: one incarnation of a grove (a respawned client does not inherit its predecessor's handles).
struct Client {
    u32 id = 0;
    u16 generation = 0;
    bool operator==(Client const&) const = default;
};

// An open object of one client: its name, the version it reads, and a content written but not yet committed, held
// in the content pool (g_pool) until the client's commit writes it.
struct Handle {
    bool in_use = false;
    Client owner;
    u64 issued = 0; // the handle the kernel put in the owner's table for it (HandleIssue)
    wt::ObjectName name;
    u32 version = wt::NoIndex; // the version read (NoIndex: none yet)
    bool has_content = false;
    u64 content_offset = 0; // in g_pool
    u64 content_length = 0;
    wt::Essence essence = wt::Essence::Scroll;
};

AtaDevice g_device;
alignas(wt::Store) u8 g_store_storage[sizeof(wt::Store)];
wt::Store* g_store = nullptr;
Handle g_handles[MaxHandles];
// The contents written and not yet committed, packed from the start in no particular order: [0, g_pool_used).
constexpr u64 ContentPoolBytes = 768 * 1024;
u8 g_pool[ContentPoolBytes];
u64 g_pool_used = 0;
char g_text[proto::MaxTextLength + 1];
u8 g_chunk[4096];

using proto::Reply;
using proto::Request;

Reply status(long s) { return {s, 0, 0}; }

long store_status(wt::StoreError e) {
    switch (e) {
    case wt::StoreError::InvalidArgument:
    case wt::StoreError::NothingStaged: return -abi::StatusInvalidArgument;
    case wt::StoreError::NotFound: return -abi::StatusNotFound;
    case wt::StoreError::NoSpace:
    case wt::StoreError::IndexFull: return -abi::StatusNoCapacity;
    default: return -abi::StatusInvalidState;
    }
}

// Copies the request's text (at most MaxTextLength bytes) from its grant into g_text; 0 or -(status).
long fetch_text(Request const& r, u64 length) {
    if (length == 0 || length > proto::MaxTextLength) return -abi::StatusInvalidArgument;
    long const copied = sys_grant_copy_from(r.grant, 0, g_text, length);
    if (copied < 0) return copied;
    g_text[length] = '\0';
    for (u64 i = 0; i < length; ++i)
        if (g_text[i] == '\0') return -abi::StatusInvalidArgument;
    return 0;
}

// Gives the pool's room that h's content held back (the contents after it move down).
void drop_content(Handle& h) {
    if (!h.has_content) return;
    u64 const end = h.content_offset + h.content_length;
    memmove(g_pool + h.content_offset, g_pool + end, g_pool_used - end);
    for (Handle& other : g_handles)
        if (other.has_content && other.content_offset > h.content_offset) other.content_offset -= h.content_length;
    g_pool_used -= h.content_length;
    h.has_content = false;
    h.content_length = 0;
}

// Frees a handle and everything it held.
void release(Handle& h) {
    drop_content(h);
    h = Handle{};
}

// Whether the owner still holds the kernel handle issued for `h`: a client that closed it (HandleClose) or whose
// incarnation ended no longer does, and the handle, with its content, is released here too.
bool is_held(Handle& h) {
    if (sys_handle_issued(h.owner.id, h.issued, false) == 0) return true;
    release(h);
    return false;
}

Handle* handle_of(Request const& r, Client client) {
    if (r.handle == 0 || r.handle > MaxHandles) return nullptr;
    Handle& h = g_handles[r.handle - 1];
    return h.in_use && h.owner == client && is_held(h) ? &h : nullptr;
}

Handle* free_handle() {
    for (Handle& h : g_handles)
        if (!h.in_use) return &h;
    return nullptr;
}

Reply open(Request const& r, Client client) {
    if (long const f = fetch_text(r, r.length); f < 0) return status(f);
    u64 const length = r.length;
    if (!wt::is_valid_name(g_text, length) || length > wt::MaxNameLength) return status(-abi::StatusInvalidArgument);
    u32 version = wt::NoIndex;
    if (r.value != 0 || g_store->find_current(g_text, length)) {
        auto found = r.value == 0 ? g_store->find_current(g_text, length)
                                  : g_store->find_version(g_text, length, static_cast<u32>(r.value));
        if (!found || r.value > 0xffffffffu) return status(-abi::StatusNotFound);
        version = found.value();
    }
    Handle* h = free_handle();
    if (h == nullptr) {
        // The handles of clients that closed them or ended are given back first.
        for (Handle& held : g_handles)
            if (held.in_use) (void)is_held(held);
        h = free_handle();
    }
    if (h == nullptr) return status(-abi::StatusNoCapacity);
    // The kernel counts the handle against the client's file_handles limit: LimitExceeded at it.
    long const issued = sys_handle_issue();
    if (issued < 0) return status(issued);
    *h = Handle{};
    h->in_use = true;
    h->owner = client;
    h->issued = static_cast<u64>(issued);
    h->name = wt::ObjectName::from(g_text, length).value();
    h->version = version;
    u64 size =
        version == wt::NoIndex || g_store->version(version).is_removal() ? 0 : g_store->version(version).meta.size;
    return {0, static_cast<u64>(h - g_handles) + 1, size, static_cast<u64>(issued)};
}

Reply read(Request const& r, Handle& h) {
    if (h.version == wt::NoIndex) return status(-abi::StatusNotFound);
    u64 done = 0;
    while (done < r.length) {
        u64 want = r.length - done < sizeof g_chunk ? r.length - done : sizeof g_chunk;
        auto n = g_store->read(h.version, r.offset + done, g_chunk, want);
        if (!n) return status(store_status(n.error()));
        if (n.value() == 0) break;
        long const copied = sys_grant_copy_to(r.grant, done, g_chunk, n.value());
        if (copied < 0) return status(copied);
        done += n.value();
    }
    return {0, done, 0};
}

// Takes the content into the pool, in place of the handle's previous one; the store sees it only at the client's
// commit. NoCapacity when the pool has no room for it; a refused copy leaves the handle without content.
Reply write(Request const& r, Handle& h) {
    if (r.value >= wt::EssenceCount || r.length > proto::MaxContentLength) return status(-abi::StatusInvalidArgument);
    drop_content(h);
    if (r.length > ContentPoolBytes - g_pool_used) return status(-abi::StatusNoCapacity);
    if (r.length > 0) {
        long const copied = sys_grant_copy_from(r.grant, 0, g_pool + g_pool_used, r.length);
        if (copied < 0) return status(copied);
    }
    h.has_content = true;
    h.content_offset = g_pool_used;
    h.content_length = r.length;
    g_pool_used += r.length;
    h.essence = static_cast<wt::Essence>(r.value);
    return {0, 0, 0};
}

// Splits g_text into "author message"; false when there is no author.
bool author_and_message(char const*& message) {
    usize space = 0;
    while (g_text[space] != '\0' && g_text[space] != ' ') ++space;
    if (space == 0 || space > wt::MaxCreatorLength) return false;
    message = g_text[space] == '\0' ? g_text + space : g_text + space + 1;
    g_text[space] = '\0';
    return true;
}

// Between requests the store holds nothing staged and no blob after its committed log (every content waits in its
// handle), so what discard_staged() drops on a failure is only what this request wrote.
Reply commit_staged(char const* author, u64 time, char const* message) {
    auto committed = g_store->commit(author, time, message);
    if (!committed) {
        g_store->discard_staged();
        return status(store_status(committed.error()));
    }
    return {0, committed.value(), 0};
}

// Writes the blobs of this client's contents and stages their puts; on a failure drops what it wrote.
long stage_contents(Client client) {
    for (Handle& h : g_handles) {
        if (!h.in_use || h.owner != client || !h.has_content || !is_held(h)) continue;
        auto blob = g_store->write_blob(g_pool + h.content_offset, h.content_length);
        wt::PutSpec spec;
        spec.name = h.name.c_str();
        spec.essence = h.essence;
        spec.creator = g_text;
        auto staged = blob ? g_store->stage_put(spec, blob.value()) : wt::StoreResult<void>(blob.error());
        if (!staged) {
            g_store->discard_staged();
            return store_status(staged.error());
        }
    }
    return 0;
}

Reply commit(Request const& r, Client client) {
    if (long const f = fetch_text(r, r.length); f < 0) return status(f);
    char const* message = nullptr;
    if (!author_and_message(message)) return status(-abi::StatusInvalidArgument);
    if (long const staged = stage_contents(client); staged < 0) return status(staged);
    Reply reply = commit_staged(g_text, r.value, message);
    if (reply.status != 0) return reply;
    for (Handle& h : g_handles) {
        if (!h.in_use || h.owner != client || !h.has_content) continue;
        drop_content(h);
        h.version = g_store->find_current(h.name.c_str(), h.name.length()).value();
    }
    return reply;
}

Reply history(Request const& r, Handle& h) {
    auto newest = g_store->find_newest(h.name.c_str(), h.name.length());
    if (!newest) return status(-abi::StatusNotFound);
    u64 count = 0, copied_bytes = 0;
    for (u32 v = newest.value(); v != wt::NoIndex; v = g_store->version(v).previous, ++count) {
        wt::Version const& version = g_store->version(v);
        proto::HistoryEntry entry{version.number,
                                  static_cast<u32>(version.kind),
                                  g_store->commit_info(version.commit).time,
                                  version.meta.size,
                                  g_store->commit_info(version.commit).number,
                                  version.restored_from};
        if (copied_bytes + sizeof entry > r.length) continue;
        long const copied = sys_grant_copy_to(r.grant, copied_bytes, &entry, sizeof entry);
        if (copied < 0) return status(copied);
        copied_bytes += sizeof entry;
    }
    return {0, count, copied_bytes};
}

Reply restore(Request const& r, Handle& h) {
    if (long const f = fetch_text(r, r.length); f < 0) return status(f);
    char const* message = nullptr;
    if (!author_and_message(message) || r.value == 0 || r.value > 0xffffffffu)
        return status(-abi::StatusInvalidArgument);
    if (auto staged = g_store->stage_restore(h.name.c_str(), h.name.length(), static_cast<u32>(r.value)); !staged)
        return status(store_status(staged.error()));
    Reply reply = commit_staged(g_text, r.offset, message);
    if (reply.status == 0) h.version = g_store->find_current(h.name.c_str(), h.name.length()).value();
    return reply;
}

Reply query(Request const& r) {
    if (r.value > r.length) return status(-abi::StatusInvalidArgument);
    if (long const f = fetch_text(r, r.value); f < 0) return status(f);
    auto parsed = wt::Query::parse(g_text, r.value);
    if (!parsed) return {-abi::StatusInvalidArgument, 0, parsed.error().column};
    u64 matches = 0, written = 0;
    for (u32 object = 0; object < g_store->object_count(); ++object) {
        wt::Version const& v = g_store->version(g_store->object_latest(object));
        if (v.is_removal() || !parsed.value().matches(v.meta)) continue;
        ++matches;
        u64 const length = v.meta.name.length();
        if (written + length + 1 > r.length) continue;
        memcpy(g_chunk, v.meta.name.c_str(), length);
        g_chunk[length] = '\n';
        long const copied = sys_grant_copy_to(r.grant, written, g_chunk, length + 1);
        if (copied < 0) return status(copied);
        written += length + 1;
    }
    return {0, matches, written};
}

void close_handle(Handle& h) {
    (void)sys_handle_issued(h.owner.id, h.issued, true);
    release(h);
}

Reply check() {
    auto checked = g_store->check();
    if (!checked) {
        wt::Problem p = g_store->problem();
        print("world-tree: check: %s at sector %lu: %s\n", wt::store_error_name(checked.error()), p.sector,
              p.what != nullptr ? p.what : "");
        return {-abi::StatusInvalidState, 0, p.sector};
    }
    return {0, checked.value().commits, g_store->object_count()};
}

bool mount(bool format) {
    auto mounted = g_store->mount();
    if (!mounted && format && g_store->problem().sector == 0 && mounted.error() == wt::StoreError::Corrupt) {
        print("world-tree: no store on the disk: making an empty one\n");
        if (!g_store->format()) return false;
        mounted = g_store->mount();
    }
    if (!mounted) {
        wt::Problem p = g_store->problem();
        print("world-tree: mount failed: %s at sector %lu: %s\n", wt::store_error_name(mounted.error()), p.sector,
              p.what != nullptr ? p.what : "");
        return false;
    }
    print("world-tree: mounted generation %lu: %lu commits, %u objects\n", mounted.value().generation,
          mounted.value().commits, g_store->object_count());
    return true;
}

Reply serve(Request const& r, Client client) {
    if (!g_store->is_mounted() && !mount(false)) return status(-abi::StatusInvalidState);
    switch (r.op) {
    case proto::OpOpen: return open(r, client);
    case proto::OpCommit: return commit(r, client);
    case proto::OpQuery: return query(r);
    case proto::OpCheck: return check();
    case proto::OpRead:
    case proto::OpWrite:
    case proto::OpHistory:
    case proto::OpRestore:
    case proto::OpClose: break;
    default: return status(-abi::StatusInvalidArgument);
    }
    Handle* h = handle_of(r, client);
    if (h == nullptr) return status(-abi::StatusBadHandle);
    switch (r.op) {
    case proto::OpRead: return read(r, *h);
    case proto::OpWrite: return write(r, *h);
    case proto::OpHistory: return history(r, *h);
    case proto::OpRestore: return restore(r, *h);
    default: close_handle(*h); return {0, 0, 0};
    }
}

} // namespace

int main(int argc, char** argv) {
    bool const format = argc == 2 && is_mode(argument(argc, argv, 1, ""), "format");
    if (argc > 2 || (argc == 2 && !format)) usage("world_tree [format]");
    if (!g_device.connect()) {
        print("world-tree: the ata grove does not serve the disk\n");
        return 1;
    }
    g_store = new (g_store_storage) wt::Store(g_device);
    if (!mount(format)) return 1;
    return serve_calls("world-tree", [](abi::Message const& request, abi::Message& reply) {
        reply.header.tag = proto::TagWorldTree;
        set_payload(reply, request.header.tag == proto::TagWorldTree
                               ? serve(payload_of<Request>(request),
                                       Client{request.header.sender, request.header.sender_generation})
                               : status(-abi::StatusInvalidArgument));
    });
}

#pragma once
// The protocol of the world-tree grove (world_tree.cpp), World-Tree's store over the ata driver (worldtree/FORMAT.md),
// shared with its clients (wtclient.cpp). A client Calls the grove named "world-tree" with a message of tag
// TagWorldTree whose payload is a Request; names, texts and data move only through copy grants made to world-tree's
// grove id (the `sender` of its replies). Every Call gets a Reply (tag TagWorldTree):
//
//   op         fields used                           what world-tree does                          Reply value, extra
//   OpOpen     grant (read) of `length` bytes:       a handle on version `value` of the object    handle, its size
//              the name; value: version (0 newest)   (a name not yet stored opens empty: write it);
//                                                    Reply.issued: the kernel handle that stands for it
//                                                    in the client's table (HandleIssue), counted
//                                                    against its file_handles limit
//   OpRead     handle, grant (write), offset, length copies the version's bytes to the grant      bytes copied
//   OpWrite    handle, grant (read), length,         takes `length` bytes as the handle's next     0
//              value: essence (0..5)                 content, held in the handle until OpCommit
//                                                    (the store sees nothing of it before)
//   OpCommit   grant (read): "author message",       commits every content this client wrote       commit number
//              length; value: the commit's time      (creator: the author), one commit
//   OpHistory  handle, grant (write), length         HistoryEntry per version, newest first        versions, copied
//   OpRestore  handle, value: version, grant (read): commits version `value` back as the newest      commit number
//              "author message", offset: time
//   OpQuery    grant (read-write) of `length` bytes: writes the matching names, one per line,        matches, bytes
//              the query in its first `value` bytes  over the query (as many as fit)
//   OpClose    handle                                releases it (and a content never committed)  0
//                                                    and revokes its kernel handle; a client that
//                                                    closes that handle itself (HandleClose) or ends
//                                                    releases it as well
//   OpCheck    none                                  the store's fsck (a mount that also hashes    commits, objects
//                                                    every blob); contents written but not yet
//                                                    committed stay in their handles
//
// Reply.status is 0 on success, else -(status) of core/abi/status.hpp:
//   InvalidArgument  unknown op or tag, a name, essence, text or query the store does not accept (a query's
//                    column in Reply.extra), a length above the op's limit, a commit with nothing written
//   BadHandle        a handle that is not open, or another client's
//   NotFound         no such object or version (reading a name never written, restoring a missing version)
//   NoCapacity       every handle is open, the room for contents not yet committed (768 KiB, every client's
//                    together) is full, or the store's index or disk is full
//   LimitExceeded    OpOpen: the client holds as many handles as its file_handles limit allows (the kernel's
//                    count: `limit_exceeded` for the client)
//   InvalidState     the disk failed (world-tree mounts it again at the next request), or OpCheck found the store
//                    damaged (Reply.extra: the sector)
//   the kernel's status of a refused grant copy (BadHandle, AccessDenied, PeerClosed, InvalidArgument...)
// The commit time is the client's to state (as a version-control author date): the store's bytes then depend only
// on what the clients do, not on how long the drive took, so both targets leave the same disk.
#include <groves/runtime/runtime.hpp>

namespace grove::worldtree_protocol {

inline constexpr char const* ServiceName = "world-tree";
inline constexpr u32 TagWorldTree = 0x57545245; // "WTRE"

enum Op : u32 {
    OpOpen = 1,
    OpRead = 2,
    OpWrite = 3,
    OpCommit = 4,
    OpHistory = 5,
    OpRestore = 6,
    OpQuery = 7,
    OpClose = 8,
    OpCheck = 9,
};

inline constexpr u64 MaxTextLength = 160; // a name, "author message" or a query
inline constexpr u64 MaxContentLength = 64 * 1024;

struct Request {
    u32 op;
    u32 handle;
    u64 grant;
    u64 length;
    u64 offset;
    u64 value;
};
struct Reply {
    i64 status;
    u64 value;
    u64 extra;
    u64 issued = 0; // OpOpen: the client's kernel handle for the object
};
struct HistoryEntry {
    u32 number;
    u32 kind; // 1 put, 2 remove, 3 restore
    u64 time;
    u64 size;
    u32 commit;
    u32 restored_from;
};
static_assert(sizeof(Request) <= abi::MessagePayloadSize && sizeof(Reply) <= abi::MessagePayloadSize);

// Calls world-tree through the send handle `tree` and waits for the Reply; a refused Call is a Reply whose status is
// the kernel's. `tree_id` becomes world-tree's grove id (the reply's sender), the peer of the grants that follow.
inline Reply call(u64 tree, Request const& r, u32& tree_id) {
    abi::Message message{};
    message.header.tag = TagWorldTree;
    rt::set_payload(message, r);
    abi::Message reply{};
    long const called = rt::sys_call(tree, &message, &reply, abi::WaitForever);
    if (called < 0) return {called, 0, 0};
    tree_id = reply.header.sender;
    return rt::payload_of<Reply>(reply);
}

} // namespace grove::worldtree_protocol

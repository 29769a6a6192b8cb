#pragma once
// A World-Tree client's side of the protocol (worldtree_protocol.hpp) that more than one grove needs: the Call, a
// request carrying a grant revoked after the reply, connecting, reading a whole object and storing one. The loader
// (loader.cpp) reads images with it and forgeclient (forgeclient.cpp) reads sources and stores what the forge made.
#include <groves/programs/worldtree_protocol.hpp>

namespace grove::worldtree_protocol {

// One client's connection to world-tree: its send handle and world-tree's grove id (the peer of every grant, learnt
// from the first reply). The names it sends are copied into `text` first, so a caller may pass any string.
struct Client {
    u64 tree = 0;
    u32 tree_id = 0;
    char text[MaxTextLength]{};

    Reply call(Request const& r) { return worldtree_protocol::call(tree, r, tree_id); }

    // Calls `r` with a grant of [data, data + length) to world-tree, revoked after the reply.
    Reply call_with_grant(Request r, void const* data, usize length, u64 rights) {
        long const grant = rt::sys_grant_create(data, length, tree_id, rights);
        if (grant < 0) return {grant, 0, 0};
        r.grant = static_cast<u64>(grant);
        Reply const reply = call(r);
        rt::sys_grant_revoke(r.grant);
        return reply;
    }

    // Calls `r` with `name` granted as its text (OpOpen's name, OpCommit's "author message"); InvalidArgument for a
    // text longer than MaxTextLength.
    Reply call_with_text(Request r, char const* name) {
        usize const length = strlen(name);
        if (length > sizeof text) return {-abi::StatusInvalidArgument, 0, 0};
        memcpy(text, name, length);
        r.length = length;
        return call_with_grant(r, text, length, abi::GrantRead);
    }

    // Looks world-tree up (`attempts` tries, `pause` ticks apart) and learns its grove id with a request that needs
    // no grant. The lookup's status when world-tree cannot be found, else 0.
    long connect(u64 attempts, u64 pause) {
        long const handle = rt::lookup_service(ServiceName, attempts, pause);
        if (handle < 0) return handle;
        tree = static_cast<u64>(handle);
        (void)call({OpClose, 0, 0, 0, 0, 0});
        return 0;
    }

    // Reads the newest version of `path` into [buffer, buffer + capacity): its length, or -(status): NotFound for an
    // object World-Tree does not hold, LimitExceeded for one longer than `capacity`, InvalidState when World-Tree
    // says it read another length than the object's (a caller must never take more bytes than it granted).
    long read_object(char const* path, void* buffer, usize capacity) {
        Reply const opened = call_with_text({OpOpen, 0, 0, 0, 0, 0}, path);
        if (opened.status < 0) return opened.status;
        u32 const handle = static_cast<u32>(opened.value);
        long result = 0;
        if (opened.extra == 0) result = -abi::StatusNotFound; // a name never stored opens empty
        else if (opened.extra > capacity) result = -abi::StatusLimitExceeded;
        else {
            Reply const read =
                call_with_grant({OpRead, handle, 0, opened.extra, 0, 0}, buffer, opened.extra, abi::GrantWrite);
            if (read.status < 0) result = read.status;
            else if (read.value != opened.extra) result = -abi::StatusInvalidState;
            else result = static_cast<long>(read.value);
        }
        (void)call({OpClose, handle, 0, 0, 0, 0});
        return result;
    }

    // Stores [data, data + length) as the newest version of `path`, of essence `essence` (0..5), in a commit of its
    // own with the text `commit` ("author message") at `time`: the commit's number, or -(status).
    long write_object(char const* path, void const* data, usize length, u64 essence, char const* commit, u64 time) {
        Reply const opened = call_with_text({OpOpen, 0, 0, 0, 0, 0}, path);
        if (opened.status < 0) return opened.status;
        u32 const handle = static_cast<u32>(opened.value);
        Reply const written = call_with_grant({OpWrite, handle, 0, length, 0, essence}, data, length, abi::GrantRead);
        long result = written.status;
        if (result == 0) {
            Reply const committed = call_with_text({OpCommit, 0, 0, 0, 0, time}, commit);
            result = committed.status < 0 ? committed.status : static_cast<long>(committed.value);
        }
        (void)call({OpClose, handle, 0, 0, 0, 0});
        return result;
    }
};

} // namespace grove::worldtree_protocol

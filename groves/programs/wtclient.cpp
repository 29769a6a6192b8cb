// wtclient
//
// A client of the world-tree grove (worldtree_protocol.hpp) that goes through the whole protocol and checks every
// answer: stores two objects in one commit (a Scroll and a Rune), a second version of the Scroll, reads both
// versions back byte for byte, lists the Scroll's history, queries (essence:Scroll AND creator:forge, a name prefix,
// a time range, a malformed query and its column), restores version 1 and reads it again; then bad requests, each
// refused with its status while world-tree goes on serving: an unknown op, a handle never opened, a read through a
// grant world-tree may not write, a revoked grant, an invalid name, an essence out of range, a commit with nothing
// written, a restore of a version that does not exist, a read of a name never stored and a write to a closed
// handle. Exits 0 when every answer was the expected one, 1 otherwise.
#include <groves/programs/worldtree_protocol.hpp>

using namespace grove;
using namespace grove::rt;
namespace proto = grove::worldtree_protocol;
using proto::Reply;
using proto::Request;

namespace {

constexpr u64 MaxRetries = 64;
constexpr u64 LookupPause = 100'000;

u64 g_tree = 0;
u32 g_tree_id = 0;
bool g_failed = false;
char g_buffer[4096];
char g_text[proto::MaxTextLength];

Reply call(Request const& r) {
    abi::Message message{};
    message.header.tag = proto::TagWorldTree;
    set_payload(message, r);
    abi::Message reply{};
    long const called = sys_call(g_tree, &message, &reply, abi::WaitForever);
    if (called < 0) return {called, 0, 0};
    g_tree_id = reply.header.sender;
    return payload_of<Reply>(reply);
}

// A grant of [data, data + length) to world-tree; 0 (and a failure) when refused.
u64 grant(void const* data, usize length, u64 rights) {
    long const id = sys_grant_create(data, length, g_tree_id, rights);
    if (id < 0) {
        print("wtclient: grant: %s\n", status_name(id));
        g_failed = true;
        return 0;
    }
    return static_cast<u64>(id);
}

// `text` granted for the duration of one request.
Reply with_text(Request r, char const* text) {
    usize const length = strlen(text);
    memcpy(g_text, text, length);
    r.grant = grant(g_text, length, abi::GrantRead);
    if (r.op != proto::OpQuery) r.length = length;
    Reply const reply = call(r);
    sys_grant_revoke(r.grant);
    return reply;
}

bool check(char const* what, bool ok) {
    print("wtclient: %s: %s\n", what, ok ? "as expected" : "NOT as expected");
    g_failed = g_failed || !ok;
    return ok;
}

bool expect_status(char const* what, Reply const& reply, long wanted) {
    bool const ok = reply.status == wanted;
    print("wtclient: %s: %s%s\n", what, reply.status == 0 ? "served" : status_name(reply.status),
          ok ? "" : ", not the expected status");
    g_failed = g_failed || !ok;
    return ok;
}

u32 open(char const* name, u64 version) {
    Reply const reply = with_text({proto::OpOpen, 0, 0, 0, 0, version}, name);
    if (reply.status != 0) {
        expect_status(name, reply, 0);
        return 0;
    }
    return static_cast<u32>(reply.value);
}

void write(u32 handle, char const* content, u64 essence) {
    usize const length = strlen(content);
    memcpy(g_buffer, content, length);
    u64 const g = grant(g_buffer, length, abi::GrantRead);
    expect_status("write", call({proto::OpWrite, handle, g, length, 0, essence}), 0);
    sys_grant_revoke(g);
}

// Reads the whole version behind `handle` and compares it with `expected`.
void expect_content(char const* what, u32 handle, char const* expected) {
    memset(g_buffer, 0, sizeof g_buffer);
    u64 const g = grant(g_buffer, sizeof g_buffer, abi::GrantWrite);
    Reply const reply = call({proto::OpRead, handle, g, sizeof g_buffer, 0, 0});
    sys_grant_revoke(g);
    usize const length = strlen(expected);
    bool const ok = reply.status == 0 && reply.value == length && memcmp(g_buffer, expected, length) == 0;
    print("wtclient: %s: %lu bytes \"%s\"\n", what, reply.value,
          reply.status == 0 ? g_buffer : status_name(reply.status));
    check(what, ok);
}

u64 commit(char const* text, u64 time) {
    Reply const reply = with_text({proto::OpCommit, 0, 0, 0, 0, time}, text);
    expect_status(text, reply, 0);
    return reply.value;
}

// Runs a query; the names it matched (one per line) are left in g_buffer.
Reply query(char const* text) {
    usize const length = strlen(text);
    memset(g_buffer, 0, sizeof g_buffer);
    memcpy(g_buffer, text, length);
    u64 const g = grant(g_buffer, sizeof g_buffer - 1, abi::GrantRead | abi::GrantWrite);
    Reply const reply = call({proto::OpQuery, 0, g, sizeof g_buffer - 1, 0, length});
    sys_grant_revoke(g);
    if (reply.status == 0) g_buffer[reply.extra] = '\0';
    return reply;
}

void expect_query(char const* text, u64 matches, char const* names) {
    Reply const reply = query(text);
    print("wtclient: query %s: %lu match(es)\n%s", text, reply.value, reply.status == 0 ? g_buffer : "");
    check(text, reply.status == 0 && reply.value == matches && strcmp(g_buffer, names) == 0);
}

int run() {
    long const handle = lookup_service(proto::ServiceName, MaxRetries, LookupPause);
    if (handle < 0) {
        print("wtclient: no world-tree: %s\n", status_name(handle));
        return 1;
    }
    g_tree = static_cast<u64>(handle);
    // The grants go to world-tree's grove id, which the first reply names: a request that needs no grant.
    expect_status("a close of a handle never opened", call({proto::OpClose, 7, 0, 0, 0, 0}), -abi::StatusBadHandle);

    u32 const scroll = open("/scrolls/hello", 0);
    u32 const rune = open("/runes/r1", 0);
    write(scroll, "hello world", 0);
    write(rune, "rune bytes", 4);
    check("first commit", commit("forge two objects", 1000) == 1);
    write(scroll, "hello again, a second version", 0);
    check("second commit", commit("forge second version", 2000) == 2);
    expect_content("the newest version", scroll, "hello again, a second version");
    u32 const first = open("/scrolls/hello", 1);
    expect_content("version 1", first, "hello world");

    proto::HistoryEntry entries[4]{};
    u64 const g = grant(entries, sizeof entries, abi::GrantWrite);
    Reply const h = call({proto::OpHistory, scroll, g, sizeof entries, 0, 0});
    sys_grant_revoke(g);
    print("wtclient: history: %lu versions: v%u at %lu (%lu bytes), v%u at %lu (%lu bytes)\n", h.value,
          entries[0].number, entries[0].time, entries[0].size, entries[1].number, entries[1].time, entries[1].size);
    check("history", h.status == 0 && h.value == 2 && entries[0].number == 2 && entries[0].time == 2000 &&
                         entries[0].size == 29 && entries[1].number == 1 && entries[1].time == 1000);

    expect_query("essence:Scroll AND creator:forge", 1, "/scrolls/hello\n");
    expect_query("name:/runes/* OR (essence:Scroll AND modified:>1500)", 2, "/scrolls/hello\n/runes/r1\n");
    expect_query("created:1000..1000 AND NOT essence:Rune", 1, "/scrolls/hello\n");
    Reply const bad = query("essence:Scroll AND (creator:forge");
    print("wtclient: malformed query: %s at column %lu\n", status_name(bad.status), bad.extra);
    check("malformed query", bad.status == -abi::StatusInvalidArgument && bad.extra == 34);

    Reply const restored = with_text({proto::OpRestore, scroll, 0, 0, 3000, 1}, "forge back to the first");
    expect_status("restore version 1", restored, 0);
    check("restore commit", restored.value == 3);
    expect_content("after the restore", scroll, "hello world");

    // Bad requests: each refused, world-tree still serving.
    expect_status("an unknown op", call({99, 0, 0, 0, 0, 0}), -abi::StatusInvalidArgument);
    expect_status("a read of a handle never opened", call({proto::OpRead, 30, 0, 16, 0, 0}), -abi::StatusBadHandle);
    u64 const readonly = grant(g_buffer, 64, abi::GrantRead);
    expect_status("a read into a grant world-tree may not write", call({proto::OpRead, scroll, readonly, 64, 0, 0}),
                  -abi::StatusAccessDenied);
    sys_grant_revoke(readonly);
    u64 const revoked = grant(g_buffer, 64, abi::GrantWrite);
    sys_grant_revoke(revoked);
    expect_status("a revoked grant", call({proto::OpRead, scroll, revoked, 64, 0, 0}), -abi::StatusBadHandle);
    expect_status("an invalid name", with_text({proto::OpOpen, 0, 0, 0, 0, 0}, "two words"),
                  -abi::StatusInvalidArgument);
    expect_status("an essence out of range", call({proto::OpWrite, rune, 0, 0, 0, 6}), -abi::StatusInvalidArgument);
    expect_status("a commit with nothing written", with_text({proto::OpCommit, 0, 0, 0, 0, 4000}, "forge nothing"),
                  -abi::StatusInvalidArgument);
    expect_status("a restore of a version that does not exist",
                  with_text({proto::OpRestore, scroll, 0, 0, 4000, 9}, "forge no such version"), -abi::StatusNotFound);
    expect_status("a read of a name never stored", call({proto::OpRead, open("/nowhere", 0), 0, 16, 0, 0}),
                  -abi::StatusNotFound);
    expect_status("a close", call({proto::OpClose, rune, 0, 0, 0, 0}), 0);
    expect_status("a write to the closed handle", call({proto::OpWrite, rune, 0, 0, 0, 0}), -abi::StatusBadHandle);
    expect_content("world-tree still serving", first, "hello world");
    return g_failed ? 1 : 0;
}

} // namespace

int main(int argc, char**) {
    if (argc > 1) usage("wtclient");
    return run();
}

// wtclient | wtclient commits N | wtclient refused | wtclient keeper | wtclient rival | wtclient handles
// | wtclient leak | wtclient reclaim
//
// A client of the world-tree grove (worldtree_protocol.hpp) that goes through the whole protocol and checks every
// answer: stores two objects in one commit (a Scroll and a Rune), a second version of the Scroll, reads both
// versions back byte for byte, lists the Scroll's history, queries (essence:Scroll AND creator:forge, a name prefix,
// a time range, a malformed query and its column), restores version 1 and reads it again; then bad requests, each
// refused with its status while world-tree goes on serving: an unknown op, a handle never opened, a read through a
// grant world-tree may not write, a revoked grant, an invalid name, an essence out of range, a commit with nothing
// written, a restore of a version that does not exist, a read of a name never stored and a write to a closed
// handle. Exits 0 when every answer was the expected one, 1 otherwise.
// `commits N`: N commits, each a new version (its number in its bytes, 1 to 3 KiB) of one of three objects, while
// world-tree may be killed at any moment. A request that fails because world-tree died (PeerClosed) or is not back
// (NotFound) is retried on a new lookup once it is back; a commit that got no answer was either made whole before
// the kill or not at all, which the object's history says (one more version, with this commit's bytes, or none).
// At the end every acknowledged version of every object must read back with its exact bytes, in order, no other
// version may exist, and the store's check (OpCheck) must be clean. Exits 0 then, 1 otherwise.
// `refused`: without the filesystem capability, a call and a send to world-tree are refused (AccessDenied).
// `keeper` and `rival`, two clients at once (scenarios/world_tree_clients.toml): the keeper writes a content, waits
// while the rival fails a commit (more changes than one commit takes) and then writes and closes 600 different
// contents it never commits, and commits its own afterwards, which must be whole; the rival's last commit and the
// store's check must succeed too. Exits 0 when every answer was the expected one, 1 otherwise.
// `handles` (scenarios/world_tree_handles.toml, file_handles = 4: its own endpoint, world-tree's, two objects): a
// third open is refused with LimitExceeded; after a close one opens again; a handle the client closes itself
// (HandleClose) is given back and world-tree refuses requests on it. `leak` opens 20 objects, writes each and ends
// without closing any; `reclaim`, after it, opens 32 at once (world-tree holds 32: the leaker's must have come
// back) and finds none of the leaker's contents committed. Exit codes as above.
#include <groves/programs/worldtree_protocol.hpp>

using namespace grove;
using namespace grove::rt;
namespace proto = grove::worldtree_protocol;
using proto::Reply;
using proto::Request;

namespace {

constexpr u64 MaxRetries = 64;
constexpr u64 LookupPause = 100'000;
constexpr u64 RetryPause = 200'000; // 0.2 ms

u64 g_tree = 0;
u32 g_tree_id = 0;
bool g_failed = false;
char g_buffer[4096];
char g_text[proto::MaxTextLength];

bool is_gone(long status) { return status == -abi::StatusPeerClosed || status == -abi::StatusNotFound; }

Reply call(Request const& r) { return proto::call(g_tree, r, g_tree_id); }

// A grant of [data, data + length) to world-tree; 0 (and a failure) when refused.
u64 grant(void const* data, usize length, u64 rights) {
    long const id = sys_grant_create(data, length, g_tree_id, rights);
    if (id < 0) {
        // No grant to a world-tree that is gone (between its incarnations): the request is retried once it is back.
        print("wtclient: grant: %s\n", status_name(id));
        g_failed = g_failed || !is_gone(id);
        return 0;
    }
    return static_cast<u64>(id);
}

// `text` granted for the duration of one request.
Reply with_text(Request r, char const* text) {
    usize const length = strlen(text);
    memcpy(g_text, text, length);
    r.grant = grant(g_text, length, abi::GrantRead);
    if (r.grant == 0) return {-abi::StatusPeerClosed, 0, 0};
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

constexpr u32 CrashObjects = 3;
constexpr char const* CrashNames[CrashObjects] = {"/log/a", "/log/b", "/log/c"};
constexpr u64 MaxCommits = 64;
u64 g_versions[CrashObjects][MaxCommits]; // the commit numbers i whose content each version holds
u64 g_version_count[CrashObjects];
char g_content[3200];

// A new send handle to world-tree, waiting while it is not back.
bool reconnect() {
    if (g_tree != 0) sys_handle_close(g_tree);
    g_tree = 0;
    long const handle = lookup_service(proto::ServiceName, MaxRetries, LookupPause);
    if (handle < 0) return false;
    g_tree = static_cast<u64>(handle);
    return true;
}

// The bytes of commit `i`: its number, then a pattern, 1 to 3 KiB.
usize content_of(u64 i) {
    usize const length = 1024 + (i * 389) % 2048;
    for (usize k = 0; k < length; ++k) g_content[k] = static_cast<char>('a' + (i * 7 + k * 13 + k / 61) % 26);
    g_content[0] = static_cast<char>('0' + i / 10);
    g_content[1] = static_cast<char>('0' + i % 10);
    return length;
}

// Reads version `number` of object `o` (0: the newest) into g_buffer; its length, or -(status).
long read_version(u32 o, u64 number) {
    Reply const opened = with_text({proto::OpOpen, 0, 0, 0, 0, number}, CrashNames[o]);
    if (opened.status != 0) return opened.status;
    auto const handle = static_cast<u32>(opened.value);
    u64 const g = grant(g_buffer, sizeof g_buffer, abi::GrantWrite);
    Reply const read = call({proto::OpRead, handle, g, sizeof g_buffer, 0, 0});
    sys_grant_revoke(g);
    call({proto::OpClose, handle, 0, 0, 0, 0});
    return read.status != 0 ? read.status : static_cast<long>(read.value);
}

// How many versions object `o` has (0 when it was never stored), or -(status).
long version_count(u32 o) {
    Reply const opened = with_text({proto::OpOpen, 0, 0, 0, 0, 0}, CrashNames[o]);
    if (opened.status != 0) return opened.status;
    auto const handle = static_cast<u32>(opened.value);
    proto::HistoryEntry entry{};
    u64 const g = grant(&entry, sizeof entry, abi::GrantWrite);
    Reply const h = call({proto::OpHistory, handle, g, sizeof entry, 0, 0});
    sys_grant_revoke(g);
    call({proto::OpClose, handle, 0, 0, 0, 0});
    if (h.status == -abi::StatusNotFound) return 0;
    return h.status != 0 ? h.status : static_cast<long>(h.value);
}

// One attempt at commit i on object o: 1 committed, 0 not (retry), -(status) for a failure that is not world-tree
// going away.
long attempt(u64 i, u32 o) {
    usize const length = content_of(i);
    Reply const opened = with_text({proto::OpOpen, 0, 0, 0, 0, 0}, CrashNames[o]);
    if (opened.status != 0) return is_gone(opened.status) ? 0 : opened.status;
    auto const handle = static_cast<u32>(opened.value);
    u64 const g = grant(g_content, length, abi::GrantRead);
    if (g == 0) return 0;
    Reply const written = call({proto::OpWrite, handle, g, length, 0, 1});
    sys_grant_revoke(g);
    if (written.status != 0) return is_gone(written.status) ? 0 : written.status;
    char text[48] = "forge entry ";
    text[12] = static_cast<char>('0' + i / 10);
    text[13] = static_cast<char>('0' + i % 10);
    Reply const committed = with_text({proto::OpCommit, 0, 0, 0, 0, i * 1000}, text);
    if (committed.status == 0) {
        call({proto::OpClose, handle, 0, 0, 0, 0});
        return 1;
    }
    return is_gone(committed.status) ? 0 : committed.status;
}

// After world-tree came back: whether commit i (on object o) reached the disk before the kill.
long landed(u64 i, u32 o) {
    long const count = version_count(o);
    if (count < 0) return count;
    if (static_cast<u64>(count) == g_version_count[o]) return 0;
    long const length = read_version(o, 0);
    if (length < 0) return length; // world-tree went away again: still unknown
    usize const expected = content_of(i);
    bool const whole = static_cast<u64>(count) == g_version_count[o] + 1 && length == static_cast<long>(expected) &&
                       memcmp(g_buffer, g_content, expected) == 0;
    print("wtclient: commit %lu was %s before world-tree went away\n", i, whole ? "made" : "NOT made whole");
    return whole ? 1 : -abi::StatusInvalidState;
}

u64 g_retries = 0;

// After a request that failed because world-tree went away: a pause, then a new lookup. False after MaxRetries.
bool retry() {
    ++g_retries;
    if (g_retries > MaxRetries) return false;
    sys_sleep(RetryPause);
    return reconnect();
}

// Reads every version of every object back and asks for the store's check; 0 when done (failures recorded), or
// the status of a request that failed because world-tree went away (nothing recorded then).
long verify(u64 n) {
    u64 verified = 0, wrong = 0;
    for (u32 o = 0; o < CrashObjects; ++o) {
        long const count = version_count(o);
        if (is_gone(count)) return count;
        if (count != static_cast<long>(g_version_count[o])) {
            print("wtclient: %s has %ld versions, %lu acknowledged\n", CrashNames[o], count, g_version_count[o]);
            ++wrong;
        }
        for (u64 v = 0; v < g_version_count[o]; ++v) {
            usize const expected = content_of(g_versions[o][v]);
            long const length = read_version(o, v + 1);
            if (is_gone(length)) return length;
            bool const same = length == static_cast<long>(expected) && memcmp(g_buffer, g_content, expected) == 0;
            if (!same)
                print("wtclient: %s version %lu does not hold commit %lu\n", CrashNames[o], v + 1, g_versions[o][v]);
            (same ? verified : wrong) += 1;
        }
    }
    Reply const checked = call({proto::OpCheck, 0, 0, 0, 0, 0});
    if (is_gone(checked.status)) return checked.status;
    print("wtclient: %lu commits, %lu versions read back exactly, %lu wrong, %lu retries; check: %s (%lu commits)\n", n,
          verified, wrong, g_retries, checked.status == 0 ? "clean" : status_name(checked.status), checked.value);
    check("every acknowledged version, and no other", wrong == 0);
    check("the store's check", checked.status == 0 && checked.value == n);
    return 0;
}

int commits(u64 n) {
    if (n == 0 || n > MaxCommits) usage("wtclient commits N (1..64)");
    if (!reconnect()) return 1;
    call({proto::OpClose, 0, 0, 0, 0, 0}); // learns world-tree's id from the reply
    for (u64 i = 1; i <= n; ++i) {
        u32 const o = static_cast<u32>(i % CrashObjects);
        // Whether the last attempt may have committed without an answer: then the history decides, before any retry.
        bool unknown = false;
        for (;;) {
            long done = 0;
            if (unknown) {
                done = landed(i, o);
                if (is_gone(done)) {
                    if (!retry()) return 1;
                    continue;
                }
                unknown = false;
                if (done == 0) continue;
            } else {
                done = attempt(i, o);
                if (done == 0) {
                    unknown = true;
                    if (!retry()) return 1;
                    continue;
                }
            }
            if (done < 0) {
                print("wtclient: commit %lu: %s\n", i, status_name(done));
                return 1;
            }
            g_versions[o][g_version_count[o]++] = i;
            break;
        }
    }
    // The verification, started again from the top when world-tree goes away during it.
    for (;;) {
        long const gone = verify(n);
        if (gone == 0) break;
        if (!retry()) return 1;
    }
    return g_failed ? 1 : 0;
}

// `refused`: a grove without the filesystem capability that world-tree's `provides` asks for; its call (a check,
// which needs no grant) must be refused by the kernel with AccessDenied, and so must a send.
int refused() {
    if (!reconnect()) {
        print("wtclient: no world-tree\n");
        return 1;
    }
    expect_status("a check without the filesystem capability", call({proto::OpCheck, 0, 0, 0, 0, 0}),
                  -abi::StatusAccessDenied);
    abi::Message message{};
    message.header.tag = proto::TagWorldTree;
    check("a send without the filesystem capability refused",
          sys_send(g_tree, &message, 0, abi::WaitForever) == -abi::StatusAccessDenied);
    return g_failed ? 1 : 0;
}

constexpr char const* KeeperContent = "the keeper's content, written before the rival's failure";
constexpr u64 RivalHandles = 17;     // one more change than a commit takes (worldtree::MaxStaged)
constexpr u64 RivalContents = 600;   // more contents than the store's index holds blobs (worldtree::MaxBlobs)
constexpr u64 PollPause = 1'000'000; // 1 ms between two looks at what the other client did
constexpr u64 MaxPolls = 400;

bool connect() {
    if (!reconnect()) return false;
    call({proto::OpClose, 0, 0, 0, 0, 0}); // learns world-tree's id from the reply
    return true;
}

// Waits until `query` matches one object: another client's step is done (the order does not rest on timing, so both
// targets see the same). False after MaxPolls looks.
bool await_object(char const* text) {
    for (u64 i = 0; i < MaxPolls; ++i) {
        Reply const reply = query(text);
        if (reply.status == 0 && reply.value == 1) return true;
        sys_sleep(PollPause);
    }
    return check(text, false);
}

int keeper() {
    if (!connect()) return 1;
    u32 const handle = open("/shared/keeper", 0);
    write(handle, KeeperContent, 0);
    if (!await_object("name:/rival/marker")) return 1; // the rival's failed commit came first
    check("the keeper's commit after the rival's failure", commit("keeper kept", 1000) != 0);
    expect_content("the keeper's content", handle, KeeperContent);
    return g_failed ? 1 : 0;
}

// "<prefix><n>": a name or a content numbered n.
char const* numbered(char const* prefix, u64 n) {
    static char text[64];
    usize length = strlen(prefix);
    memcpy(text, prefix, length);
    char digits[20];
    usize count = 0;
    do {
        digits[count++] = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n != 0);
    while (count > 0) text[length++] = digits[--count];
    text[length] = '\0';
    return text;
}

int rival() {
    if (!connect()) return 1;
    u32 handles[RivalHandles];
    for (u64 i = 0; i < RivalHandles; ++i) {
        handles[i] = open(numbered("/rival/", i), 0);
        write(handles[i], numbered("rival content ", i), 0);
    }
    expect_status("a commit of more changes than one commit takes",
                  with_text({proto::OpCommit, 0, 0, 0, 0, 500}, "rival too much"), -abi::StatusNoCapacity);
    for (u32 h : handles) expect_status("a close", call({proto::OpClose, h, 0, 0, 0, 0}), 0);
    u32 const marker = open("/rival/marker", 0);
    write(marker, "the rival's commit failed", 0);
    check("the rival's marker", commit("rival marker", 600) != 0);
    expect_status("a close", call({proto::OpClose, marker, 0, 0, 0, 0}), 0);
    u64 refused = 0;
    for (u64 i = 0; i < RivalContents; ++i) {
        char const* content = numbered("a content never committed ", i);
        usize const length = strlen(content);
        memcpy(g_buffer, content, length);
        Reply const opened = with_text({proto::OpOpen, 0, 0, 0, 0, 0}, "/rival/scratch");
        u64 const g = grant(g_buffer, length, abi::GrantRead);
        Reply const written = call({proto::OpWrite, static_cast<u32>(opened.value), g, length, 0, 0});
        sys_grant_revoke(g);
        Reply const closed = call({proto::OpClose, static_cast<u32>(opened.value), 0, 0, 0, 0});
        if (opened.status != 0 || written.status != 0 || closed.status != 0) ++refused;
    }
    print("wtclient: %lu contents written and closed, %lu refused\n", RivalContents, refused);
    check("contents written and closed are given back", refused == 0);
    if (!await_object("name:/shared/keeper")) return 1;
    u32 const last = open("/rival/last", 0);
    write(last, "the rival's last content", 0);
    check("the rival's commit after its closes", commit("rival last", 2000) != 0);
    Reply const checked = call({proto::OpCheck, 0, 0, 0, 0, 0});
    expect_status("the store's check", checked, 0);
    return g_failed ? 1 : 0;
}

// Opens `name` expecting `wanted`; the reply.
Reply open_expecting(char const* name, long wanted) {
    Reply const reply = with_text({proto::OpOpen, 0, 0, 0, 0, 0}, name);
    expect_status(name, reply, wanted);
    return reply;
}

int handles() {
    if (!connect()) return 1;
    Reply const a = open_expecting("/h/a", 0);
    Reply const b = open_expecting("/h/b", 0);
    open_expecting("/h/c", -abi::StatusLimitExceeded);
    expect_status("a close", call({proto::OpClose, static_cast<u32>(a.value), 0, 0, 0, 0}), 0);
    Reply const c = open_expecting("/h/c", 0);
    // Closed by the client alone: the kernel gives it back, world-tree no longer serves it.
    check("the client's own close of its handle", sys_handle_close(b.issued) == 0);
    expect_status("a write on the handle closed", call({proto::OpWrite, static_cast<u32>(b.value), 0, 0, 0, 0}),
                  -abi::StatusBadHandle);
    Reply const d = open_expecting("/h/d", 0);
    write(static_cast<u32>(d.value), "d", 0);
    check("a commit of the open handles", commit("handles d", 100) != 0);
    expect_status("a close", call({proto::OpClose, static_cast<u32>(c.value), 0, 0, 0, 0}), 0);
    return g_failed ? 1 : 0;
}

constexpr u64 LeakedHandles = 20;
constexpr u64 WorldTreeHandles = 32;
constexpr u64 MaxReclaimRounds = 100;

int leak() {
    if (!connect()) return 1;
    for (u64 i = 0; i < LeakedHandles; ++i) {
        Reply const opened = open_expecting(numbered("/leak/", i), 0);
        write(static_cast<u32>(opened.value), "never committed", 0);
    }
    return g_failed ? 1 : 0;
}

// Opens 32 objects at once, in rounds until the leaker has ended (each round closes what it got); then commits one
// after `limited`'s commit.
int reclaim() {
    if (!connect()) return 1;
    u32 opened[WorldTreeHandles];
    u64 refused = WorldTreeHandles;
    for (u64 round = 0; round < MaxReclaimRounds && refused != 0; ++round) {
        if (round > 0) sys_sleep(PollPause);
        refused = 0;
        for (u64 i = 0; i < WorldTreeHandles; ++i) {
            Reply const reply = with_text({proto::OpOpen, 0, 0, 0, 0, 0}, numbered("/reclaim/", i));
            opened[i] = reply.status == 0 ? static_cast<u32>(reply.value) : 0;
            if (reply.status != 0) ++refused;
        }
        if (refused != 0)
            for (u32 h : opened)
                if (h != 0) call({proto::OpClose, h, 0, 0, 0, 0});
    }
    print("wtclient: %lu handles opened, %lu refused\n", WorldTreeHandles, refused);
    check("every handle of world-tree after the leaker ended", refused == 0);
    if (!await_object("name:/h/d")) return 1;
    write(opened[0], "reclaimed", 0);
    check("a commit after the leaker ended", commit("reclaim one", 300) != 0);
    expect_query("name:/leak/*", 0, "");
    for (u32 h : opened) call({proto::OpClose, h, 0, 0, 0, 0});
    return g_failed ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
    u64 n = 0;
    if (argc == 1) return run();
    if (argc == 3 && is_mode(argv[1], "commits") && parse_unsigned(argv[2], n)) return commits(n);
    if (argc == 2 && is_mode(argv[1], "refused")) return refused();
    if (argc == 2 && is_mode(argv[1], "keeper")) return keeper();
    if (argc == 2 && is_mode(argv[1], "rival")) return rival();
    if (argc == 2 && is_mode(argv[1], "handles")) return handles();
    if (argc == 2 && is_mode(argv[1], "leak")) return leak();
    if (argc == 2 && is_mode(argv[1], "reclaim")) return reclaim();
    usage("wtclient | wtclient commits N | wtclient refused | wtclient keeper | wtclient rival | wtclient handles | "
          "wtclient leak | "
          "wtclient reclaim");
}

// blockclient verify SECTORS [LBA] | misuse LENDER | lend PEER
//
// A client of the `ata` driver grove (block_protocol.hpp).
// `verify`: writes SECTORS sectors (1..128) from LBA (default 1) with a pattern in one request, flushes, reads them
// back in one request and compares every byte. A request whose Call fails because ata died (PeerClosed: it ended
// while serving; NotFound: it is not back yet) is retried, after a backoff of RetryPause, on a new lookup, until
// ata is back (its respawn policy) or MaxRetries. Exits 0 when every byte came back, 1 otherwise.
// `misuse`: asks ata for transfers through grants misused every way and checks that each is refused with its status
// (never served, and ata still serving): a grant to another grove (wrong peer), a revoked one, one shorter than the
// transfer (out of bounds), a read into a read-only grant; requests past the disk's end, of 0 and of too many
// sectors, an unknown op; and a grant the grove LENDER made to ata and sent here (tag LEND), used once LENDER has
// ended (its granter gone). The grant to another grove is made to LENDER. Then a flush: ata still serves.
// Exits 0 when all were refused as expected, 1 otherwise.
// `lend PEER`: grants a sector-sized buffer to ata (read and write), sends the grant's id to PEER (tag LEND) and
// exits 0.
#include <groves/programs/block_protocol.hpp>

using namespace grove;
using namespace grove::rt;
using grove::block::Reply;
using grove::block::Request;

namespace {

constexpr char const* Usage = "blockclient verify SECTORS [LBA] | misuse LENDER | lend PEER";
constexpr u32 TagLend = 0x4c454e44; // "LEND"
constexpr u64 RetryPause = 500'000; // 0.5 ms
constexpr u64 MaxRetries = 64;
constexpr u64 LookupPause = 100'000;

u8 g_data[block::MaxSectors * block::SectorSize];
u8 g_spare[block::SectorSize];
u64 g_ata = 0; // send handle, 0 while none
u32 g_ata_id = 0;
bool g_failed = false;

char const* op_name(u32 op) {
    switch (op) {
    case block::OpInfo: return "info";
    case block::OpRead: return "read";
    case block::OpWrite: return "write";
    case block::OpFlush: return "flush";
    default: return "unknown op";
    }
}

bool is_gone(long status) { return status == -abi::StatusPeerClosed || status == -abi::StatusNotFound; }

// A send handle to ata, looked up again when there is none (waiting while it is not there).
long connect() {
    if (g_ata != 0) return 0;
    long const handle = lookup_service(block::ServiceName, MaxRetries, LookupPause);
    if (handle < 0) return handle;
    g_ata = static_cast<u64>(handle);
    return 0;
}

// One request to ata, retried while ata is gone (ended while serving it, or not back yet); the Reply, or the last
// failure of the Call as its status.
Reply request(Request const& r) {
    for (u64 attempt = 0;; ++attempt) {
        long called = connect();
        abi::Message reply{};
        if (called == 0) {
            abi::Message message{};
            message.header.tag = block::TagBlock;
            set_payload(message, r);
            called = sys_call(g_ata, &message, &reply, abi::WaitForever);
        }
        if (called >= 0) {
            g_ata_id = reply.header.sender;
            return payload_of<Reply>(reply);
        }
        if (!is_gone(called) || attempt + 1 == MaxRetries) return {called, 0};
        print("blockclient: %s: ata is gone (%s), retrying\n", op_name(r.op), status_name(called));
        if (g_ata != 0) sys_handle_close(g_ata);
        g_ata = 0;
        sys_sleep(RetryPause);
    }
}

// Says what a request came to and whether it was the expected status.
void expect(char const* what, Reply const& reply, long wanted) {
    bool const ok = reply.status == wanted;
    print("blockclient: %s: %s%s\n", what, reply.status == 0 ? "served" : status_name(reply.status),
          ok ? "" : ", not the expected status");
    g_failed = g_failed || !ok;
}

u8 pattern(u64 lba, u64 byte) { return static_cast<u8>((lba * 0x9Du) ^ (byte * 0x3Bu) ^ (byte >> 8) ^ 0xA5u); }

int verify(u64 sectors, u64 lba) {
    u64 const length = sectors * block::SectorSize;
    for (u64 i = 0; i < length; ++i) g_data[i] = pattern(lba + i / block::SectorSize, i % block::SectorSize);
    if (long const c = connect(); c < 0) {
        print("blockclient: no ata: %s\n", status_name(c));
        return 1;
    }
    Reply const info = request({block::OpInfo, 0, 0, 0});
    if (info.status != 0) {
        print("blockclient: info: %s\n", status_name(info.status));
        return 1;
    }
    long const grant = sys_grant_create(g_data, length, g_ata_id, abi::GrantRead | abi::GrantWrite);
    if (grant < 0) {
        print("blockclient: grant: %s\n", status_name(grant));
        return 1;
    }
    auto const count = static_cast<u32>(sectors);
    expect("write", request({block::OpWrite, count, lba, static_cast<u64>(grant)}), 0);
    expect("flush", request({block::OpFlush, 0, 0, 0}), 0);
    memset(g_data, 0, length);
    expect("read", request({block::OpRead, count, lba, static_cast<u64>(grant)}), 0);
    u64 wrong = 0;
    for (u64 i = 0; i < length; ++i)
        if (g_data[i] != pattern(lba + i / block::SectorSize, i % block::SectorSize)) ++wrong;
    print("blockclient: %lu of %lu bytes read back as written (disk of %lu sectors)\n", length - wrong, length,
          info.value);
    sys_grant_revoke(static_cast<u64>(grant));
    return g_failed || wrong != 0 ? 1 : 0;
}

u64 grant_of(void const* buffer, usize length, u32 peer, u64 rights) {
    long const id = sys_grant_create(buffer, length, peer, rights);
    if (id < 0) {
        print("blockclient: grant: %s\n", status_name(id));
        g_failed = true;
    }
    return static_cast<u64>(id);
}

// The lender's grant, received in its LEND message; the lender's grove id in `lender_id`.
u64 lent_grant(u32& lender_id) {
    abi::Message message{};
    for (;;) {
        long const received = sys_receive(abi::OwnEndpointHandle, &message, 0, abi::WaitForever);
        if (received < 0) return 0;
        if ((message.header.flags & abi::MessageFlagKernel) == 0 && message.header.tag == TagLend) break;
    }
    lender_id = message.header.sender;
    return payload_of<Request>(message).grant;
}

// Waits until the grove called `name` has ended (its lookup is NotFound).
void await_end(char const* name) {
    for (long handle = 0; (handle = sys_lookup(name, strlen(name))) >= 0; sys_sleep(LookupPause))
        sys_handle_close(static_cast<u64>(handle));
}

int misuse(char const* lender) {
    if (long const c = connect(); c < 0) {
        print("blockclient: no ata: %s\n", status_name(c));
        return 1;
    }
    u64 const sectors = request({block::OpInfo, 0, 0, 0}).value;
    u32 lender_id = 0;
    u64 const lent = lent_grant(lender_id);
    await_end(lender);
    // First, before this grove makes grants of its own, which may take the lender's slot in the kernel's table.
    expect("a grant whose granter has ended", request({block::OpWrite, 1, 1, lent}), -abi::StatusPeerClosed);
    u64 const readable = grant_of(g_data, 4 * block::SectorSize, g_ata_id, abi::GrantRead);
    expect("a write from a grant ata may read", request({block::OpWrite, 1, 1, readable}), 0);
    u64 const elsewhere = grant_of(g_data, block::SectorSize, lender_id, abi::GrantRead | abi::GrantWrite);
    expect("a grant made to another grove", request({block::OpWrite, 1, 1, elsewhere}), -abi::StatusAccessDenied);
    u64 const revoked = grant_of(g_data, block::SectorSize, g_ata_id, abi::GrantRead);
    sys_grant_revoke(revoked);
    expect("a revoked grant", request({block::OpWrite, 1, 1, revoked}), -abi::StatusBadHandle);
    expect("a write longer than its grant", request({block::OpWrite, 5, 1, readable}), -abi::StatusInvalidArgument);
    expect("a read into a read-only grant", request({block::OpRead, 1, 1, readable}), -abi::StatusAccessDenied);
    expect("a forged grant id", request({block::OpWrite, 1, 1, abi::make_handle(1000, 7)}), -abi::StatusBadHandle);
    expect("a read past the disk's end", request({block::OpRead, 1, sectors, readable}), -abi::StatusInvalidArgument);
    expect("a read across the disk's end", request({block::OpRead, 2, sectors - 1, readable}),
           -abi::StatusInvalidArgument);
    expect("a read of 0 sectors", request({block::OpRead, 0, 1, readable}), -abi::StatusInvalidArgument);
    expect("a read of too many sectors", request({block::OpRead, block::MaxSectors + 1, 1, readable}),
           -abi::StatusInvalidArgument);
    expect("an unknown op", request({7, 1, 1, readable}), -abi::StatusInvalidArgument);
    expect("ata still serving: a flush", request({block::OpFlush, 0, 0, 0}), 0);
    return g_failed ? 1 : 0;
}

int lend(char const* peer) {
    if (long const c = connect(); c < 0) {
        print("blockclient: no ata: %s\n", status_name(c));
        return 1;
    }
    request({block::OpInfo, 0, 0, 0});
    u64 const grant = grant_of(g_spare, sizeof g_spare, g_ata_id, abi::GrantRead | abi::GrantWrite);
    long const handle = lookup_service(peer, MaxRetries, LookupPause);
    if (g_failed || handle < 0) return 1;
    abi::Message message{};
    message.header.tag = TagLend;
    set_payload(message, Request{block::OpWrite, 1, 1, grant});
    long const sent = sys_send(static_cast<u64>(handle), &message, 0, abi::WaitForever);
    print("blockclient: lent grant %lx to %s: %s\n", grant, peer, sent < 0 ? status_name(sent) : "sent");
    return sent < 0 ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
    char const* mode = argument(argc, argv, 1, "");
    u64 sectors = 0, lba = 1;
    if (is_mode(mode, "verify") && (argc == 3 || argc == 4) && parse_unsigned(argv[2], sectors) && sectors >= 1 &&
        sectors <= block::MaxSectors && (argc == 3 || parse_unsigned(argv[3], lba)))
        return verify(sectors, lba);
    if (is_mode(mode, "misuse") && argc == 3) return misuse(argv[2]);
    if (is_mode(mode, "lend") && argc == 3) return lend(argv[2]);
    usage(Usage);
}

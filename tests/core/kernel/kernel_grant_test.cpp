// The grant syscalls against the fake backend: every status of each, the copies' bytes and cost, and the events.
#include <tests/core/kernel/kernel_fixture.hpp>

#include <vector>

namespace grove::testing {
namespace {

constexpr u64 Granted = SecondDataPage; // a whole R+W page of every test grove
constexpr u64 Both = abi::GrantRead | abi::GrantWrite;

class KernelGrant : public KernelTest {
protected:
    i64 create(ThreadId t, u64 address, u64 length, GroveId peer, u64 rights) {
        return sys(t, Syscall::GrantCreate, address, length, peer.serial, rights);
    }
    // A copy whose cost in virtual time is then paid (the clock moves on by length * GrantByteCost): what the
    // thread sees in rax. A refused copy returns at once.
    i64 copy(ThreadId t, Syscall direction, u64 grant, u64 offset, u64 address, u64 length) {
        i64 const result = sys(t, direction, grant, offset, address, length);
        if (result != NoResult) return result;
        advance(Ticks(length * GrantByteCost.value));
        return rax(t);
    }
    std::vector<u8> read(GroveId g, u64 address, usize length) {
        std::vector<u8> bytes(length);
        EXPECT_TRUE(arch.copy_from_user(space_of(g), bytes.data(), VirtAddr{address}, Bytes(length)).has_value());
        return bytes;
    }
    static std::vector<u8> pattern(usize length, u8 seed) {
        std::vector<u8> bytes(length);
        for (usize i = 0; i < length; ++i) bytes[i] = static_cast<u8>(seed + i * 7);
        return bytes;
    }
    GrantRefusal last_refusal() const { return last_of(EventKind::GrantRefused).fields.grant_refused.reason; }
};

TEST_F(KernelGrant, APeerCopiesFromAndToTheGrantedRangeAndWaitsItsCostPerByte) {
    GroveId const a = spawn("alpha");
    GroveId const b = spawn("beta");
    ThreadId const ta = main_thread(a);
    ThreadId const tb = main_thread(b);
    std::vector<u8> const data = pattern(PageSize, 3);
    write(a, Granted, data.data(), data.size());
    i64 const grant = create(ta, Granted, PageSize, b, Both);
    ASSERT_GT(grant, 0);
    Event const created = last_of(EventKind::GrantCreated);
    EXPECT_EQ(created.grove(), a);
    EXPECT_EQ(created.fields.grant_created.grant, static_cast<u64>(grant));
    EXPECT_EQ(created.fields.grant_created.peer, b.serial);
    EXPECT_EQ(created.fields.grant_created.rights, GrantRights::ReadWrite);
    EXPECT_EQ(created.fields.grant_created.length, PageSize);

    Ticks const before = arch.now();
    EXPECT_EQ(sys(tb, Syscall::GrantCopyFrom, grant, 100, Granted, 1000), NoResult); // waits for its cost
    EXPECT_TRUE(is_blocked(tb));
    EXPECT_EQ(read(b, Granted, 1000), std::vector<u8>(data.begin() + 100, data.begin() + 1100)); // copied at once
    Dispatch const d = kernel->dispatch();
    EXPECT_EQ(d.thread, ta); // the copier waits; the others run
    advance_to(before + Ticks(1000 * GrantByteCost.value));
    EXPECT_EQ(rax(tb), 1000);
    Event const copied = last_of(EventKind::GrantCopied);
    EXPECT_EQ(copied.grove(), b);
    EXPECT_EQ(copied.fields.grant_copied.granter, a.serial);
    EXPECT_EQ(copied.fields.grant_copied.direction, GrantDirection::From);
    EXPECT_EQ(copied.fields.grant_copied.offset, 100u);
    EXPECT_EQ(copied.fields.grant_copied.length, 1000u);

    std::vector<u8> const back = pattern(PageSize, 99);
    write(b, Granted, back.data(), back.size());
    EXPECT_EQ(copy(tb, Syscall::GrantCopyTo, grant, 0, Granted, PageSize), static_cast<i64>(PageSize));
    EXPECT_EQ(read(a, Granted, PageSize), back);
    EXPECT_EQ(kernel->grant_copies().copied, 2u);
    EXPECT_EQ(kernel->grant_copies().bytes, 1000u + PageSize);
}

TEST_F(KernelGrant, CreateRefusesBadRangesRightsPeersAndReadOnlyMemoryForWrite) {
    GroveId const a = spawn("alpha");
    GroveId const b = spawn("beta");
    ThreadId const ta = main_thread(a);
    EXPECT_EQ(create(ta, Granted, 0, b, Both), status(Error::InvalidArgument));        // empty
    EXPECT_EQ(create(ta, KernelAddress, 16, b, Both), status(Error::InvalidArgument)); // not the grove's
    EXPECT_EQ(create(ta, ~u64{0} - 8, 64, b, Both), status(Error::InvalidArgument));   // overflows
    EXPECT_EQ(create(ta, UnmappedAddress, 16, b, abi::GrantRead), status(Error::InvalidArgument));
    EXPECT_EQ(create(ta, ReadOnlyAddress, 16, b, abi::GrantWrite), status(Error::InvalidArgument));
    EXPECT_EQ(create(ta, Granted, 16, b, 0), status(Error::InvalidArgument)); // no rights
    EXPECT_EQ(create(ta, Granted, 16, b, 4), status(Error::InvalidArgument)); // unknown rights
    EXPECT_EQ(sys(ta, Syscall::GrantCreate, Granted, 16, 0, Both), status(Error::InvalidArgument));
    EXPECT_EQ(sys(ta, Syscall::GrantCreate, Granted, 16, u64{1} << 32, Both), status(Error::InvalidArgument));
    EXPECT_EQ(sys(ta, Syscall::GrantCreate, Granted, 16, 999, Both), status(Error::NotFound));
    EXPECT_GT(create(ta, ReadOnlyAddress, 16, b, abi::GrantRead), 0); // code may be granted for reading
    EXPECT_EQ(count(EventKind::GrantCreated), 1u);
    EXPECT_EQ(kernel->grants().live(), 1u);
}

TEST_F(KernelGrant, TheGrantsLimitRefusesPastItWithLimitExceededAndAnEvent) {
    GroveSpec s = spec("alpha");
    s.limits.grants = Count(2);
    GroveId const a = spawn(s);
    GroveId const b = spawn("beta");
    ThreadId const ta = main_thread(a);
    i64 const first = create(ta, Granted, 64, b, abi::GrantRead);
    EXPECT_GT(first, 0);
    EXPECT_GT(create(ta, Granted, 64, b, abi::GrantRead), 0);
    EXPECT_EQ(create(ta, Granted, 64, b, abi::GrantRead), status(Error::LimitExceeded));
    Event const e = last_of(EventKind::LimitExceeded);
    EXPECT_EQ(e.fields.limit_exceeded.resource, Resource::Grants);
    EXPECT_EQ(e.fields.limit_exceeded.requested, 3u);
    EXPECT_EQ(e.fields.limit_exceeded.limit, 2u);
    // A revoke gives its place back.
    EXPECT_EQ(sys(ta, Syscall::GrantRevoke, first), 0);
    EXPECT_GT(create(ta, Granted, 64, b, abi::GrantRead), 0);
}

TEST_F(KernelGrant, EveryMisuseOfACopyIsRefusedWithItsStatusAndReason) {
    GroveId const a = spawn(spec_with("alpha", CapabilityKind::MemoryManage));
    GroveId const b = spawn("beta");
    GroveId const c = spawn("gamma");
    ThreadId const ta = main_thread(a);
    ThreadId const tb = main_thread(b);
    ThreadId const tc = main_thread(c);
    constexpr u64 Heap = 0x0060'0000;
    ASSERT_EQ(sys(ta, Syscall::MemoryMap, Heap, PageSize, abi::ProtRead | abi::ProtWrite), 0);
    i64 const readable = create(ta, Granted, 256, b, abi::GrantRead);
    i64 const heap = create(ta, Heap, PageSize, b, Both);
    ASSERT_GT(readable, 0);
    ASSERT_GT(heap, 0);
    struct Case {
        ThreadId thread;
        Syscall direction;
        u64 grant, offset, address, length;
        Error error;
        GrantRefusal reason;
    };
    u64 const r = static_cast<u64>(readable);
    Case const cases[] = {
        {tb, Syscall::GrantCopyFrom, r + (u64{7} << 32), 0, Granted, 16, Error::BadHandle, GrantRefusal::NoSuchGrant},
        {tb, Syscall::GrantCopyFrom, 0, 0, Granted, 16, Error::BadHandle, GrantRefusal::NoSuchGrant},
        {tb, Syscall::GrantCopyFrom, abi::make_handle(900, 1), 0, Granted, 16, Error::BadHandle,
         GrantRefusal::NoSuchGrant},
        {tc, Syscall::GrantCopyFrom, r, 0, Granted, 16, Error::AccessDenied, GrantRefusal::WrongPeer},
        {ta, Syscall::GrantCopyFrom, r, 0, Granted, 16, Error::AccessDenied, GrantRefusal::WrongPeer},
        {tb, Syscall::GrantCopyTo, r, 0, Granted, 16, Error::AccessDenied, GrantRefusal::NoRights},
        {tb, Syscall::GrantCopyFrom, r, 0, Granted, 0, Error::InvalidArgument, GrantRefusal::Empty},
        {tb, Syscall::GrantCopyFrom, r, 200, Granted, 57, Error::InvalidArgument, GrantRefusal::OutOfBounds},
        {tb, Syscall::GrantCopyFrom, r, 256, Granted, 1, Error::InvalidArgument, GrantRefusal::OutOfBounds},
        {tb, Syscall::GrantCopyFrom, r, ~u64{0}, Granted, 2, Error::InvalidArgument, GrantRefusal::OutOfBounds},
        {tb, Syscall::GrantCopyFrom, r, 0, Granted, ~u64{0}, Error::InvalidArgument, GrantRefusal::OutOfBounds},
        {tb, Syscall::GrantCopyFrom, r, 0, KernelAddress, 16, Error::InvalidArgument, GrantRefusal::BadBuffer},
        {tb, Syscall::GrantCopyFrom, r, 0, ReadOnlyAddress, 16, Error::InvalidArgument, GrantRefusal::BadBuffer},
        {tb, Syscall::GrantCopyFrom, r, 0, UnmappedAddress, 16, Error::InvalidArgument, GrantRefusal::BadBuffer},
        {tb, Syscall::GrantCopyFrom, r, 0, ~u64{0} - 4, 16, Error::InvalidArgument, GrantRefusal::BadBuffer},
    };
    for (Case const& k : cases) {
        usize const refusals = count(EventKind::GrantRefused);
        EXPECT_EQ(sys(k.thread, k.direction, k.grant, k.offset, k.address, k.length), status(k.error))
            << grant_refusal_name(k.reason);
        ASSERT_EQ(count(EventKind::GrantRefused), refusals + 1) << grant_refusal_name(k.reason);
        Event const e = last_of(EventKind::GrantRefused);
        EXPECT_EQ(e.fields.grant_refused.reason, k.reason);
        EXPECT_EQ(e.fields.grant_refused.grant, k.grant);
        EXPECT_EQ(e.grove(), kernel->grove_of(k.thread));
    }
    // The granted page unmapped after the grant was made: a status, not a fault of the kernel.
    ASSERT_EQ(sys(ta, Syscall::MemoryUnmap, Heap, PageSize), 0);
    EXPECT_EQ(sys(tb, Syscall::GrantCopyTo, heap, 0, Granted, 16), status(Error::InvalidState));
    EXPECT_EQ(last_refusal(), GrantRefusal::GrantedMemory);
    // Revoked: only by its granter, and then for good.
    EXPECT_EQ(sys(tb, Syscall::GrantRevoke, r), status(Error::BadHandle));
    EXPECT_EQ(sys(ta, Syscall::GrantRevoke, r), 0);
    EXPECT_EQ(last_of(EventKind::GrantRevoked).fields.grant_revoked.cause, GrantEnd::Revoked);
    EXPECT_EQ(sys(ta, Syscall::GrantRevoke, r), status(Error::BadHandle));
    EXPECT_EQ(sys(tb, Syscall::GrantCopyFrom, r, 0, Granted, 16), status(Error::BadHandle));
    EXPECT_EQ(last_refusal(), GrantRefusal::Revoked);
    Kernel::GrantCopyCounters const& copies = kernel->grant_copies();
    EXPECT_EQ(copies.asked, copies.refused);
    EXPECT_EQ(copies.copied, 0u);
}

TEST_F(KernelGrant, GrantsDieWithTheirGranterAndARestartDoesNotReviveThem) {
    GroveId const a = spawn("alpha", RespawnPolicy::always());
    GroveId const b = spawn("beta");
    ThreadId const tb = main_thread(b);
    i64 const grant = create(main_thread(a), Granted, 64, b, Both);
    ASSERT_GT(grant, 0);
    ASSERT_TRUE(kernel->crash(a, Crash::fault(0, 0)).has_value());
    Event const revoked = last_of(EventKind::GrantRevoked);
    EXPECT_EQ(revoked.grove(), a);
    EXPECT_EQ(revoked.fields.grant_revoked.grant, static_cast<u64>(grant));
    EXPECT_EQ(revoked.fields.grant_revoked.cause, GrantEnd::GranterEnded);
    EXPECT_EQ(kernel->grants().live(), 0u);
    EXPECT_EQ(sys(tb, Syscall::GrantCopyFrom, grant, 0, Granted, 16), status(Error::PeerClosed));
    EXPECT_EQ(last_refusal(), GrantRefusal::GranterGone);
    advance(seconds(10)); // respawned
    Grove const* again = find(GroveId{a.serial, 2});
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(sys(tb, Syscall::GrantCopyFrom, grant, 0, Granted, 16), status(Error::PeerClosed));
    // The new incarnation's grants are its own, under a fresh limit.
    i64 const fresh = create(main_thread(again->id), Granted, 64, b, Both);
    ASSERT_GT(fresh, 0);
    EXPECT_NE(fresh, grant);
    EXPECT_EQ(copy(tb, Syscall::GrantCopyFrom, fresh, 0, Granted, 16), 16);
    EXPECT_TRUE(kernel->grants().check_invariant());
}

TEST_F(KernelGrant, AGroveGrantingToItselfCopiesOverlappingRangesAsIfTheSourceWereReadFirst) {
    GroveId const a = spawn("alpha");
    ThreadId const ta = main_thread(a);
    std::vector<u8> const data = pattern(PageSize, 11);
    i64 const grant = create(ta, Granted, PageSize, a, Both);
    ASSERT_GT(grant, 0);
    // Upwards: destination 1000 bytes above the source, 3000 bytes (more than a chunk's overlap).
    write(a, Granted, data.data(), data.size());
    EXPECT_EQ(copy(ta, Syscall::GrantCopyFrom, grant, 0, Granted + 1000, 3000), 3000);
    std::vector<u8> up = data;
    std::copy(data.begin(), data.begin() + 3000, up.begin() + 1000);
    EXPECT_EQ(read(a, Granted, PageSize), up);
    // Downwards.
    write(a, Granted, data.data(), data.size());
    EXPECT_EQ(copy(ta, Syscall::GrantCopyTo, grant, 0, Granted + 1000, 3000), 3000);
    std::vector<u8> down = data;
    std::copy(data.begin() + 1000, data.begin() + 4000, down.begin());
    EXPECT_EQ(read(a, Granted, PageSize), down);
}

} // namespace
} // namespace grove::testing

#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/result.hpp>
#include <core/grant/grant.hpp>

namespace grove {

// The kernel's grants (DESIGN.md §7, the MINIX 3 model): Capacity slots, each a Grant, named from the groves' side
// by a 64-bit id (abi::make_handle: slot index in the low 32 bits, the slot's generation in the high 32; never 0).
// An id is honoured only while its slot is live with that generation; ending a grant (revoke, or its granter's
// end) moves the slot to the next generation, so every copy of the old id goes stale and a slot reused later
// answers only to its new id. Possessing an id gives nothing: a copy is checked against the grant's peer and
// rights (the kernel does that, GrantTable only finds the grant).
//
// A slot remembers how its last grant ended (until it is reused), so that a copy naming it is refused with the
// reason (revoked, granter gone) rather than as an unknown id. Slots are taken lowest index first: the ids a run
// hands out depend only on what the groves did.
//
// Accounting: created() = ended() + live(), checked by check_invariant(). Owned by the Kernel (static storage).
class GrantTable {
public:
    static constexpr usize Capacity = 1024;

    // The grant an id names, or why none: NoSuchGrant (out of range, never issued, or the slot was reused),
    // Revoked, GranterGone.
    struct Lookup {
        Grant const* grant = nullptr;
        GrantRefusal refusal = GrantRefusal::NoSuchGrant;
    };

    GrantTable() = default;
    GrantTable(GrantTable const&) = delete;
    GrantTable& operator=(GrantTable const&) = delete;

    // A new grant: its id. NoCapacity when every slot is live. The caller has checked everything else (the
    // range, the peer, the granter's limit).
    Result<u64> create(Grant const& grant);
    Lookup find(u64 id) const;
    // Ends grant `id` of `granter` (Revoked). BadHandle when the id names no live grant of that incarnation: a
    // grove cannot tell another grove's grants from ids that do not exist.
    Result<void> revoke(u64 id, GroveId granter);
    // Ends every live grant whose granter is grove serial `serial` (any incarnation), as GranterEnded, calling
    // on_end(id, grant) for each, in slot order.
    template<typename F>
    void end_all_of(u32 serial, F&& on_end) {
        for (usize i = 0; i < Capacity; ++i) {
            Slot& s = m_slots[i];
            if (!s.live || s.grant.granter.serial != serial) continue;
            Grant const ended = s.grant;
            u64 const id = abi::make_handle(static_cast<u32>(i), s.generation);
            end(s, GrantEnd::GranterEnded);
            on_end(id, ended);
        }
    }

    usize live() const { return m_live; }
    u64 created() const { return m_created; }
    u64 ended() const { return m_ended; }
    // created = ended + live, and live equals the live slots.
    bool check_invariant() const;

private:
    struct Slot {
        Grant grant;
        u32 generation = 1;       // the live grant's, or the next one's
        u32 ended_generation = 0; // the last grant that ended in this slot (0: none)
        GrantEnd ended_how = GrantEnd::Revoked;
        bool live = false;
    };
    void end(Slot& s, GrantEnd how);

    Slot m_slots[Capacity];
    usize m_live = 0;
    u64 m_created = 0;
    u64 m_ended = 0;
};

} // namespace grove

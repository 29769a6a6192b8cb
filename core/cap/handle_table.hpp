#pragma once
#include <core/abi/syscall.hpp>
#include <core/base/quota.hpp>
#include <core/base/result.hpp>
#include <core/base/slot_table.hpp>
#include <core/cap/rights.hpp>
#include <core/ipc/endpoint_ref.hpp>

namespace grove {

// How a handle came to be: the grove asked for it (Lookup, the own endpoint), or a service issued it to the grove
// (HandleIssue: one of the grove's open objects in that service, whose endpoint it names).
enum class HandleOrigin : u8 { Own, Issued };

// What a handle names: an endpoint and the rights this handle has on it.
struct HandleEntry {
    EndpointRef endpoint;
    Rights rights = Rights::None;
    HandleOrigin origin = HandleOrigin::Own;
};

// One grove's handles: Capacity entries, each an endpoint reference with rights, named from the grove's side by
// a 64-bit handle (abi::make_handle: slot index in the low 32 bits, the slot's generation in the high 32).
// Unforgeable: a handle is honoured only when its index is in range, the slot is live and its generation matches,
// so closing a handle makes every copy of its value useless, and a slot reused later answers only to the new value.
//
// Slot 0 is the grove's own endpoint with Receive rights, installed by reset(); it cannot be closed, and the
// handle value abi::OwnEndpointHandle (0) names it whatever its generation. Owned by the kernel, one per grove
// (static storage). Invariant: when the table has been reset, slot 0 holds the own endpoint with exactly Receive.
// used() is what the kernel charges against the grove's file-handle limit.
class HandleTable {
public:
    static constexpr usize Capacity = 256;

    HandleTable() = default;
    HandleTable(HandleTable const&) = delete;
    HandleTable& operator=(HandleTable const&) = delete;

    // Drops every handle (their values go stale) and installs `own` as slot 0 with Receive rights: a grove's
    // table at the start of each incarnation. `own` must be non-null.
    void reset(EndpointRef own);
    // Drops every handle, the own one included (the grove is gone).
    void clear() { m_entries.clear(); }

    // The endpoint of `handle` if it holds every right of `required`. BadHandle when the index is out of range,
    // the slot is free or the generation differs (a closed or forged handle); AccessDenied when a right is
    // missing. The endpoint itself may have closed since: the endpoint table answers that with PeerClosed.
    Result<EndpointRef> lookup(u64 handle, Rights required) const;
    // The entry of `handle`, or BadHandle.
    Result<HandleEntry> entry(u64 handle) const;

    // A new handle to `endpoint` with `rights` (for Lookup, or the kernel granting access). InvalidArgument for
    // a null endpoint or empty or unknown rights; InvalidState before reset() (slot 0 is the own endpoint's);
    // NoCapacity when the table is full. The caller checks the
    // grove's file-handle limit (used()) first. An issued handle (`origin` Issued) names its issuer's endpoint.
    Result<u64> insert(EndpointRef endpoint, Rights rights, HandleOrigin origin = HandleOrigin::Own);
    // A copy of `handle` with `rights`, into `destination` (this table or another grove's). BadHandle as
    // lookup; InvalidArgument for empty or unknown rights; AccessDenied when `rights` is not a subset of the
    // handle's (rights only narrow); NoCapacity when `destination` is full. The copy is the grove's own, never an
    // issued handle (only the issuer issues).
    Result<u64> duplicate(u64 handle, Rights rights, HandleTable& destination) const;
    Result<u64> duplicate(u64 handle, Rights rights) { return duplicate(handle, rights, *this); }
    // Closes `handle`: its value, and every copy of it, goes stale. BadHandle as lookup; AccessDenied for the own
    // endpoint's handle (slot 0).
    Result<void> close(u64 handle);
    // Whether `handle` is a live handle issued by the service whose endpoint is `issuer`.
    bool is_issued_by(u64 handle, EndpointRef issuer) const;
    // Closes every handle issued by the service whose endpoint is `issuer` (its incarnation ended); how many.
    u32 close_issued_by(EndpointRef issuer);

    bool has_own_endpoint() const;
    // Handles in use, the own endpoint's included.
    Count used() const { return Count(m_entries.size()); }
    usize size() const { return m_entries.size(); }
    bool is_full() const { return m_entries.is_full(); }

    static constexpr u64 handle_of(SlotRef slot) { return abi::make_handle(slot.index, slot.generation); }

private:
    // The slot a handle value names (OwnEndpointHandle maps to slot 0's current generation).
    SlotRef decode(u64 handle) const;
    HandleEntry const* find(u64 handle) const;

    SlotTable<HandleEntry, Capacity> m_entries;
};

} // namespace grove

#include <core/cap/handle_table.hpp>

namespace grove {

namespace {
constexpr u32 OwnSlot = 0;

bool is_usable(Rights rights) { return rights != Rights::None && is_known(rights); }
} // namespace

void HandleTable::reset(EndpointRef own) {
    GROVE_ASSERT(!own.is_null());
    m_entries.clear();
    SlotRef const slot = m_entries.insert(HandleEntry{own, Rights::Receive});
    GROVE_ASSERT(slot.index == OwnSlot);
}

SlotRef HandleTable::decode(u64 handle) const {
    if (handle == abi::OwnEndpointHandle) {
        SlotRef own;
        if (const_cast<SlotTable<HandleEntry, Capacity>&>(m_entries).at_index(OwnSlot, &own) == nullptr) return {};
        return own;
    }
    return SlotRef{static_cast<u32>(handle), static_cast<u32>(handle >> 32)};
}

bool HandleTable::has_own_endpoint() const {
    return const_cast<SlotTable<HandleEntry, Capacity>&>(m_entries).at_index(OwnSlot) != nullptr;
}

HandleEntry const* HandleTable::find(u64 handle) const { return m_entries.get(decode(handle)); }

Result<HandleEntry> HandleTable::entry(u64 handle) const {
    HandleEntry const* found = find(handle);
    if (found == nullptr) return Error::BadHandle;
    return *found;
}

Result<EndpointRef> HandleTable::lookup(u64 handle, Rights required) const {
    HandleEntry const* found = find(handle);
    if (found == nullptr) return Error::BadHandle;
    if (!has_rights(found->rights, required)) return Error::AccessDenied;
    return found->endpoint;
}

Result<u64> HandleTable::insert(EndpointRef endpoint, Rights rights, HandleOrigin origin) {
    if (endpoint.is_null() || !is_usable(rights)) return Error::InvalidArgument;
    if (!has_own_endpoint()) return Error::InvalidState;
    if (m_entries.is_full()) return Error::NoCapacity;
    SlotRef const slot = m_entries.insert(HandleEntry{endpoint, rights, origin});
    GROVE_ASSERT(!slot.is_null());
    return handle_of(slot);
}

Result<u64> HandleTable::duplicate(u64 handle, Rights rights, HandleTable& destination) const {
    HandleEntry const* found = find(handle);
    if (found == nullptr) return Error::BadHandle;
    if (!is_usable(rights)) return Error::InvalidArgument;
    if (!has_rights(found->rights, rights)) return Error::AccessDenied;
    return destination.insert(found->endpoint, rights);
}

Result<void> HandleTable::close(u64 handle) {
    SlotRef const slot = decode(handle);
    if (m_entries.get(slot) == nullptr) return Error::BadHandle;
    if (slot.index == OwnSlot) return Error::AccessDenied;
    bool const removed = m_entries.remove(slot);
    GROVE_ASSERT(removed);
    return ok();
}

bool HandleTable::is_issued_by(u64 handle, EndpointRef issuer) const {
    HandleEntry const* found = find(handle);
    return found != nullptr && found->origin == HandleOrigin::Issued && found->endpoint == issuer;
}

u32 HandleTable::close_issued_by(EndpointRef issuer) {
    u32 closed = 0;
    for (u32 i = 0; i < Capacity; ++i) {
        SlotRef slot;
        HandleEntry const* entry = m_entries.at_index(i, &slot);
        if (entry == nullptr || entry->origin != HandleOrigin::Issued || !(entry->endpoint == issuer)) continue;
        bool const removed = m_entries.remove(slot);
        GROVE_ASSERT(removed);
        ++closed;
    }
    return closed;
}

} // namespace grove

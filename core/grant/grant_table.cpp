#include <core/grant/grant_table.hpp>

namespace grove {

Result<u64> GrantTable::create(Grant const& grant) {
    for (usize i = 0; i < Capacity; ++i) {
        Slot& s = m_slots[i];
        if (s.live) continue;
        s.grant = grant;
        s.live = true;
        ++m_live;
        ++m_created;
        return abi::make_handle(static_cast<u32>(i), s.generation);
    }
    return Error::NoCapacity;
}

GrantTable::Lookup GrantTable::find(u64 id) const {
    u64 const index = id & 0xffff'ffff;
    u32 const generation = static_cast<u32>(id >> 32);
    if (index >= Capacity || generation == 0) return Lookup{};
    Slot const& s = m_slots[index];
    if (s.live && s.generation == generation) return Lookup{&s.grant, GrantRefusal::NoSuchGrant};
    if (!s.live && s.ended_generation == generation)
        return Lookup{nullptr, s.ended_how == GrantEnd::Revoked ? GrantRefusal::Revoked : GrantRefusal::GranterGone};
    return Lookup{};
}

Result<void> GrantTable::revoke(u64 id, GroveId granter) {
    Lookup const found = find(id);
    if (found.grant == nullptr || found.grant->granter != granter) return Error::BadHandle;
    end(m_slots[id & 0xffff'ffff], GrantEnd::Revoked);
    return {};
}

void GrantTable::end(Slot& s, GrantEnd how) {
    s.live = false;
    s.ended_generation = s.generation;
    s.ended_how = how;
    s.generation = s.generation == ~u32{0} ? 1 : s.generation + 1; // 0 is never an id's generation
    --m_live;
    ++m_ended;
}

bool GrantTable::check_invariant() const {
    usize live = 0;
    for (Slot const& s : m_slots) live += s.live ? 1 : 0;
    return live == m_live && m_created == m_ended + m_live;
}

} // namespace grove

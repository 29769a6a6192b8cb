#include <core/grove/registry.hpp>

namespace grove {

Result<void> Registry::check_can_add(GroveName const& name) const {
    if (is_full()) return Error::NoCapacity;
    if (find_by_name(name) != nullptr) return Error::AlreadyExists;
    return {};
}

Result<Grove*> Registry::add(GroveSpec const& spec) {
    TRY(check_can_add(spec.name));
    GroveSlot slot = 0;
    while (m_live[slot]) ++slot; // a free slot exists: not full
    Grove& g = m_slots[slot];
    g = Grove{};
    g.spec = spec;
    g.id = GroveId{m_next_serial++, 1};
    g.slot = slot;
    m_live[slot] = true;
    MUST(m_order.push_back(slot)); // not full: checked above
    ++m_changes;
    return &g;
}

Result<void> Registry::remove(GroveId id) {
    if (find(id) == nullptr) return Error::NotFound;
    usize const position = position_of_serial(id.serial);
    GroveSlot const slot = m_order[position];
    m_order.erase_at(position);
    m_live[slot] = false;
    m_slots[slot] = Grove{};
    ++m_changes;
    return {};
}

usize Registry::position_of_serial(u32 serial) const {
    for (usize i = 0; i < m_order.size(); ++i)
        if (m_slots[m_order[i]].id.serial == serial) return i;
    return m_order.size();
}

Grove const* Registry::find_serial(u32 serial) const {
    if (serial == 0) return nullptr;
    if (m_live[m_recent] && m_slots[m_recent].id.serial == serial) return &m_slots[m_recent];
    usize const position = position_of_serial(serial);
    if (position == m_order.size()) return nullptr;
    m_recent = m_order[position];
    return &m_slots[m_recent];
}
Grove* Registry::find_serial(u32 serial) {
    return const_cast<Grove*>(static_cast<Registry const*>(this)->find_serial(serial));
}

Grove const* Registry::find(GroveId id) const {
    Grove const* g = find_serial(id.serial);
    return g != nullptr && g->id.generation == id.generation ? g : nullptr;
}
Grove* Registry::find(GroveId id) { return const_cast<Grove*>(static_cast<Registry const*>(this)->find(id)); }

Grove const* Registry::find_by_name(char const* name, usize length) const {
    for (GroveSlot slot : m_order)
        if (m_slots[slot].spec.name.equals(name, length)) return &m_slots[slot];
    return nullptr;
}
Grove* Registry::find_by_name(char const* name, usize length) {
    return const_cast<Grove*>(static_cast<Registry const*>(this)->find_by_name(name, length));
}

StaticVector<GroveId, MaxGroves> Registry::list() const {
    StaticVector<GroveId, MaxGroves> ids;
    for (GroveSlot slot : m_order) MUST(ids.push_back(m_slots[slot].id));
    return ids;
}

} // namespace grove

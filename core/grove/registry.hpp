#pragma once
#include <core/base/static_vector.hpp>
#include <core/grove/capacity.hpp>
#include <core/grove/grove.hpp>

namespace grove {

// The table of registered groves: at most MaxGroves, unique names, serials assigned 1, 2, 3... and never reused.
// Records live in fixed slots, so a Grove* stays valid until that grove is removed. Lookups by GroveId reject a
// stale generation. Listing is in serial order (the order of loading), whatever slots were reused.
// Invariant: m_order holds the slot index of every live record, by increasing serial.
class Registry {
public:
    Registry() = default;
    Registry(Registry const&) = delete;
    Registry& operator=(Registry const&) = delete;

    // Checks that a grove of that name could be added: NoCapacity when full, AlreadyExists when the name is taken.
    Result<void> check_can_add(GroveName const& name) const;
    // Adds a record for `spec` in state Loading with the next serial and generation 1. Fails as check_can_add does,
    // and then changes nothing.
    Result<Grove*> add(GroveSpec const& spec);
    // Removes the record; NotFound when the id is unknown or stale.
    Result<void> remove(GroveId id);

    // The live record named by `id`, or null when unknown or stale (an older generation).
    Grove* find(GroveId id);
    Grove const* find(GroveId id) const;
    // The live record with this serial, whatever its generation, or null.
    Grove* find_serial(u32 serial);
    Grove const* find_serial(u32 serial) const;
    Grove* find_by_name(char const* name, usize length);
    Grove const* find_by_name(char const* name, usize length) const;
    Grove const* find_by_name(GroveName const& name) const { return find_by_name(name.c_str(), name.length()); }

    usize size() const { return m_order.size(); }
    bool is_full() const { return m_order.is_full(); }
    u32 next_serial() const { return m_next_serial; }
    // How many times a grove was added or removed: while it stays the same, every serial names the same grove (or
    // none), so a reader may keep what it learned about serials and names.
    u64 changes() const { return m_changes; }

    // The ids of every registered grove, in serial order.
    StaticVector<GroveId, MaxGroves> list() const;
    // Calls f(Grove&) for every registered grove in serial order. f must not add or remove groves.
    template<typename F>
    void for_each(F&& f) {
        for (GroveSlot slot : m_order) f(m_slots[slot]);
    }
    template<typename F>
    void for_each(F&& f) const {
        for (GroveSlot slot : m_order) f(static_cast<Grove const&>(m_slots[slot]));
    }

private:
    usize position_of_serial(u32 serial) const;

    Grove m_slots[MaxGroves];
    bool m_live[MaxGroves]{};
    StaticVector<GroveSlot, MaxGroves> m_order;
    u32 m_next_serial = 1;
    u64 m_changes = 0;
    // The slot of the last record found by serial, tried first: a grove that sends or traps again and again is
    // found without a scan. A hint only; whatever it holds, find_serial checks the slot.
    mutable GroveSlot m_recent = 0;
};

} // namespace grove

#pragma once
#include <core/base/assert.hpp>
#include <core/base/std.hpp>

namespace grove {

// A reference into a SlotTable: slot index and the generation of the object that lived there when the reference
// was made. Generation 0 never names a live object, so a zero-initialised SlotRef is always invalid.
struct SlotRef {
    u32 index = 0;
    u32 generation = 0;
    constexpr bool operator==(SlotRef const&) const = default;
    constexpr bool is_null() const { return generation == 0; }
};

// N slots of T addressed by SlotRef. Removing an object bumps its slot's generation, so every reference made
// before the removal goes stale and get() returns null for it: a reference cannot be forged or reused by
// guessing an index. Free slots are reused lowest index first, which keeps the table deterministic.
template<typename T, usize N>
class SlotTable {
    static_assert(N > 0 && N < (1u << 31));

public:
    static constexpr usize Capacity = N;

    SlotTable() = default;
    SlotTable(SlotTable const&) = delete;
    SlotTable& operator=(SlotTable const&) = delete;
    ~SlotTable() { clear(); }

    // Constructs an object in the lowest free slot; null ref when the table is full.
    template<typename... Args>
    SlotRef insert(Args&&... args) {
        for (u32 i = 0; i < N; ++i) {
            Slot& s = m_slots[i];
            if (s.live) continue;
            new (s.storage) T(static_cast<Args&&>(args)...);
            s.live = true;
            ++m_size;
            return SlotRef{i, s.generation};
        }
        return SlotRef{};
    }

    T* get(SlotRef ref) {
        if (ref.index >= N) return nullptr;
        Slot& s = m_slots[ref.index];
        if (!s.live || s.generation != ref.generation) return nullptr;
        return object(s);
    }
    T const* get(SlotRef ref) const { return const_cast<SlotTable*>(this)->get(ref); }

    // Removes the object; false when the reference is stale or out of range (nothing changes then).
    bool remove(SlotRef ref) {
        if (get(ref) == nullptr) return false;
        Slot& s = m_slots[ref.index];
        object(s)->~T();
        s.live = false;
        s.generation = s.generation == ~u32{0} ? 1 : s.generation + 1;
        --m_size;
        return true;
    }

    void clear() {
        for (u32 i = 0; i < N; ++i)
            if (m_slots[i].live) (void)remove(SlotRef{i, m_slots[i].generation});
    }

    // The live object at a slot index, with its current reference; null when the slot is free.
    T* at_index(u32 index, SlotRef* ref_out = nullptr) {
        if (index >= N || !m_slots[index].live) return nullptr;
        if (ref_out != nullptr) *ref_out = SlotRef{index, m_slots[index].generation};
        return object(m_slots[index]);
    }

    usize size() const { return m_size; }
    bool is_full() const { return m_size == N; }
    bool is_empty() const { return m_size == 0; }

    // Visits live objects in slot order: f(SlotRef, T&).
    template<typename F>
    void for_each(F&& f) {
        for (u32 i = 0; i < N; ++i)
            if (m_slots[i].live) f(SlotRef{i, m_slots[i].generation}, *object(m_slots[i]));
    }

private:
    struct Slot {
        alignas(T) unsigned char storage[sizeof(T)];
        u32 generation = 1;
        bool live = false;
    };
    static T* object(Slot& s) { return std::launder(reinterpret_cast<T*>(s.storage)); }

    Slot m_slots[N];
    usize m_size = 0;
};

} // namespace grove

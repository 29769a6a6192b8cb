#pragma once
#include <core/base/slot_table.hpp>

namespace grove {

// A reference to an endpoint in the EndpointTable: slot index and generation. Closing the endpoint bumps the
// generation, so a reference kept from before (in a handle table, say) reaches nothing afterwards, even when the
// slot holds a new endpoint. A zero-initialised reference is null and never valid.
struct EndpointRef {
    SlotRef slot;

    constexpr bool is_null() const { return slot.is_null(); }
    constexpr bool operator==(EndpointRef const&) const = default;
};

} // namespace grove

#pragma once
#include <core/sched/scheduler.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace grove::testing {

// A Scheduler is large (its whole thread table is inline): tests keep it on the heap.
inline std::unique_ptr<Scheduler> make_scheduler(SchedulerConfig config = {}) {
    auto s = std::make_unique<Scheduler>(config);
    // Unthrottled unless a test says otherwise, so that only the policy under test decides.
    for (GroveSlot slot = 0; slot < MaxGroveSlots; ++slot) EXPECT_TRUE(s->set_cpu_limit(slot, 100).has_value());
    return s;
}

inline ThreadId spawn(Scheduler& s, GroveSlot grove_slot, u32 priority) {
    auto id = s.create(grove_slot, priority);
    EXPECT_TRUE(id.has_value());
    return id.value_or(ThreadId());
}

} // namespace grove::testing

#pragma once
#include <core/base/result.hpp>
#include <core/plan/boot_plan.hpp>

namespace grove {

// The bytes the binary form of `plan` takes (plan_format.hpp).
usize boot_plan_size(BootPlan const& plan);

// Writes the binary form of `plan` into `out` and returns its size. NoCapacity when `out` is smaller than
// boot_plan_size(plan) (nothing is written). The writer does not validate: read_boot_plan is the one judge of a
// plan, and a host that builds one should read it back.
Result<usize> write_boot_plan(BootPlan const& plan, Span<u8> out);

} // namespace grove

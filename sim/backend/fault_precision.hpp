#pragma once
#include <core/base/std.hpp>

namespace grove::sim {

// How exactly the simulator reports a fault of a data access (a load or store that touches an unmapped page or
// one without the permission), chosen per machine (UnicornArch) when it is made.
//
// Unicorn 2.0.1 keeps rip current inside a translated block only when a memory hook exists, and any memory hook
// sends every guest load (and store) through its slow path. Without one, a data fault reports a stale rip (the start
// of an earlier block), so the pc, the instructions taken back from the block and hence the virtual time are wrong.
// Instruction fetches, syscalls, #UD, #DE, #GP, breakpoints, stop sites and timer preemption are exact either way.
enum class FaultPrecision : u8 {
    // A memory hook keeps rip exact at every access: every trap is exact. Every load costs the slow path.
    Exact,
    // No memory hook: loads run at Unicorn's full speed. A data fault is still delivered, but marked as possibly
    // inexact (UnicornArch::has_inexact_fault): the run must be discarded and replayed with Exact, which the
    // simulator's determinism makes reach the same fault.
    Fast,
};

} // namespace grove::sim

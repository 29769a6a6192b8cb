#pragma once
#include <core/base/units.hpp>

namespace grove::sim {

// Virtual time of the simulator: a pure function of what ran. Every retired guest instruction costs one tick
// (core/base/units.hpp), every trap handed to the kernel costs TrapCost more, and the kernel's idle skip jumps
// forward. Nothing here reads a host clock. One clock per machine, shared by every address space.
class VirtualClock {
public:
    // What one trap (syscall, fault, timer) costs beside the instructions that led to it: the kernel's entry and
    // exit path, fixed so that a syscall-heavy grove still advances time deterministically.
    static constexpr Ticks TrapCost = Ticks(100);
    // What an instruction the backend emulates in a hook (rdtsc, cpuid, in, out; ins and outs once, beside a tick
    // per element) costs instead of one tick: a trap's cost. Real port I/O takes about a microsecond, and the host
    // spends a few hundred ns on each such instruction, so a grove that loops on one cannot make a virtual second
    // cost more than a few seconds of host time.
    static constexpr Ticks DeviceInstructionCost = TrapCost;

    Ticks now() const { return Ticks(m_now); }
    Ticks deadline() const { return Ticks(m_deadline); }
    void set_deadline(Ticks deadline) { m_deadline = deadline.value; }
    bool deadline_reached() const { return m_now >= m_deadline; }

    void retire(u64 instructions) { m_now += instructions; }
    // Takes back instructions counted ahead (a block that did not run to its end). The caller guarantees they
    // were counted.
    void unretire(u64 instructions) { m_now -= instructions; }
    void charge_trap() { m_now += TrapCost.value; }
    // Never moves backwards.
    void advance_to(Ticks t) {
        if (t.value > m_now) m_now = t.value;
    }

private:
    u64 m_now = 0;
    u64 m_deadline = ~u64{0};
};

} // namespace grove::sim

#pragma once
#include <core/base/units.hpp>

namespace grove::sim {

class UnicornArch;
class UnicornSpace;

// Sees every guest instruction of a machine before it executes (a debugger: sim/gdb/). Installed on a UnicornArch
// before its first address space, it makes each space run a code hook on every instruction (much slower) and
// nothing else: the observer changes neither the virtual clock nor the trap that ends a run, so the run's events
// and digest are those of a run without it, unless it writes registers or memory itself.
class InstructionObserver {
public:
    enum class Verdict : u8 {
        Continue, // the instruction executes
        Abandon,  // the run is given up before it executes (a debugger replays from the start instead)
    };

    virtual ~InstructionObserver() = default;

    // A run starts on `arch` (which installs the observer with UnicornArch::set_instruction_observer); it lasts until
    // the next attach or the observer's end.
    virtual void attach(UnicornArch& arch) = 0;
    // True once on_instruction has abandoned the current run: its result is to be discarded.
    virtual bool has_abandoned() const = 0;

    // `space` is the address space whose engine runs, `thread` the ThreadId index whose registers are in it (read
    // and written through `space` for the length of the call), `pc` the instruction, `time` the virtual time at
    // which it starts. Abandon makes the resume return an EmulatorError trap at `pc`, which the caller discards.
    virtual Verdict on_instruction(UnicornSpace& space, u32 thread, u64 pc, Ticks time) = 0;
};

} // namespace grove::sim

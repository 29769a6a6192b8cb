#pragma once
#include <core/arch/arch.hpp>
#include <core/base/units.hpp>
#include <core/grove/capabilities.hpp>

#include <vector>

namespace grove::sim {

class InterruptController;

// What a read of `size` bytes (1, 2, 4 or 8) gives where nothing answers on a PC: all ones.
constexpr u64 all_ones(u8 size) { return size >= 8 ? ~u64{0} : (u64{1} << (8 * size)) - 1; }

// A device model on the simulator's bus (DeviceBus). It claims port ranges and physical-memory regions; the bus
// hands it the accesses to them and steps it in virtual time. A model is deterministic: its state is a function of the accesses it was given,
// their virtual times, and what it was built with (an image, the run's seed); it never reads the host clock or
// host randomness. It raises interrupts through the controller it was given, at the virtual time of the event.
class Device {
public:
    virtual ~Device() = default;
    Device(Device const&) = delete;
    Device& operator=(Device const&) = delete;

    virtual char const* name() const = 0;
    // The ports it answers (fixed for its life).
    virtual std::vector<IoPortRange> ports() const = 0;
    // An access of `size` bytes (1, 2 or 4) at `port`, one of its own, at virtual time `now`; advance_to(now) has
    // run. A read returns the value in the low `size` bytes.
    virtual u32 read_port(u16 port, u8 size, Ticks now) = 0;
    virtual void write_port(u16 port, u8 size, u32 value, Ticks now) = 0;
    // The physical-memory regions it answers (fixed for its life; none unless it says so), and an access of `size`
    // bytes (1, 2, 4 or 8) at physical `address`, inside one of them, at virtual time `now`, after advance_to(now).
    // A read returns the value in the low `size` bytes.
    virtual std::vector<PhysicalRange> regions() const { return {}; }
    virtual u64 read_memory(u64 address, u8 size, Ticks now) {
        (void)address;
        (void)now;
        return all_ones(size);
    }
    virtual void write_memory(u64 address, u8 size, u64 value, Ticks now) {
        (void)address;
        (void)size;
        (void)value;
        (void)now;
    }
    // The next virtual time at which the device changes by itself (finishes a command, raises an interrupt), or
    // Ticks::max() when it waits for an access.
    virtual Ticks next_event() const = 0;
    // Everything due at or before `now` happens, in time order.
    virtual void advance_to(Ticks now) = 0;

protected:
    Device() = default;
};

} // namespace grove::sim

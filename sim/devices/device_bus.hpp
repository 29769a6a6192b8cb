#pragma once
#include <core/base/result.hpp>
#include <sim/devices/device.hpp>
#include <sim/devices/interrupt_controller.hpp>

#include <memory>
#include <vector>

namespace grove::sim {

// The simulated machine's I/O bus: the port accesses groves make (those their io_port capability allows; the
// backend checks that first) go to the device model that claims the port, stepped to the access's virtual time
// first; so do the accesses to physical memory that a grove mapped with PhysicalMap (its physical capability,
// checked by the core), to the device that claims the address. A port or physical address no device claims
// behaves as on a PC with nothing there: reads give all ones, writes are ignored; it is never backed by RAM.
// Owns its devices and the interrupt controller they raise lines on. Devices are stepped in the order they were
// attached, so the order of their interrupts within one moment is fixed.
class DeviceBus {
public:
    DeviceBus() = default;
    DeviceBus(DeviceBus const&) = delete;
    DeviceBus& operator=(DeviceBus const&) = delete;

    InterruptController& interrupts() { return m_interrupts; }
    InterruptController const& interrupts() const { return m_interrupts; }

    // Attaches a device. AlreadyExists (and nothing attached) when one of its ports or physical addresses is
    // claimed already; InvalidArgument for a port range with first > last, an empty or wrapping region, or two of
    // its own ranges that overlap.
    Result<void> attach(std::unique_ptr<Device> device);
    // The device that claims `port`, or null.
    Device* device_at(u16 port) const;
    usize device_count() const { return m_devices.size(); }

    u32 read(u16 port, u8 size, Ticks now);
    void write(u16 port, u8 size, u32 value, Ticks now);
    // The device whose region holds physical `address`, or null; an access of `size` bytes (1, 2, 4 or 8) there.
    Device* device_at_physical(u64 address) const;
    u64 read_memory(u64 address, u8 size, Ticks now);
    void write_memory(u64 address, u8 size, u64 value, Ticks now);
    // The earliest next_event() of the devices (Ticks::max() with none).
    Ticks next_event() const;
    // Steps every device to `now`.
    void advance_to(Ticks now);

private:
    struct Claim {
        IoPortRange range;
        Device* device;
    };
    std::vector<std::unique_ptr<Device>> m_devices;
    std::vector<Claim> m_claims;
    struct RegionClaim {
        PhysicalRange range;
        Device* device;
    };
    std::vector<RegionClaim> m_regions;
    InterruptController m_interrupts;
};

} // namespace grove::sim

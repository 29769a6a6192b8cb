#pragma once
#include <core/base/result.hpp>
#include <sim/devices/device.hpp>
#include <sim/devices/interrupt_controller.hpp>

#include <memory>
#include <vector>

namespace grove::sim {

// The simulated machine's I/O bus: the port accesses groves make (those their io_port capability allows; the
// backend checks that first) go to the device model that claims the port, stepped to the access's virtual time
// first. A port no device claims behaves as on a PC with nothing there: reads give all ones, writes are ignored.
// Owns its devices and the interrupt controller they raise lines on. Devices are stepped in the order they were
// attached, so the order of their interrupts within one moment is fixed.
class DeviceBus {
public:
    DeviceBus() = default;
    DeviceBus(DeviceBus const&) = delete;
    DeviceBus& operator=(DeviceBus const&) = delete;

    InterruptController& interrupts() { return m_interrupts; }
    InterruptController const& interrupts() const { return m_interrupts; }

    // Attaches a device. AlreadyExists (and nothing attached) when one of its ports is claimed already;
    // InvalidArgument for a range with first > last.
    Result<void> attach(std::unique_ptr<Device> device);
    // The device that claims `port`, or null.
    Device* device_at(u16 port) const;
    usize device_count() const { return m_devices.size(); }

    u32 read(u16 port, u8 size, Ticks now);
    void write(u16 port, u8 size, u32 value, Ticks now);
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
    InterruptController m_interrupts;
};

} // namespace grove::sim

#include <sim/devices/device_bus.hpp>

namespace grove::sim {

Result<void> DeviceBus::attach(std::unique_ptr<Device> device) {
    std::vector<IoPortRange> const ranges = device->ports();
    for (usize i = 0; i < ranges.size(); ++i) {
        IoPortRange const& range = ranges[i];
        if (range.first > range.last) return Error::InvalidArgument;
        auto overlaps = [&](IoPortRange const& other) {
            return range.first <= other.last && other.first <= range.last;
        };
        for (Claim const& claim : m_claims)
            if (overlaps(claim.range)) return Error::AlreadyExists;
        for (usize j = 0; j < i; ++j)
            if (overlaps(ranges[j])) return Error::InvalidArgument;
    }
    std::vector<PhysicalRange> const regions = device->regions();
    for (usize i = 0; i < regions.size(); ++i) {
        PhysicalRange const& region = regions[i];
        if (!region.is_valid()) return Error::InvalidArgument;
        auto overlaps = [&](PhysicalRange const& other) {
            return region.base.value < other.end() && other.base.value < region.end();
        };
        for (RegionClaim const& claim : m_regions)
            if (overlaps(claim.range)) return Error::AlreadyExists;
        for (usize j = 0; j < i; ++j)
            if (overlaps(regions[j])) return Error::InvalidArgument;
    }
    for (IoPortRange const& range : ranges) m_claims.push_back(Claim{range, device.get()});
    for (PhysicalRange const& region : regions) m_regions.push_back(RegionClaim{region, device.get()});
    m_devices.push_back(std::move(device));
    return {};
}

Device* DeviceBus::device_at(u16 port) const {
    for (Claim const& claim : m_claims)
        if (claim.range.contains(port)) return claim.device;
    return nullptr;
}

u32 DeviceBus::read(u16 port, u8 size, Ticks now) {
    advance_to(now);
    Device* device = device_at(port);
    if (device == nullptr) return static_cast<u32>(all_ones(size >= 4 ? 4 : size));
    return device->read_port(port, size, now);
}

void DeviceBus::write(u16 port, u8 size, u32 value, Ticks now) {
    advance_to(now);
    if (Device* device = device_at(port)) device->write_port(port, size, value, now);
}

Device* DeviceBus::device_at_physical(u64 address) const {
    for (RegionClaim const& claim : m_regions)
        if (address >= claim.range.base.value && address < claim.range.end()) return claim.device;
    return nullptr;
}

u64 DeviceBus::read_memory(u64 address, u8 size, Ticks now) {
    advance_to(now);
    Device* device = device_at_physical(address);
    if (device == nullptr) return all_ones(size);
    return device->read_memory(address, size, now);
}

void DeviceBus::write_memory(u64 address, u8 size, u64 value, Ticks now) {
    advance_to(now);
    if (Device* device = device_at_physical(address)) device->write_memory(address, size, value, now);
}

Ticks DeviceBus::next_event() const {
    Ticks next = Ticks::max();
    for (auto const& device : m_devices) {
        Ticks const t = device->next_event();
        if (t < next) next = t;
    }
    return next;
}

void DeviceBus::advance_to(Ticks now) {
    for (auto const& device : m_devices) device->advance_to(now);
}

} // namespace grove::sim

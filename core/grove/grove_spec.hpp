#pragma once
#include <core/grove/capabilities.hpp>
#include <core/grove/grove_name.hpp>
#include <core/grove/image.hpp>
#include <core/grove/limits.hpp>
#include <core/grove/respawn.hpp>

namespace grove {

// The services a grove provides (DESIGN.md §7): a set of the service kinds (Filesystem, Graphics, Network). The
// kernel refuses a send or call to a grove that provides one to a grove without that capability (Kernel's IPC
// policy). Invariant: only service kinds are in the set.
class ProvidedServices {
public:
    // Adds a service; InvalidArgument for a kind that is not a service kind (is_service_capability).
    Result<void> add(CapabilityKind kind) {
        if (!is_service_capability(kind)) return Error::InvalidArgument;
        m_bits = static_cast<u16>(m_bits | bit(kind));
        return {};
    }
    // The set of bit (1 << CapabilityKind); InvalidArgument when a bit names no service kind.
    static Result<ProvidedServices> from_bits(u16 bits) {
        ProvidedServices services;
        if ((bits & ~AllBits) != 0) return Error::InvalidArgument;
        services.m_bits = bits;
        return services;
    }
    u16 bits() const { return m_bits; }
    bool is_empty() const { return m_bits == 0; }
    bool provides(CapabilityKind kind) const { return (m_bits & bit(kind)) != 0; }
    // The service kinds in the order of CapabilityKind, for checks that go through each.
    static constexpr CapabilityKind Kinds[] = {CapabilityKind::Filesystem, CapabilityKind::Graphics,
                                               CapabilityKind::Network};

private:
    static constexpr u16 bit(CapabilityKind kind) { return capability_bit(kind); }
    static constexpr u16 AllBits = capability_bit(CapabilityKind::Filesystem) |
                                   capability_bit(CapabilityKind::Graphics) | capability_bit(CapabilityKind::Network);
    u16 m_bits = 0;
};

inline constexpr usize MaxArguments = 8;
inline constexpr usize MaxArgumentLength = 63;
using GroveArgument = FixedString<MaxArgumentLength>;

// Everything needed to load a grove, as a scenario or a boot plan gives it. The manager keeps a copy for as long as
// the grove is registered (respawns load the same image again); the image's file bytes are referenced, not copied.
struct GroveSpec {
    GroveName name;
    Capabilities capabilities;
    ResourceLimits limits;
    RespawnPolicy respawn = RespawnPolicy::never();
    RestartBudget restart_budget;
    u8 priority = 0; // the scheduler's to interpret; carried unchanged
    ImagePlan image;
    StaticVector<GroveArgument, MaxArguments> arguments; // argv[1..]; argv[0] is the name
    Ticks stop_timeout = milliseconds(100);              // a graceful stop is a kill after this long
    Ticks watchdog_timeout{};                            // no heartbeat for this long is a crash; zero: no watchdog
    ProvidedServices provides;                           // what a grove must hold to send to it or call it
};

} // namespace grove

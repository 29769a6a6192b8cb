#include <core/grove/spawn_spec.hpp>

#include <gtest/gtest.h>

#include <cstring>

namespace grove {
namespace {

GroveName name(char const* s) { return make_grove_name(s).value(); }

void set_text(abi::ServiceText& t, char const* text) {
    t = abi::ServiceText{};
    t.length = static_cast<u8>(std::strlen(text));
    std::memcpy(t.text, text, t.length);
}

// A spawner holding thread_create, sending to echo, receiving from itself, with the default limits.
GroveSpec spawner() {
    GroveSpec s;
    s.name = name("spawner");
    EXPECT_TRUE(s.capabilities.grant(CapabilityKind::ThreadCreate).has_value());
    EXPECT_TRUE(s.capabilities.grant_send_to(name("echo")).has_value());
    EXPECT_TRUE(s.capabilities.grant_receive_from(name("spawner")).has_value());
    EXPECT_TRUE(s.capabilities.grant_manage(name("spawner")).has_value());
    s.limits.policy = ViolationPolicy::Kill;
    s.priority = 7;
    return s;
}

abi::ServiceSpec request() {
    abi::ServiceSpec r{};
    r.grant = 1;
    r.image_length = 4096;
    r.memory = 1024 * 1024;
    r.threads = 2;
    r.cpu_percent = 20;
    r.grants = 4;
    r.respawn = static_cast<u8>(abi::ServiceRespawn::Limited);
    r.respawn_limit = 3;
    set_text(r.name, "worker");
    r.argument_count = 1;
    set_text(r.arguments[0], "10");
    r.flags = 1u << static_cast<u8>(CapabilityKind::ThreadCreate);
    r.send_count = 1;
    set_text(r.send_to[0], "echo");
    r.receive_count = 1;
    set_text(r.receive_from[0], "spawner");
    return r;
}

Result<void, SpawnRefusal> narrow(abi::ServiceSpec const& r, GroveSpec& out) {
    return narrow_spawn_spec(r, nullptr, spawner(), out);
}

TEST(SpawnSpec, BuildsTheSpecFromTheRequestAndTheSpawner) {
    GroveSpec out;
    ASSERT_TRUE(narrow(request(), out).has_value());
    EXPECT_TRUE(out.name.equals("worker", 6));
    ASSERT_EQ(out.arguments.size(), 1u);
    EXPECT_TRUE(out.arguments[0].equals("10", 2));
    EXPECT_TRUE(out.capabilities.has(CapabilityKind::ThreadCreate));
    EXPECT_TRUE(out.capabilities.allows_send_to(name("echo")));
    EXPECT_TRUE(out.capabilities.allows_receive_from(name("spawner")));
    EXPECT_FALSE(out.capabilities.has(CapabilityKind::ServiceManage)); // never passed on
    EXPECT_EQ(out.limits.memory, mebibytes(1));
    EXPECT_EQ(out.limits.threads.value, 2u);
    EXPECT_EQ(out.limits.cpu_percent, 20u);
    EXPECT_EQ(out.limits.grants.value, 4u);
    EXPECT_EQ(out.limits.policy, ViolationPolicy::Kill); // the spawner's
    EXPECT_EQ(out.priority, 7);
    EXPECT_EQ(out.respawn, RespawnPolicy::limited(3));
    EXPECT_TRUE(out.image.segments.is_empty());
}

TEST(SpawnSpec, RefusesAFlagTheSpawnerLacks) {
    abi::ServiceSpec r = request();
    r.flags |= 1u << static_cast<u8>(CapabilityKind::Network);
    GroveSpec out;
    auto const refused = narrow(r, out);
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error().error, Error::AccessDenied);
    EXPECT_EQ(refused.error().capability, CapabilityKind::Network);
}

TEST(SpawnSpec, RefusesAPeerTheSpawnerMayNotPassOn) {
    GroveSpec out;
    abi::ServiceSpec r = request();
    set_text(r.send_to[0], "disk");
    auto refused = narrow(r, out);
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error().error, Error::AccessDenied);
    EXPECT_EQ(refused.error().capability, CapabilityKind::IpcSend);
    EXPECT_TRUE(refused.error().peer.equals("disk", 4));
    // "*" only from a spawner that holds "*".
    r = request();
    set_text(r.receive_from[0], "*");
    refused = narrow(r, out);
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error().capability, CapabilityKind::IpcReceive);
    EXPECT_TRUE(refused.error().peer.equals("*", 1));
    GroveSpec open = spawner();
    ASSERT_TRUE(open.capabilities.grant_receive_from_any().has_value());
    EXPECT_TRUE(narrow_spawn_spec(r, nullptr, open, out).has_value());
    EXPECT_TRUE(out.capabilities.allows_receive_from(name("anyone")));
}

TEST(SpawnSpec, RefusesLimitsAboveTheSpawners) {
    GroveSpec out;
    for (int which = 0; which < 4; ++which) {
        abi::ServiceSpec r = request();
        if (which == 0) r.memory = DefaultGroveMemory.value + PageSize;
        if (which == 1) r.threads = static_cast<u32>(DefaultGroveThreads.value + 1);
        if (which == 2) r.cpu_percent = 51;
        if (which == 3) r.grants = DefaultGrants + 1;
        auto const refused = narrow(r, out);
        ASSERT_TRUE(refused.is_error()) << which;
        EXPECT_EQ(refused.error().error, Error::LimitExceeded) << which;
    }
    abi::ServiceSpec r = request();
    r.memory = DefaultGroveMemory.value; // equal is allowed
    EXPECT_TRUE(narrow(r, out).has_value());
}

TEST(SpawnSpec, RefusesMalformedRequestsBeforeLookingAtTheSpawner) {
    GroveSpec out;
    auto invalid = [&](auto&& change) {
        abi::ServiceSpec r = request();
        r.flags |= 1u << static_cast<u8>(CapabilityKind::Network); // would be AccessDenied if well formed
        change(r);
        auto const refused = narrow(r, out);
        return refused.is_error() && refused.error().error == Error::InvalidArgument;
    };
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { r.name.length = 0; }));
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { set_text(r.name, "two words"); }));
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { r.name.text[20] = 'x'; })); // not zero-padded
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { r.argument_count = abi::MaxServiceArguments + 1; }));
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { r.send_count = abi::MaxServicePeers + 1; }));
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { r.respawn = 4; }));
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { r.reserved[1] = 1; }));
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { r.flags |= 1u << static_cast<u8>(CapabilityKind::IoPort); }));
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { r.flags |= 1u << 15; }));
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { r.memory = 0; }));
    EXPECT_TRUE(invalid([](abi::ServiceSpec& r) { r.cpu_percent = 101; }));
}

// A driver's spawner without crash watch: the ATA ports and line, a framebuffer and control of its workers.
GroveSpec unwatching_device_spawner() {
    GroveSpec s = spawner();
    EXPECT_TRUE(s.capabilities.grant_io_ports(IoPortRange{0x1F0, 0x1F7}).has_value());
    EXPECT_TRUE(s.capabilities.grant_physical(PhysicalRange{PhysAddr{0xFD000000}, mebibytes(16)}).has_value());
    EXPECT_TRUE(s.capabilities.grant_irq(14).has_value());
    EXPECT_TRUE(s.capabilities.grant_manage(name("worker")).has_value());
    return s;
}

// A driver's spawner: that, and crash watch over "*".
GroveSpec device_spawner() {
    GroveSpec s = unwatching_device_spawner();
    EXPECT_TRUE(s.capabilities.grant_watch_any().has_value());
    return s;
}

abi::ServiceAuthority subset() {
    abi::ServiceAuthority a{};
    a.port_count = 1;
    a.ports[0] = {0x1F2, 0x1F7};
    a.physical_count = 1;
    a.physical[0] = {0xFD000000 + 4096, 640 * 480 * 4};
    a.irq_lines = 1u << 14;
    a.watch_count = 1;
    set_text(a.watch[0], "ata");
    a.manage_count = 1;
    set_text(a.manage[0], "worker");
    return a;
}

TEST(SpawnSpec, PassesOnASubsetOfTheSpawnersDevicesAndControl) {
    GroveSpec out;
    abi::ServiceAuthority const a = subset();
    ASSERT_TRUE(narrow_spawn_spec(request(), &a, device_spawner(), out).has_value());
    Capabilities const& c = out.capabilities;
    EXPECT_TRUE(c.allows_io_ports(IoPortRange{0x1F2, 0x1F7}));
    EXPECT_FALSE(c.allows_io_port(0x1F0));
    EXPECT_TRUE(c.allows_physical(PhysicalRange{PhysAddr{0xFD001000}, Bytes(640 * 480 * 4)}));
    EXPECT_FALSE(c.allows_physical(PhysicalRange{PhysAddr{0xFD000000}, Bytes(4096)}));
    EXPECT_EQ(c.irq_lines(), 1u << 14);
    EXPECT_TRUE(c.allows_watch(name("ata")));
    EXPECT_FALSE(c.allows_watch(name("echo")));
    EXPECT_TRUE(c.allows_manage(name("worker")));
    EXPECT_FALSE(c.allows_manage(name("spawner")));
    // Without an authority, none of it.
    ASSERT_TRUE(narrow_spawn_spec(request(), nullptr, device_spawner(), out).has_value());
    for (CapabilityKind k : {CapabilityKind::IoPort, CapabilityKind::PhysicalMemory, CapabilityKind::Irq,
                             CapabilityKind::CrashWatch, CapabilityKind::ServiceManage})
        EXPECT_FALSE(out.capabilities.has(k)) << capability_kind_name(k);
}

TEST(SpawnSpec, RefusesDevicesAndControlBeyondTheSpawners) {
    GroveSpec out;
    auto refusal = [&](auto&& change) {
        abi::ServiceAuthority a = subset();
        change(a);
        auto const refused = narrow_spawn_spec(request(), &a, device_spawner(), out);
        EXPECT_TRUE(refused.is_error());
        return refused.is_error() ? refused.error() : SpawnRefusal{};
    };
    SpawnRefusal r = refusal([](abi::ServiceAuthority& a) { a.ports[0] = {0x1F0, 0x1F8}; }); // one port past
    EXPECT_EQ(r.error, Error::AccessDenied);
    EXPECT_EQ(r.capability, CapabilityKind::IoPort);
    EXPECT_EQ(r.detail, 0x1F0u);
    r = refusal([](abi::ServiceAuthority& a) { a.physical[0] = {0xFCFFF000, 8192}; }); // starts below the range
    EXPECT_EQ(r.error, Error::AccessDenied);
    EXPECT_EQ(r.capability, CapabilityKind::PhysicalMemory);
    EXPECT_EQ(r.detail, 0xFCFFF000u);
    r = refusal([](abi::ServiceAuthority& a) { a.irq_lines |= 1u << 15; });
    EXPECT_EQ(r.error, Error::AccessDenied);
    EXPECT_EQ(r.capability, CapabilityKind::Irq);
    EXPECT_EQ(r.detail, 15u);
    r = refusal([](abi::ServiceAuthority& a) { set_text(a.manage[0], "*"); }); // "*" only from "*"
    EXPECT_EQ(r.error, Error::AccessDenied);
    EXPECT_EQ(r.capability, CapabilityKind::ServiceManage);
    EXPECT_TRUE(r.peer.equals("*", 1));
    // Every device of the subset but no crash watch at all: refused for the watch, naming the peer.
    abi::ServiceAuthority const a = subset();
    auto const refused = narrow_spawn_spec(request(), &a, unwatching_device_spawner(), out);
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error().error, Error::AccessDenied);
    EXPECT_EQ(refused.error().capability, CapabilityKind::CrashWatch);
    EXPECT_TRUE(refused.error().peer.equals("ata", 3));
}

TEST(SpawnSpec, RefusesAMalformedAuthorityBeforeLookingAtTheSpawner) {
    GroveSpec out;
    GroveSpec const bare = spawner(); // holds none of it: AccessDenied if well formed
    auto invalid = [&](auto&& change) {
        abi::ServiceAuthority a = subset();
        change(a);
        auto const refused = narrow_spawn_spec(request(), &a, bare, out);
        return refused.is_error() && refused.error().error == Error::InvalidArgument;
    };
    EXPECT_TRUE(invalid([](abi::ServiceAuthority& a) { a.reserved[0] = 1; }));
    EXPECT_TRUE(invalid([](abi::ServiceAuthority& a) { a.port_count = abi::MaxServicePortRanges + 1; }));
    EXPECT_TRUE(invalid([](abi::ServiceAuthority& a) { a.physical_count = abi::MaxServicePhysicalRanges + 1; }));
    EXPECT_TRUE(invalid([](abi::ServiceAuthority& a) { a.watch_count = abi::MaxServicePeers + 1; }));
    EXPECT_TRUE(invalid([](abi::ServiceAuthority& a) { a.ports[0] = {0x1F7, 0x1F0}; }));
    EXPECT_TRUE(invalid([](abi::ServiceAuthority& a) { a.physical[0] = {~u64{0} - 4095, 8192}; })); // wraps
    EXPECT_TRUE(invalid([](abi::ServiceAuthority& a) { a.physical[0].length = 0; }));
    EXPECT_TRUE(invalid([](abi::ServiceAuthority& a) { set_text(a.manage[0], "two words"); }));
    EXPECT_FALSE(invalid([](abi::ServiceAuthority&) {}));
}

} // namespace
} // namespace grove

#include <core/grove/capabilities.hpp>

#include <gtest/gtest.h>

namespace grove {
namespace {

GroveName name(char const* s) { return make_grove_name(s).value(); }

TEST(Capabilities, StartWithNothing) {
    Capabilities c;
    for (usize k = 0; k < CapabilityKindCount; ++k) EXPECT_FALSE(c.has(static_cast<CapabilityKind>(k)));
    EXPECT_FALSE(c.allows_io_port(0x3f8));
    EXPECT_FALSE(c.allows_physical(PhysicalRange{PhysAddr{0xb8000}, Bytes(4096)}));
    EXPECT_FALSE(c.allows_send_to(name("console")));
    EXPECT_FALSE(c.allows_receive_from(name("console")));
    EXPECT_TRUE(c.io_ports().is_empty());
}

TEST(Capabilities, IoPortRangesAreInclusive) {
    Capabilities c;
    ASSERT_TRUE(c.grant_io_ports(IoPortRange{0x2f8, 0x2ff}).has_value());
    EXPECT_TRUE(c.has(CapabilityKind::IoPort));
    EXPECT_FALSE(c.allows_io_port(0x2f7));
    EXPECT_TRUE(c.allows_io_port(0x2f8));
    EXPECT_TRUE(c.allows_io_port(0x2ff));
    EXPECT_FALSE(c.allows_io_port(0x300));
    EXPECT_EQ(c.grant_io_ports(IoPortRange{5, 4}).error(), Error::InvalidArgument);
    EXPECT_EQ(c.io_ports().size, 1u);
}

TEST(Capabilities, NoRangeThatTouchesTheMachinesOwnPortsIsGranted) {
    // Each kept range, a range that ends on its first port, one that starts on its last, and one around it: all
    // refused; the ports just beside each are granted.
    for (IoPortRange const& kept : MachinePorts) {
        Capabilities c;
        IoPortRange const touching[] = {{static_cast<u16>(kept.first - 1), kept.first},
                                        {kept.last, static_cast<u16>(kept.last + 1)},
                                        {static_cast<u16>(kept.first - 1), static_cast<u16>(kept.last + 1)},
                                        kept};
        for (IoPortRange const& range : touching) {
            EXPECT_EQ(c.grant_io_ports(range).error(), Error::AccessDenied) << range.first << ".." << range.last;
        }
        EXPECT_FALSE(c.has(CapabilityKind::IoPort)) << "a refusal changes nothing";
        EXPECT_TRUE(c.grant_io_ports(IoPortRange{static_cast<u16>(kept.first - 1), static_cast<u16>(kept.first - 1)})
                        .has_value());
        EXPECT_TRUE(c.grant_io_ports(IoPortRange{static_cast<u16>(kept.last + 1), static_cast<u16>(kept.last + 1)})
                        .has_value());
    }
    EXPECT_EQ(Capabilities().grant_io_ports(IoPortRange{0, 0xffff}).error(), Error::AccessDenied);
}

TEST(Capabilities, NoPhysicalRangeThatTouchesTheMachinesOwnIsGranted) {
    for (PhysicalRange const& kept : MachinePhysical) {
        Capabilities c;
        PhysicalRange const touching[] = {{PhysAddr{kept.base.value - PageSize}, Bytes(PageSize + 1)},
                                          {PhysAddr{kept.end() - 1}, Bytes(PageSize)},
                                          {PhysAddr{0xfee0'0000}, Bytes(PageSize)}, // the local APIC
                                          kept};
        for (PhysicalRange const& range : touching)
            EXPECT_EQ(c.grant_physical(range).error(), Error::AccessDenied) << range.base.value;
        EXPECT_FALSE(c.has(CapabilityKind::PhysicalMemory)) << "a refusal changes nothing";
        EXPECT_TRUE(c.grant_physical(PhysicalRange{PhysAddr{kept.base.value - PageSize}, Bytes(PageSize)}).has_value());
        EXPECT_TRUE(c.grant_physical(PhysicalRange{PhysAddr{kept.end()}, Bytes(PageSize)}).has_value());
    }
}

TEST(Capabilities, PhysicalRangeMustLieInsideOneGrant) {
    Capabilities c;
    ASSERT_TRUE(c.grant_physical(PhysicalRange{PhysAddr{0xb8000}, Bytes(0x8000)}).has_value());
    ASSERT_TRUE(c.grant_physical(PhysicalRange{PhysAddr{0xc0000}, Bytes(0x1000)}).has_value());
    EXPECT_TRUE(c.allows_physical(PhysicalRange{PhysAddr{0xb8000}, Bytes(0x8000)}));
    EXPECT_TRUE(c.allows_physical(PhysicalRange{PhysAddr{0xb9000}, Bytes(0x1000)}));
    // Adjacent grants do not join: the range must be inside one of them.
    EXPECT_FALSE(c.allows_physical(PhysicalRange{PhysAddr{0xbf000}, Bytes(0x2000)}));
    EXPECT_FALSE(c.allows_physical(PhysicalRange{PhysAddr{0xb7000}, Bytes(0x2000)}));
    EXPECT_FALSE(c.allows_physical(PhysicalRange{PhysAddr{0xb8000}, Bytes(0)}));
    EXPECT_EQ(c.grant_physical(PhysicalRange{PhysAddr{~u64{0} - 10}, Bytes(100)}).error(), Error::InvalidArgument);
}

TEST(Capabilities, IpcPeersByNameOrAny) {
    Capabilities c;
    ASSERT_TRUE(c.grant_send_to(name("console")).has_value());
    ASSERT_TRUE(c.grant_receive_from_any().has_value());
    EXPECT_TRUE(c.allows_send_to(name("console")));
    EXPECT_FALSE(c.allows_send_to(name("consoles")));
    EXPECT_FALSE(c.allows_send_to(name("disk")));
    EXPECT_TRUE(c.allows_receive_from(name("disk")));
    EXPECT_TRUE(c.allows_receive_from("anyone", 6));
    ASSERT_TRUE(c.grant_send_to_any().has_value());
    EXPECT_TRUE(c.allows_send_to(name("disk")));
    EXPECT_EQ(c.grant_send_to(GroveName{}).error(), Error::InvalidArgument);
}

TEST(Capabilities, FlagsAreGrantedOneByOne) {
    CapabilityKind const flags[] = {CapabilityKind::ThreadCreate, CapabilityKind::MemoryManage,
                                    CapabilityKind::Filesystem, CapabilityKind::Graphics, CapabilityKind::Network};
    for (CapabilityKind k : flags) {
        Capabilities c;
        ASSERT_TRUE(c.grant(k).has_value());
        for (CapabilityKind other : flags) EXPECT_EQ(c.has(other), other == k);
    }
    Capabilities c;
    EXPECT_EQ(c.grant(CapabilityKind::IoPort).error(), Error::InvalidArgument);
    EXPECT_EQ(c.grant(CapabilityKind::IpcSend).error(), Error::InvalidArgument);
}

TEST(Capabilities, ListsRefuseBeyondCapacityAndKeepWhatTheyHave) {
    Capabilities c;
    for (usize i = 0; i < MaxIoPortRanges; ++i)
        ASSERT_TRUE(c.grant_io_ports(IoPortRange{static_cast<u16>(i * 10), static_cast<u16>(i * 10 + 1)}).has_value());
    EXPECT_EQ(c.grant_io_ports(IoPortRange{1000, 1001}).error(), Error::NoCapacity);
    EXPECT_FALSE(c.allows_io_port(1000));
    EXPECT_TRUE(c.allows_io_port(150));
    for (usize i = 0; i < MaxIpcPeers; ++i) ASSERT_TRUE(c.grant_send_to_any().has_value());
    EXPECT_EQ(c.grant_send_to(name("late")).error(), Error::NoCapacity);
    for (usize i = 0; i < MaxPhysicalRanges; ++i)
        ASSERT_TRUE(c.grant_physical(PhysicalRange{PhysAddr{i * 0x1000}, Bytes(0x1000)}).has_value());
    EXPECT_EQ(c.grant_physical(PhysicalRange{PhysAddr{0x100000}, Bytes(0x1000)}).error(), Error::NoCapacity);
}

TEST(GroveName, AcceptsOnlyShortPlainNames) {
    EXPECT_TRUE(make_grove_name("console-1.v2_x").has_value());
    EXPECT_EQ(make_grove_name("").error(), Error::InvalidArgument);
    EXPECT_EQ(make_grove_name("has space").error(), Error::InvalidArgument);
    EXPECT_EQ(make_grove_name("0123456789012345678901234567890123").error(), Error::InvalidArgument);
    EXPECT_TRUE(make_grove_name("0123456789012345678901234567890").has_value()); // 31
}

} // namespace
} // namespace grove

#include <core/plan/plan_format.hpp>
#include <core/plan/plan_reader.hpp>
#include <core/plan/plan_writer.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>
#include <vector>

namespace grove {
namespace {

GroveName name(char const* text) { return GroveName::from(text).value(); }
GroveArgument argument(char const* text) { return GroveArgument::from(text).value(); }

// Two groves with something in every list, and one fault of each shape.
std::unique_ptr<BootPlan> typical_plan() {
    auto plan = std::make_unique<BootPlan>();
    plan->duration = milliseconds(200);
    plan->seed = 0x1234'5678'9abc'def0;
    PlanGrove echo;
    echo.name = name("echo");
    echo.image_module = 1;
    (void)echo.arguments.push_back(argument("100"));
    (void)echo.receive_from.push_back(name("*"));
    (void)echo.send_to.push_back(name("client"));
    echo.respawn = RespawnPolicy::on_failure();
    PlanGrove client;
    client.name = name("client");
    client.image_module = 2;
    (void)client.arguments.push_back(argument("pingpong"));
    (void)client.arguments.push_back(argument("10"));
    (void)client.io_ports.push_back(IoPortRange{0x60, 0x64});
    (void)client.physical.push_back(PhysicalRange{PhysAddr{0xb8000}, Bytes(4096)});
    (void)client.send_to.push_back(name("echo"));
    (void)client.watch.push_back(name("echo"));
    (void)client.manage.push_back(name("echo"));
    client.flags = 1u << static_cast<u8>(CapabilityKind::MemoryManage);
    client.irq_lines = (1u << 14) | (1u << 1);
    echo.provides = capability_bit(CapabilityKind::Filesystem) | capability_bit(CapabilityKind::Network);
    client.respawn = RespawnPolicy::limited(3);
    client.limits.memory = mebibytes(2);
    client.limits.policy = ViolationPolicy::Kill;
    client.priority = 20;
    client.start_at = milliseconds(5);
    (void)plan->groves.push_back(echo);
    (void)plan->groves.push_back(client);
    (void)plan->faults.push_back(PlanFault{milliseconds(10), FaultAction::Crash, 1, PlanFault::NoTarget, 0, {}});
    (void)plan->faults.push_back(
        PlanFault{milliseconds(20), FaultAction::MemorySpike, 0, PlanFault::NoTarget, 0, kibibytes(64)});
    (void)plan->faults.push_back(PlanFault{milliseconds(30), FaultAction::FloodStart, 1, 0, 500, {}});
    return plan;
}

std::vector<u8> write(BootPlan const& plan) {
    std::vector<u8> bytes(boot_plan_size(plan));
    Result<usize> written = write_boot_plan(plan, {bytes.data(), bytes.size()});
    EXPECT_TRUE(written.has_value());
    return bytes;
}

PlanCheck read(std::vector<u8> const& bytes) {
    auto plan = std::make_unique<BootPlan>();
    return read_boot_plan({bytes.data(), bytes.size()}, *plan);
}

// The plan's bytes after `change`, with the checksum made right again, so that the check under test is reached.
std::vector<u8> changed(BootPlan const& plan, std::function<void(std::vector<u8>&)> const& change) {
    std::vector<u8> bytes = write(plan);
    change(bytes);
    plan::store<u64>(bytes.data() + plan::ChecksumOffset, plan::checksum(bytes.data(), bytes.size()));
    return bytes;
}

// The offset of the first grove record's fixed field at `field`, and of the second record's.
constexpr usize First = plan::HeaderSize;
usize second_record(std::vector<u8> const& bytes) { return First + plan::load<u32>(bytes.data() + First); }
usize first_fault(std::vector<u8> const& bytes) {
    usize const second = second_record(bytes);
    return second + plan::load<u32>(bytes.data() + second);
}

PlanCheck with_grove(std::function<void(PlanGrove&)> const& change) {
    auto plan = typical_plan();
    change(plan->groves[1]);
    return read(write(*plan));
}

PlanCheck with_fault(usize index, std::function<void(PlanFault&)> const& change) {
    auto plan = typical_plan();
    change(plan->faults[index]);
    return read(write(*plan));
}

TEST(BootPlan, RoundTripsEveryField) {
    auto const plan = typical_plan();
    std::vector<u8> const bytes = write(*plan);
    auto back = std::make_unique<BootPlan>();
    ASSERT_EQ(read_boot_plan({bytes.data(), bytes.size()}, *back), PlanCheck::Ok);
    EXPECT_EQ(back->duration, plan->duration);
    EXPECT_EQ(back->seed, plan->seed);
    ASSERT_EQ(back->groves.size(), 2u);
    PlanGrove const& c = back->groves[1];
    EXPECT_TRUE(c.name.equals("client", 6));
    EXPECT_EQ(c.image_module, 2);
    ASSERT_EQ(c.arguments.size(), 2u);
    EXPECT_TRUE(c.arguments[1].equals("10", 2));
    ASSERT_EQ(c.io_ports.size(), 1u);
    EXPECT_EQ(c.io_ports[0].first, 0x60);
    EXPECT_EQ(c.io_ports[0].last, 0x64);
    ASSERT_EQ(c.physical.size(), 1u);
    EXPECT_EQ(c.physical[0].base.value, 0xb8000u);
    ASSERT_EQ(c.send_to.size(), 1u);
    EXPECT_TRUE(c.send_to[0].equals("echo", 4));
    EXPECT_EQ(c.flags, plan->groves[1].flags);
    EXPECT_EQ(c.irq_lines, (1u << 14) | (1u << 1));
    EXPECT_EQ(c.provides, 0);
    EXPECT_EQ(back->groves[0].provides, plan->groves[0].provides);
    EXPECT_EQ(c.respawn, RespawnPolicy::limited(3));
    EXPECT_EQ(c.limits.memory, mebibytes(2));
    EXPECT_EQ(c.limits.policy, ViolationPolicy::Kill);
    EXPECT_EQ(c.priority, 20);
    EXPECT_EQ(c.start_at, milliseconds(5));
    EXPECT_EQ(c.stop_timeout, plan->groves[1].stop_timeout);
    EXPECT_EQ(c.budget.window, plan->groves[1].budget.window);
    EXPECT_TRUE(back->groves[0].receive_from[0].equals("*", 1));
    ASSERT_EQ(back->groves[1].watch.size(), 1u);
    EXPECT_TRUE(back->groves[1].watch[0].equals("echo", 4));
    ASSERT_EQ(back->groves[1].manage.size(), 1u);
    EXPECT_TRUE(back->groves[1].manage[0].equals("echo", 4));
    ASSERT_EQ(back->faults.size(), 3u);
    EXPECT_EQ(back->faults[1].action, FaultAction::MemorySpike);
    EXPECT_EQ(back->faults[1].bytes, kibibytes(64));
    EXPECT_EQ(back->faults[2].target, 0);
    EXPECT_EQ(back->faults[2].rate, 500u);
    // Writing what was read gives the same bytes.
    EXPECT_EQ(write(*back), bytes);
}

TEST(BootPlan, Version6KeepsTheIrqLinesAndManagedPeersAndHoldsProvidedServicesAtByte123) {
    auto const plan = typical_plan();
    std::vector<u8> const bytes = write(*plan);
    EXPECT_EQ(plan::load<u16>(bytes.data() + plan::VersionOffset), 6);
    usize const client = second_record(bytes);
    EXPECT_EQ(plan::load<u16>(bytes.data() + client + 120), (1u << 14) | (1u << 1));
    EXPECT_EQ(bytes[client + 122], 1); // managed peers: "echo"
    EXPECT_EQ(bytes[First + 122], 0);  // echo manages nobody
    EXPECT_EQ(plan::load<u16>(bytes.data() + First + 123), plan->groves[0].provides);
    EXPECT_EQ(plan::load<u16>(bytes.data() + client + 123), 0);
    // The name follows the fixed fields at once, and the managed peer ends the record.
    EXPECT_EQ(std::memcmp(bytes.data() + client + plan::GroveFixedSize, "client", 6), 0);
    usize const end = client + plan::load<u32>(bytes.data() + client);
    EXPECT_EQ(bytes[end - 5], 4);
    EXPECT_EQ(std::memcmp(bytes.data() + end - 4, "echo", 4), 0);
}

TEST(BootPlan, RejectsEveryTruncation) {
    std::vector<u8> const bytes = write(*typical_plan());
    auto plan = std::make_unique<BootPlan>();
    for (usize size = 0; size < bytes.size(); ++size) {
        PlanCheck const check = read_boot_plan({bytes.data(), size}, *plan);
        EXPECT_EQ(check, size < plan::HeaderSize ? PlanCheck::TooSmall : PlanCheck::SizeMismatch) << size;
        EXPECT_EQ(plan->groves.size(), 0u);
    }
}

TEST(BootPlan, RejectsTruncationEvenWithAMatchingHeader) {
    // A plan cut short whose header was rewritten to the shorter size: the records themselves must notice.
    std::vector<u8> const full = write(*typical_plan());
    for (usize size = plan::HeaderSize; size < full.size(); ++size) {
        std::vector<u8> bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
        plan::store<u32>(bytes.data() + plan::TotalSizeOffset, static_cast<u32>(size));
        plan::store<u64>(bytes.data() + plan::ChecksumOffset, plan::checksum(bytes.data(), bytes.size()));
        PlanCheck const check = read(bytes);
        bool const named = check == PlanCheck::GroveTruncated || check == PlanCheck::FaultTruncated ||
                           check == PlanCheck::BadRecordSize;
        EXPECT_TRUE(named) << size << ": " << plan_check_name(check);
    }
}

TEST(BootPlan, RejectsAnyFlippedByteByChecksumOrAField) {
    std::vector<u8> const bytes = write(*typical_plan());
    for (usize offset = 0; offset < bytes.size(); ++offset) {
        std::vector<u8> flipped = bytes;
        flipped[offset] ^= 0x40;
        EXPECT_NE(read(flipped), PlanCheck::Ok) << offset;
    }
}

TEST(BootPlan, RejectsABadHeader) {
    auto const plan = typical_plan();
    EXPECT_EQ(read(changed(*plan, [](auto& b) { b[0] = 'X'; })), PlanCheck::BadMagic);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u16>(&b[plan::VersionOffset], 1); })),
              PlanCheck::UnsupportedVersion);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u16>(&b[plan::HeaderSizeOffset], 48); })),
              PlanCheck::BadHeaderSize);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { b.push_back(0); })), PlanCheck::SizeMismatch);
    std::vector<u8> bad_sum = write(*plan);
    bad_sum[plan::ChecksumOffset] ^= 1;
    EXPECT_EQ(read(bad_sum), PlanCheck::BadChecksum);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u64>(&b[plan::DurationOffset], 0); })),
              PlanCheck::ZeroDuration);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u16>(&b[plan::GroveCountOffset], 0); })),
              PlanCheck::NoGroves);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u16>(&b[plan::GroveCountOffset], 65); })),
              PlanCheck::TooManyGroves);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u16>(&b[plan::FaultCountOffset], 257); })),
              PlanCheck::TooManyFaults);
}

TEST(BootPlan, RejectsExtraOrMissingRecords) {
    auto const plan = typical_plan();
    // One grove more than there is: the fault records are read as a grove record.
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u16>(&b[plan::GroveCountOffset], 3); })),
              PlanCheck::GroveTruncated);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u16>(&b[plan::FaultCountOffset], 4); })),
              PlanCheck::FaultTruncated);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u16>(&b[plan::FaultCountOffset], 2); })),
              PlanCheck::TrailingBytes);
}

TEST(BootPlan, RejectsABadRecordSize) {
    auto const plan = typical_plan();
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u32>(&b[First], 8); })), PlanCheck::BadRecordSize);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u32>(&b[First], 0xffff'ff00); })),
              PlanCheck::GroveTruncated);
    // One byte short of its contents, or one byte longer (the next record then starts a byte late).
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u32>(&b[First], plan::load<u32>(&b[First]) - 1); })),
              PlanCheck::BadRecordSize);
    EXPECT_EQ(read(changed(*plan, [](auto& b) { plan::store<u32>(&b[First], plan::load<u32>(&b[First]) + 1); })),
              PlanCheck::BadRecordSize);
    // More arguments declared than the record holds: the reader runs into the other lists or off the record.
    PlanCheck const extra = read(changed(*plan, [](auto& b) { b[second_record(b) + 112] = 7; }));
    EXPECT_TRUE(extra == PlanCheck::BadRecordSize || extra == PlanCheck::BadArgument) << plan_check_name(extra);
}

TEST(BootPlan, RejectsBadGroveFields) {
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.name = name("echo"); }), PlanCheck::DuplicateName);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.name = name("two words"); }), PlanCheck::BadName);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.flags = 1; }), PlanCheck::UnknownCapability);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.provides = capability_bit(CapabilityKind::ThreadCreate); }),
              PlanCheck::UnknownCapability); // a flag capability, but no service
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.flags = 1u << static_cast<u8>(CapabilityKind::Irq); }),
              PlanCheck::UnknownCapability); // a list capability: its lines are a field of their own
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.limits.cpu_percent = 101; }), PlanCheck::BadLimits);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.limits.memory = Bytes(0); }), PlanCheck::BadLimits);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.limits.policy = static_cast<ViolationPolicy>(3); }),
              PlanCheck::BadLimits);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.respawn.mode = static_cast<RespawnMode>(4); }),
              PlanCheck::BadRespawnMode);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.respawn = RespawnPolicy::limited(0); }), PlanCheck::BadRespawnLimit);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.respawn = {RespawnMode::Always, 2}; }), PlanCheck::BadRespawnLimit);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.budget.max_crashes = MaxCrashesPerWindow; }),
              PlanCheck::BadRestartBudget);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.priority = 32; }), PlanCheck::BadPriority);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.start_at = milliseconds(200); }), PlanCheck::BadStartTime);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.io_ports[0] = IoPortRange{5, 4}; }), PlanCheck::BadIoRange);
    EXPECT_EQ(with_grove([](PlanGrove& g) {
                  g.io_ports[0] = IoPortRange{0x3f0, 0x3f8};
              }),
              PlanCheck::BadIoRange)
        << "COM1, the trace's port";
    EXPECT_EQ(with_grove([](PlanGrove& g) {
                  g.io_ports[0] = IoPortRange{0xf7, 0xf7};
              }),
              PlanCheck::BadIoRange)
        << "the exit device";
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.physical[0].length = Bytes(0); }), PlanCheck::BadPhysicalRange);
    EXPECT_EQ(with_grove([](PlanGrove& g) {
                  g.physical[0] = PhysicalRange{PhysAddr{0xfee0'0000}, Bytes(PageSize)};
              }),
              PlanCheck::BadPhysicalRange)
        << "the local APIC";
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.physical[0].base = PhysAddr{~u64{0}}; }), PlanCheck::BadPhysicalRange);
    EXPECT_EQ(with_grove([](PlanGrove& g) { g.send_to[0] = name("e/cho"); }), PlanCheck::BadPeerName);
}

TEST(BootPlan, RejectsBadVariableParts) {
    auto const plan = typical_plan();
    usize const name_at = [&] {
        std::vector<u8> const b = write(*plan);
        return second_record(b) + plan::GroveFixedSize;
    }();
    // client's first argument ("pingpong", after the name "client") gets a NUL byte.
    EXPECT_EQ(read(changed(*plan, [&](auto& b) { b[name_at + 6 + 1 + 2] = 0; })), PlanCheck::BadArgument);
    // The grants limit past MaxGrants (1024 = 0x400).
    EXPECT_EQ(read(changed(*plan,
                           [&](auto& b) {
                               b[second_record(b) + 119] = 0x04;
                               b[second_record(b) + 118] = 1;
                           })),
              PlanCheck::BadLimits);
    EXPECT_EQ(read(changed(*plan, [&](auto& b) { b[second_record(b) + 112] = 9; })), PlanCheck::TooManyArguments);
    EXPECT_EQ(read(changed(*plan, [&](auto& b) { b[second_record(b) + 113] = 17; })), PlanCheck::TooManyIoRanges);
    EXPECT_EQ(read(changed(*plan, [&](auto& b) { b[second_record(b) + 114] = 17; })), PlanCheck::TooManyPhysicalRanges);
    EXPECT_EQ(read(changed(*plan, [&](auto& b) { b[second_record(b) + 115] = 17; })), PlanCheck::TooManyPeers);
    EXPECT_EQ(read(changed(*plan, [&](auto& b) { b[second_record(b) + 117] = 17; })), PlanCheck::TooManyPeers);
    EXPECT_EQ(read(changed(*plan, [&](auto& b) { b[second_record(b) + 13] = 0; })), PlanCheck::BadName);
}

TEST(BootPlan, RejectsBadFaults) {
    EXPECT_EQ(with_fault(0, [](PlanFault& f) { f.action = static_cast<FaultAction>(FaultActionCount); }),
              PlanCheck::BadFaultAction);
    EXPECT_EQ(with_fault(0, [](PlanFault& f) { f.grove = 2; }), PlanCheck::BadFaultGrove);
    EXPECT_EQ(with_fault(0, [](PlanFault& f) { f.target = 0; }), PlanCheck::BadFaultTarget);
    EXPECT_EQ(with_fault(2, [](PlanFault& f) { f.target = PlanFault::NoTarget; }), PlanCheck::BadFaultTarget);
    EXPECT_EQ(with_fault(0, [](PlanFault& f) { f.at = milliseconds(200); }), PlanCheck::BadFaultTime);
    EXPECT_EQ(with_fault(0, [](PlanFault& f) { f.bytes = Bytes(1); }), PlanCheck::BadFaultAmount);
    EXPECT_EQ(with_fault(1, [](PlanFault& f) { f.bytes = Bytes(0); }), PlanCheck::BadFaultAmount);
    EXPECT_EQ(with_fault(0, [](PlanFault& f) { f.rate = 5; }), PlanCheck::BadFaultAmount);
    auto const plan = typical_plan();
    EXPECT_EQ(read(changed(*plan, [](auto& b) { b[first_fault(b) + 11] = 1; })), PlanCheck::ReservedNotZero);
}

TEST(BootPlan, WriterRefusesASmallBuffer) {
    auto const plan = typical_plan();
    std::vector<u8> bytes(boot_plan_size(*plan) - 1, 0xaa);
    Result<usize> written = write_boot_plan(*plan, {bytes.data(), bytes.size()});
    ASSERT_TRUE(written.is_error());
    EXPECT_EQ(written.error(), Error::NoCapacity);
    for (u8 b : bytes) EXPECT_EQ(b, 0xaa);
}

TEST(BootPlan, BuildsTheGroveSpec) {
    auto const plan = typical_plan();
    Result<GroveSpec> spec = plan_grove_spec(plan->groves[1], ImagePlan{});
    ASSERT_TRUE(spec.has_value());
    Capabilities const& caps = spec.value().capabilities;
    EXPECT_TRUE(caps.allows_io_port(0x62));
    EXPECT_FALSE(caps.allows_io_port(0x65));
    EXPECT_TRUE(caps.allows_send_to(name("echo")));
    EXPECT_FALSE(caps.allows_send_to(name("other")));
    EXPECT_TRUE(caps.has(CapabilityKind::MemoryManage));
    EXPECT_FALSE(caps.has(CapabilityKind::ThreadCreate));
    EXPECT_EQ(spec.value().arguments.size(), 2u);
    EXPECT_EQ(spec.value().respawn, RespawnPolicy::limited(3));
    Result<Capabilities> any = plan_capabilities(plan->groves[0]);
    ASSERT_TRUE(any.has_value());
    EXPECT_TRUE(any.value().allows_receive_from(name("anyone")));
    EXPECT_FALSE(any.value().has(CapabilityKind::CrashWatch));
    EXPECT_TRUE(caps.allows_watch(name("echo")));
    EXPECT_FALSE(caps.allows_watch(name("anyone")));
    EXPECT_TRUE(caps.allows_irq(14));
    EXPECT_TRUE(caps.allows_irq(1));
    EXPECT_FALSE(caps.allows_irq(15));
    EXPECT_FALSE(any.value().has(CapabilityKind::Irq));
    EXPECT_TRUE(caps.allows_manage(name("echo")));
    EXPECT_FALSE(caps.allows_manage(name("anyone")));
    EXPECT_FALSE(any.value().has(CapabilityKind::ServiceManage));
    EXPECT_TRUE(spec.value().provides.is_empty());
    Result<GroveSpec> service = plan_grove_spec(plan->groves[0], ImagePlan{});
    ASSERT_TRUE(service.has_value());
    EXPECT_TRUE(service.value().provides.provides(CapabilityKind::Filesystem));
    EXPECT_TRUE(service.value().provides.provides(CapabilityKind::Network));
    EXPECT_FALSE(service.value().provides.provides(CapabilityKind::Graphics));
}

TEST(BootPlan, NamesEveryCheck) {
    for (u8 c = 0; c <= static_cast<u8>(PlanCheck::TrailingBytes); ++c)
        EXPECT_STRNE(plan_check_name(static_cast<PlanCheck>(c)), "unknown");
}

} // namespace
} // namespace grove

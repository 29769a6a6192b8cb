#include <core/grove/grove_manager.hpp>
#include <core/grove/layout.hpp>
#include <core/trace/event_recorder.hpp>
#include <tests/core/grove/grove_fixture.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace grove {
namespace {

using testing::FakeArch;
using testing::make_spec;
using testing::TestHooks;

class GroveManagerTest : public ::testing::Test {
protected:
    void SetUp() override {
        hooks.attach(*manager);
        manager->set_sink(&events);
    }

    GroveId spawn(GroveSpec const& spec, Ticks now = Ticks(0)) { return manager->spawn(spec, now).value(); }
    GroveId spawn(char const* name, RespawnPolicy policy = RespawnPolicy::never()) {
        return spawn(make_spec(name, policy));
    }
    Grove const& grove(GroveId id) const {
        Grove const* g = manager->find(id);
        EXPECT_NE(g, nullptr);
        return *g;
    }
    GroveState state_of(char const* name) const { return manager->find_by_name(name, string_length(name))->state; }
    GroveId id_of(char const* name) const { return manager->find_by_name(name, string_length(name))->id; }

    FakeArch arch;
    TestHooks hooks{arch};
    std::unique_ptr<GroveManager> manager = std::make_unique<GroveManager>(arch, &hooks);
    EventRecorder<1024> events;
};

TEST_F(GroveManagerTest, LoadThenStartRunsTheGroveWithItsMainThread) {
    GroveId const id = manager->load(make_spec("console"), Ticks(5)).value();
    EXPECT_EQ(id, (GroveId{1, 1}));
    EXPECT_EQ(grove(id).state, GroveState::Loading);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, EventKind::Loaded);
    EXPECT_EQ(events[0].fields.loaded.entry, testing::CodeAddress);
    EXPECT_EQ(events[0].fields.loaded.memory, bytes_of(testing::TestImagePages).value);

    ASSERT_TRUE(manager->start(id, Ticks(7)).has_value());
    EXPECT_EQ(grove(id).state, GroveState::Running);
    EXPECT_EQ(events[1].kind, EventKind::Started);
    EXPECT_EQ(events[1].time, Ticks(7));
    auto const& context = arch.context(TestHooks::thread_of(id));
    EXPECT_EQ(context.entry, testing::CodeAddress);
    EXPECT_EQ(context.stack_top, layout::MainStackTop);
    EXPECT_EQ(context.arg0, 1u);
    EXPECT_EQ(context.arg1, layout::ArgumentsPage);
    EXPECT_EQ(grove(id).usage.threads.used(), Count(1));
    EXPECT_EQ(manager->start(id, Ticks(8)).error(), Error::InvalidState);
}

TEST_F(GroveManagerTest, RefusesDuplicatesAndTheSixtyFifthGroveWithoutSideEffects) {
    for (int i = 0; i < static_cast<int>(MaxGroves); ++i) spawn(("g" + std::to_string(i)).c_str());
    PageCount const free = arch.free_pages();
    usize const spaces = arch.live_spaces();
    usize const recorded = events.size();
    EXPECT_EQ(manager->load(make_spec("g3"), Ticks(1)).error(), Error::NoCapacity);
    EXPECT_EQ(manager->load(make_spec("extra"), Ticks(1)).error(), Error::NoCapacity);
    ASSERT_TRUE(manager->kill(id_of("g0"), Ticks(1)).has_value());
    ASSERT_TRUE(manager->remove(id_of("g0")).has_value());
    EXPECT_EQ(manager->load(make_spec("g3"), Ticks(1)).error(), Error::AlreadyExists);
    EXPECT_EQ(arch.live_spaces(), spaces - 1);
    EXPECT_EQ(arch.free_pages(), free + testing::TestIncarnationPages);
    EXPECT_EQ(events.size(), recorded + 1); // the kill's crashed event only
    GroveId const extra = manager->load(make_spec("extra"), Ticks(2)).value();
    EXPECT_EQ(extra.serial, MaxGroves + 1); // serials are never reused
}

TEST_F(GroveManagerTest, LoadFailureRollsBackEverything) {
    PageCount const free = arch.free_pages();
    arch.fail_next_maps(1);
    EXPECT_EQ(manager->load(make_spec("a"), Ticks(0)).error(), Error::OutOfMemory);
    EXPECT_EQ(arch.free_pages(), free);
    EXPECT_EQ(arch.live_spaces(), 0u);
    EXPECT_EQ(manager->registry().size(), 0u);
    EXPECT_EQ(events.size(), 0u);
    EXPECT_EQ(manager->digest(), Tracer{}.digest());

    FakeArch small{PageCount(5)}; // room for the image, not for the stack
    GroveManager second(small);
    EXPECT_EQ(second.load(make_spec("a"), Ticks(0)).error(), Error::OutOfMemory);
    EXPECT_EQ(small.free_pages(), PageCount(5));
    EXPECT_EQ(small.live_spaces(), 0u);

    GroveSpec invalid = make_spec("b");
    invalid.image.entry = VirtAddr{testing::DataAddress};
    EXPECT_EQ(manager->load(invalid, Ticks(0)).error(), Error::InvalidArgument);
    GroveSpec too_big = make_spec("c");
    too_big.limits.memory = kibibytes(64);
    EXPECT_EQ(manager->load(too_big, Ticks(0)).error(), Error::LimitExceeded);
    EXPECT_EQ(arch.live_spaces(), 0u);
}

TEST_F(GroveManagerTest, StartFailureOfSpawnLeavesNothing) {
    hooks.fail_starts = 1;
    PageCount const free = arch.free_pages();
    EXPECT_EQ(manager->spawn(make_spec("a"), Ticks(0)).error(), Error::NoCapacity);
    EXPECT_EQ(manager->registry().size(), 0u);
    EXPECT_EQ(arch.free_pages(), free);
    EXPECT_EQ(manager->admission().memory_reserved(), Bytes(0));
    EXPECT_EQ(manager->admission().threads_reserved(), Count(0));
    EXPECT_EQ(manager->admission().grants_reserved(), Count(0));
}

TEST_F(GroveManagerTest, GracefulStopEndsWhenTheGroveExits) {
    GroveId const id = spawn("disk", RespawnPolicy::always());
    ASSERT_TRUE(manager->stop(id, Ticks(1000)).has_value());
    EXPECT_EQ(grove(id).state, GroveState::Stopping);
    EXPECT_EQ(hooks.stop_requests, 1);
    Event const* stopping = events.last(EventKind::Stopping);
    ASSERT_NE(stopping, nullptr);
    EXPECT_EQ(stopping->fields.stopping.deadline, 1000 + milliseconds(100).value);
    EXPECT_EQ(manager->next_deadline(), Ticks(1000) + milliseconds(100));
    EXPECT_EQ(manager->stop(id, Ticks(1001)).error(), Error::InvalidState);

    ASSERT_TRUE(manager->report_exit(id, 0, Ticks(2000)).has_value());
    EXPECT_EQ(grove(id).state, GroveState::Stopped);
    EXPECT_EQ(events.last(EventKind::Stopped)->fields.stopped.exit_code, 0);
    EXPECT_EQ(events.count(EventKind::RespawnScheduled), 0u); // a requested stop never respawns, even Always
    EXPECT_FALSE(arch.has_context(TestHooks::thread_of(id)));
    EXPECT_EQ(manager->next_deadline(), Ticks::max());
}

TEST_F(GroveManagerTest, StopThatTimesOutIsKilledAtTheDeadline) {
    GroveId const id = spawn("stubborn", RespawnPolicy::on_failure());
    ASSERT_TRUE(manager->stop(id, Ticks(0)).has_value());
    Ticks const deadline = milliseconds(100);
    manager->tick(deadline - Ticks(1));
    EXPECT_EQ(grove(id).state, GroveState::Stopping);
    manager->tick(deadline);
    EXPECT_EQ(grove(id).state, GroveState::Stopped);
    Event const* crashed = events.last(EventKind::Crashed);
    ASSERT_NE(crashed, nullptr);
    EXPECT_EQ(crashed->fields.crashed.kind, CrashKind::Killed);
    EXPECT_EQ(crashed->time, deadline);
    EXPECT_EQ(events.count(EventKind::RespawnScheduled), 0u);
    EXPECT_EQ(arch.live_spaces(), 0u);
}

TEST_F(GroveManagerTest, StopOfALoadingGroveIsImmediate) {
    GroveId const id = manager->load(make_spec("idle"), Ticks(0)).value();
    ASSERT_TRUE(manager->stop(id, Ticks(1)).has_value());
    EXPECT_EQ(grove(id).state, GroveState::Stopped);
    EXPECT_EQ(arch.live_spaces(), 0u);
    EXPECT_EQ(manager->stop(id, Ticks(2)).error(), Error::InvalidState);
    EXPECT_EQ(manager->report_exit(id, 0, Ticks(2)).error(), Error::InvalidState);
}

TEST_F(GroveManagerTest, CrashRespawnsANewGenerationInAFreshAddressSpace) {
    GroveId const first = spawn("net", RespawnPolicy::on_failure());
    AddressSpaceId const old_space = grove(first).image.space;
    PageCount const free = arch.free_pages();
    ASSERT_TRUE(manager->report_crash(first, Crash::fault(0x400010, 0xdeadbeef), Ticks(50)).has_value());
    Grove const* g = manager->find_by_name("net", 3);
    EXPECT_EQ(g->state, GroveState::Faulted);
    EXPECT_EQ(g->crashes, 1u);
    EXPECT_EQ(arch.free_pages(), free + testing::TestIncarnationPages);
    Event const* crashed = events.last(EventKind::Crashed);
    EXPECT_EQ(crashed->fields.crashed.kind, CrashKind::Fault);
    EXPECT_EQ(crashed->fields.crashed.pc, 0x400010u);
    EXPECT_EQ(crashed->fields.crashed.address, 0xdeadbeefu);
    EXPECT_EQ(events.last(EventKind::RespawnScheduled)->fields.respawn_scheduled.delay,
              RestartBudget{}.backoff_base.value);
    Ticks const due = Ticks(50) + RestartBudget{}.backoff_base;
    EXPECT_EQ(manager->next_deadline(), due);

    manager->tick(due - Ticks(1));
    EXPECT_EQ(g->state, GroveState::Faulted);
    manager->tick(due);
    EXPECT_EQ(g->state, GroveState::Running);
    EXPECT_EQ(g->id, (GroveId{first.serial, 2}));
    EXPECT_NE(g->image.space, old_space);
    EXPECT_EQ(events.last(EventKind::Respawned)->fields.respawned.generation, 2u);
    EXPECT_EQ(events.last(EventKind::Started)->generation, 2u);
    EXPECT_TRUE(arch.has_context(TestHooks::thread_of(g->id)));
    EXPECT_EQ(arch.free_pages(), free);
    EXPECT_EQ(arch.live_spaces(), 1u);
    // The old incarnation's id is stale everywhere.
    EXPECT_EQ(manager->find(first), nullptr);
    EXPECT_EQ(manager->report_crash(first, Crash::killed(), due).error(), Error::NotFound);
    EXPECT_EQ(manager->reserve_thread(first, due).error(), Error::NotFound);
    EXPECT_EQ(manager->stop(first, due).error(), Error::NotFound);
}

TEST_F(GroveManagerTest, LimitedGivesUpAndQuarantines) {
    GroveId id = spawn("flaky", RespawnPolicy::limited(3));
    Ticks now(0);
    for (int i = 0; i < 3; ++i) {
        now += milliseconds(1);
        ASSERT_TRUE(manager->report_crash(id, Crash::fault(1, 2), now).has_value());
        now = manager->next_deadline();
        manager->tick(now);
        id = id_of("flaky");
        ASSERT_EQ(grove(id).state, GroveState::Running);
        EXPECT_EQ(id.generation, static_cast<u32>(i + 2));
    }
    ASSERT_TRUE(manager->report_crash(id, Crash::fault(1, 2), now + Ticks(1)).has_value());
    EXPECT_EQ(grove(id).state, GroveState::Quarantined);
    EXPECT_EQ(events.count(EventKind::GaveUp), 1u);
    EXPECT_EQ(events.count(EventKind::Respawned), 3u);
    EXPECT_EQ(manager->next_deadline(), Ticks::max());
    EXPECT_EQ(manager->restart(id, now).error(), Error::InvalidState);
    EXPECT_EQ(manager->start(id, now).error(), Error::InvalidState);
    EXPECT_EQ(arch.live_spaces(), 0u);
    ASSERT_TRUE(manager->remove(id).has_value());
    EXPECT_EQ(manager->registry().size(), 0u);
}

TEST_F(GroveManagerTest, BackoffGrowsBetweenRespawns) {
    GroveId id = spawn("loop", RespawnPolicy::always());
    Ticks now(0);
    u64 const expected[] = {100, 200, 400, 800, 1600};
    for (u64 ms : expected) {
        ASSERT_TRUE(manager->report_exit(id, 0, now).has_value()); // Always respawns after a clean exit too
        EXPECT_EQ(events.last(EventKind::RespawnScheduled)->fields.respawn_scheduled.delay, milliseconds(ms).value);
        now = manager->next_deadline();
        manager->tick(now);
        id = id_of("loop");
    }
    // The window (at most 5 in 60 s) gives up on the sixth quick ending.
    ASSERT_TRUE(manager->report_exit(id, 0, now).has_value());
    EXPECT_EQ(grove(id).state, GroveState::Quarantined);
}

TEST_F(GroveManagerTest, OnFailureStaysDownAfterACleanExit) {
    GroveId const id = spawn("batch", RespawnPolicy::on_failure());
    ASSERT_TRUE(manager->report_exit(id, 0, Ticks(10)).has_value());
    EXPECT_EQ(grove(id).state, GroveState::Stopped);
    EXPECT_EQ(events.count(EventKind::RespawnScheduled), 0u);
    GroveId const other = spawn("batch2", RespawnPolicy::on_failure());
    ASSERT_TRUE(manager->report_exit(other, 3, Ticks(10)).has_value());
    EXPECT_EQ(grove(other).state, GroveState::Faulted);
    EXPECT_EQ(events.last(EventKind::Crashed)->fields.crashed.exit_code, 3);
    EXPECT_EQ(events.count(EventKind::RespawnScheduled), 1u);
}

TEST_F(GroveManagerTest, TeardownReclaimsEverythingBackToTheBaseline) {
    PageCount const free = arch.free_pages();
    GroveSpec managed = make_spec("heap", RespawnPolicy::on_failure());
    ASSERT_TRUE(managed.capabilities.grant(CapabilityKind::MemoryManage).has_value());
    GroveId const a = spawn(managed);
    GroveId const b = spawn("b", RespawnPolicy::always());
    GroveId const c = spawn("c");
    ASSERT_TRUE(
        manager->map_memory(a, VirtAddr{0x1000'0000}, mebibytes(1), Permissions::Read | Permissions::Write, Ticks(1))
            .has_value());
    ASSERT_TRUE(manager->reserve_thread(b, Ticks(1)).has_value());
    EXPECT_LT(arch.free_pages(), free);
    EXPECT_EQ(arch.live_contexts(), 3u);

    ASSERT_TRUE(manager->report_crash(a, Crash::fault(0, 0), Ticks(2)).has_value());
    ASSERT_TRUE(manager->kill(b, Ticks(2)).has_value());
    ASSERT_TRUE(manager->stop(c, Ticks(2)).has_value());
    manager->tick(Ticks(2) + milliseconds(100)); // respawns a and b, kills c
    EXPECT_EQ(arch.live_spaces(), 2u);
    EXPECT_EQ(grove(id_of("heap")).usage.memory.used(), bytes_of(testing::TestIncarnationPages));
    EXPECT_EQ(grove(id_of("b")).usage.threads.used(), Count(1));
    for (char const* name : {"heap", "b"}) ASSERT_TRUE(manager->kill(id_of(name), Ticks(300'000'000)).has_value());
    for (char const* name : {"heap", "b"}) ASSERT_TRUE(manager->stop(id_of(name), Ticks(300'000'000)).has_value());
    for (char const* name : {"heap", "b", "c"}) ASSERT_TRUE(manager->remove(id_of(name)).has_value());
    EXPECT_EQ(arch.free_pages(), free);
    EXPECT_EQ(arch.live_spaces(), 0u);
    EXPECT_EQ(arch.live_contexts(), 0u);
    EXPECT_EQ(manager->registry().size(), 0u);
    EXPECT_EQ(hooks.teardowns, hooks.starts);
}

TEST_F(GroveManagerTest, ThreadLimitIsEnforced) {
    GroveSpec spec = make_spec("workers");
    spec.limits.threads = Count(2);
    GroveId const id = spawn(spec); // the main thread is one
    ASSERT_TRUE(manager->reserve_thread(id, Ticks(1)).has_value());
    EXPECT_EQ(manager->reserve_thread(id, Ticks(2)).error(), Error::LimitExceeded);
    Event const* e = events.last(EventKind::LimitExceeded);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->fields.limit_exceeded.resource, Resource::Threads);
    EXPECT_EQ(e->fields.limit_exceeded.requested, 3u);
    EXPECT_EQ(e->fields.limit_exceeded.limit, 2u);
    ASSERT_TRUE(manager->release_thread(id).has_value());
    EXPECT_TRUE(manager->reserve_thread(id, Ticks(3)).has_value());
    EXPECT_EQ(grove(id).state, GroveState::Running); // Deny: the grove lives on
}

TEST_F(GroveManagerTest, FileHandleLimitIsEnforced) {
    GroveSpec spec = make_spec("files");
    spec.limits.file_handles = Count(1);
    GroveId const id = spawn(spec);
    ASSERT_TRUE(manager->reserve_file_handle(id, Ticks(1)).has_value());
    EXPECT_EQ(manager->reserve_file_handle(id, Ticks(1)).error(), Error::LimitExceeded);
    ASSERT_TRUE(manager->release_file_handle(id).has_value());
    EXPECT_EQ(manager->release_file_handle(id).error(), Error::InvalidArgument);
}

TEST_F(GroveManagerTest, MemoryMapNeedsTheCapabilityAndFitsTheLimit) {
    GroveSpec spec = make_spec("heap");
    // Room for 1 MiB and the page table that maps it.
    spec.limits.memory = bytes_of(testing::TestIncarnationPages) + mebibytes(1) + Bytes(PageSize);
    GroveId const plain = spawn(make_spec("plain"));
    EXPECT_EQ(manager->map_memory(plain, VirtAddr{0x1000'0000}, Bytes(PageSize), Permissions::Read, Ticks(1)).error(),
              Error::AccessDenied);
    EXPECT_EQ(events.last(EventKind::CapabilityDenied)->fields.capability_denied.capability,
              CapabilityKind::MemoryManage);

    ASSERT_TRUE(spec.capabilities.grant(CapabilityKind::MemoryManage).has_value());
    GroveId const id = spawn(spec);
    PageCount const free = arch.free_pages();
    auto const rw = Permissions::Read | Permissions::Write;
    EXPECT_EQ(manager->map_memory(id, VirtAddr{0x1000'0000}, mebibytes(2), rw, Ticks(2)).error(), Error::LimitExceeded);
    Event const* e = events.last(EventKind::LimitExceeded);
    EXPECT_EQ(e->fields.limit_exceeded.resource, Resource::Memory);
    EXPECT_EQ(e->fields.limit_exceeded.requested,
              (bytes_of(testing::TestIncarnationPages) + mebibytes(2) + Bytes(PageSize)).value);
    EXPECT_EQ(e->fields.limit_exceeded.limit, spec.limits.memory.value);
    EXPECT_EQ(arch.free_pages(), free);

    EXPECT_EQ(manager->map_memory(id, VirtAddr{0x1000'0001}, Bytes(PageSize), rw, Ticks(3)).error(),
              Error::InvalidArgument);
    EXPECT_EQ(manager
                  ->map_memory(id, VirtAddr{0x1000'0000}, Bytes(PageSize), Permissions::Write | Permissions::Execute,
                               Ticks(3))
                  .error(),
              Error::InvalidArgument);
    arch.fail_next_maps(1);
    EXPECT_EQ(manager->map_memory(id, VirtAddr{0x1000'0000}, mebibytes(1), rw, Ticks(3)).error(), Error::OutOfMemory);
    EXPECT_EQ(grove(id).usage.memory.used(), bytes_of(testing::TestIncarnationPages));

    ASSERT_TRUE(manager->map_memory(id, VirtAddr{0x1000'0000}, mebibytes(1), rw, Ticks(4)).has_value());
    EXPECT_EQ(grove(id).usage.memory.available(), Bytes(0));
    EXPECT_EQ(arch.free_pages() + pages_for(mebibytes(1)) + PageCount(1), free);
    // The pages come back; the page table stays (and stays charged) until the incarnation ends.
    ASSERT_TRUE(manager->unmap_memory(id, VirtAddr{0x1000'0000}, mebibytes(1), Ticks(5)).has_value());
    EXPECT_EQ(arch.free_pages() + PageCount(1), free);
    EXPECT_EQ(grove(id).usage.memory.used(), bytes_of(testing::TestIncarnationPages) + Bytes(PageSize));
}

TEST_F(GroveManagerTest, KillPolicyTurnsAViolationIntoALimitCrash) {
    GroveSpec spec = make_spec("greedy", RespawnPolicy::on_failure());
    spec.limits.policy = ViolationPolicy::Kill;
    spec.limits.threads = Count(1);
    GroveId const id = spawn(spec);
    EXPECT_EQ(manager->reserve_thread(id, Ticks(9)).error(), Error::LimitExceeded);
    Grove const* g = manager->find_by_name("greedy", 6);
    EXPECT_EQ(g->state, GroveState::Faulted);
    EXPECT_EQ(events.last(EventKind::Crashed)->fields.crashed.kind, CrashKind::LimitViolation);
    EXPECT_EQ(events.count(EventKind::RespawnScheduled), 1u);
    EXPECT_EQ(arch.live_spaces(), 0u);
}

TEST_F(GroveManagerTest, IpcRateAnswersByPolicy) {
    auto spec_with = [](char const* name, ViolationPolicy policy) {
        GroveSpec spec = make_spec(name, RespawnPolicy::never());
        spec.limits.ipc_messages_per_second = 1000;
        spec.limits.ipc_burst = 2;
        spec.limits.policy = policy;
        return spec;
    };
    GroveId const deny = spawn(spec_with("deny", ViolationPolicy::Deny));
    GroveId const throttle = spawn(spec_with("throttle", ViolationPolicy::Throttle));
    GroveId const kill = spawn(spec_with("kill", ViolationPolicy::Kill));
    for (GroveId id : {deny, throttle, kill}) {
        EXPECT_EQ(manager->admit_ipc(id, Ticks(0)).value(), IpcAdmission::allow());
        EXPECT_EQ(manager->admit_ipc(id, Ticks(0)).value(), IpcAdmission::allow());
    }
    EXPECT_EQ(manager->admit_ipc(deny, Ticks(0)).value(), IpcAdmission::refuse());
    EXPECT_EQ(manager->admit_ipc(deny, Ticks(1)).value(), IpcAdmission::refuse());
    EXPECT_EQ(manager->admit_ipc(throttle, Ticks(0)).value(), IpcAdmission::throttle(milliseconds(1)));
    EXPECT_EQ(manager->admit_ipc(kill, Ticks(0)).value(), IpcAdmission::refuse());
    EXPECT_EQ(grove(deny).state, GroveState::Running);
    EXPECT_EQ(state_of("kill"), GroveState::Faulted);
    EXPECT_EQ(events.last(EventKind::Crashed)->fields.crashed.kind, CrashKind::LimitViolation);
    EXPECT_EQ(events.count(EventKind::LimitExceeded), 3u); // once per episode, not per refused message
    EXPECT_EQ(manager->admit_ipc(deny, milliseconds(1)).value(), IpcAdmission::allow());
    EXPECT_EQ(manager->admit_ipc(deny, milliseconds(1)).value(), IpcAdmission::refuse());
    EXPECT_EQ(events.count(EventKind::LimitExceeded), 4u); // a new episode
}

TEST_F(GroveManagerTest, ExhaustedCpuShareIsReportedAndKillsUnderTheKillPolicy) {
    GroveId const id = spawn("busy");
    EXPECT_TRUE(manager->report_cpu_exhausted(id, milliseconds(5), milliseconds(5), milliseconds(5)).has_value());
    Event const* e = events.last(EventKind::LimitExceeded);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->fields.limit_exceeded.resource, Resource::Cpu);
    EXPECT_EQ(e->fields.limit_exceeded.requested, milliseconds(5).value);
    EXPECT_EQ(e->fields.limit_exceeded.limit, milliseconds(5).value);
    EXPECT_EQ(grove(id).state, GroveState::Running);

    GroveSpec spec = make_spec("hog");
    spec.limits.policy = ViolationPolicy::Kill;
    GroveId const hog = spawn(spec);
    EXPECT_EQ(manager->report_cpu_exhausted(hog, milliseconds(6), milliseconds(5), milliseconds(6)).error(),
              Error::LimitExceeded);
    EXPECT_EQ(state_of("hog"), GroveState::Faulted);
}

TEST_F(GroveManagerTest, CapabilityChecksEmitDenials) {
    GroveSpec spec = make_spec("driver");
    ASSERT_TRUE(spec.capabilities.grant_io_ports(IoPortRange{0x60, 0x64}).has_value());
    ASSERT_TRUE(spec.capabilities.grant_send_to(make_grove_name("console").value()).has_value());
    ASSERT_TRUE(spec.capabilities.grant_physical(PhysicalRange{PhysAddr{0xb8000}, Bytes(0x8000)}).has_value());
    GroveId const id = spawn(spec);
    EXPECT_TRUE(manager->require_io_port(id, 0x64, Ticks(1)).has_value());
    EXPECT_EQ(manager->require_io_port(id, 0x3f8, Ticks(1)).error(), Error::AccessDenied);
    Event const* e = events.last(EventKind::CapabilityDenied);
    EXPECT_EQ(e->fields.capability_denied.capability, CapabilityKind::IoPort);
    EXPECT_EQ(e->fields.capability_denied.detail, 0x3f8u);
    EXPECT_TRUE(manager->require_send_to(id, "console", 7, Ticks(1)).has_value());
    EXPECT_EQ(manager->require_send_to(id, "disk", 4, Ticks(1)).error(), Error::AccessDenied);
    EXPECT_EQ(manager->require_receive_from(id, id.serial, Ticks(1)).error(), Error::AccessDenied);
    EXPECT_EQ(events.last(EventKind::CapabilityDenied)->fields.capability_denied.detail, id.serial);
    EXPECT_EQ(manager->require_capability(id, CapabilityKind::Network, Ticks(1)).error(), Error::AccessDenied);
    EXPECT_TRUE(manager->require_capability(id, CapabilityKind::IoPort, Ticks(1)).has_value());
    EXPECT_EQ(events.count(EventKind::CapabilityDenied), 4u);

    PhysicalRange const vga{PhysAddr{0xb8000}, Bytes(0x1000)};
    ASSERT_TRUE(manager->map_physical(id, VirtAddr{0x2000'0000}, vga, Permissions::Read | Permissions::Write, Ticks(2))
                    .has_value());
    EXPECT_EQ(manager
                  ->map_physical(id, VirtAddr{0x2000'1000}, PhysicalRange{PhysAddr{0}, Bytes(0x1000)},
                                 Permissions::Read, Ticks(2))
                  .error(),
              Error::AccessDenied);
    // The device page is not counted; the page table that maps it (a new 2 MiB region) is.
    EXPECT_EQ(grove(id).usage.memory.used(), bytes_of(testing::TestIncarnationPages) + Bytes(PageSize));
}

TEST_F(GroveManagerTest, SubscribersHearOfCrashesAndGiveUps) {
    GroveSpec watcher = make_spec("warden");
    ASSERT_TRUE(watcher.capabilities.grant_watch_any().has_value());
    GroveId const warden = spawn(watcher);
    GroveSpec fragile = make_spec("fragile", RespawnPolicy::limited(0));
    GroveId const victim = spawn(fragile);
    ASSERT_TRUE(manager->subscribe_crashes(warden, Ticks(1)).has_value());
    ASSERT_TRUE(manager->subscribe_crashes(warden, Ticks(1)).has_value()); // idempotent
    ASSERT_TRUE(manager->report_crash(victim, Crash::fault(0x400002, 0x10), Ticks(77)).has_value());
    ASSERT_EQ(hooks.notice_count, 2u);
    EXPECT_EQ(hooks.notices[0].subscriber, warden);
    EXPECT_EQ(hooks.notices[0].tag, abi::NotifyCrashed);
    EXPECT_EQ(hooks.notices[0].notice.grove, victim.serial);
    EXPECT_EQ(hooks.notices[0].notice.kind, static_cast<u32>(CrashKind::Fault));
    EXPECT_EQ(hooks.notices[0].notice.pc, 0x400002u);
    EXPECT_EQ(hooks.notices[0].notice.address, 0x10u);
    EXPECT_EQ(hooks.notices[0].notice.time, 77u);
    EXPECT_EQ(hooks.notices[1].tag, abi::NotifyGaveUp);

    // The warden is not told of its own end, and its subscription ends with its incarnation.
    ASSERT_TRUE(manager->kill(warden, Ticks(80)).has_value());
    EXPECT_EQ(hooks.notice_count, 2u);
    EXPECT_EQ(manager->crash_subscriptions().size(), 0u);
}

TEST_F(GroveManagerTest, SubscribingToCrashesNeedsCrashWatch) {
    GroveId const nosy = spawn("nosy");
    GroveId const victim = spawn(make_spec("victim", RespawnPolicy::never()));
    EXPECT_EQ(manager->subscribe_crashes(nosy, Ticks(1)).error(), Error::AccessDenied);
    Event const* denied = events.last(EventKind::CapabilityDenied);
    ASSERT_NE(denied, nullptr);
    EXPECT_EQ(denied->fields.capability_denied.capability, CapabilityKind::CrashWatch);
    EXPECT_EQ(denied->grove(), nosy);
    ASSERT_TRUE(manager->report_crash(victim, Crash::fault(0x400002, 0x10), Ticks(5)).has_value());
    EXPECT_EQ(hooks.notice_count, 0u);
}

TEST_F(GroveManagerTest, CrashWatchHearsOnlyOfTheGrovesItNames) {
    GroveSpec watcher = make_spec("warden");
    ASSERT_TRUE(watcher.capabilities.grant_watch(make_grove_name("watched").value()).has_value());
    GroveId const warden = spawn(watcher);
    GroveId const watched = spawn(make_spec("watched", RespawnPolicy::never()));
    GroveId const other = spawn(make_spec("other", RespawnPolicy::never()));
    ASSERT_TRUE(manager->subscribe_crashes(warden, Ticks(1)).has_value());
    ASSERT_TRUE(manager->report_crash(other, Crash::fault(0x400002, 0x10), Ticks(5)).has_value());
    EXPECT_EQ(hooks.notice_count, 0u);
    ASSERT_TRUE(manager->report_crash(watched, Crash::fault(0x400002, 0x10), Ticks(6)).has_value());
    ASSERT_EQ(hooks.notice_count, 1u);
    EXPECT_EQ(hooks.notices[0].notice.grove, watched.serial);
}

TEST_F(GroveManagerTest, NextDeadlineFollowsHeartbeatsStopsAndKills) {
    // next_deadline() is kept between calls: every change to a deadline must show in the next call.
    GroveSpec spec = make_spec("watched", RespawnPolicy::never());
    spec.watchdog_timeout = milliseconds(10);
    GroveId const id = spawn(spec);
    EXPECT_EQ(manager->next_deadline(), milliseconds(10));
    ASSERT_TRUE(manager->heartbeat(id, milliseconds(4)).has_value());
    EXPECT_EQ(manager->next_deadline(), milliseconds(14));
    manager->tick(milliseconds(13)); // nothing due
    EXPECT_EQ(grove(id).state, GroveState::Running);
    ASSERT_TRUE(manager->stop(id, milliseconds(5)).has_value());
    EXPECT_EQ(manager->next_deadline(), milliseconds(5) + milliseconds(100));
    ASSERT_TRUE(manager->kill(id, milliseconds(6)).has_value());
    EXPECT_EQ(manager->next_deadline(), Ticks::max());
}

TEST_F(GroveManagerTest, WatchdogKillsAGroveWithoutHeartbeats) {
    GroveSpec spec = make_spec("watched", RespawnPolicy::on_failure());
    spec.watchdog_timeout = milliseconds(10);
    GroveId const id = spawn(spec);
    EXPECT_EQ(manager->next_deadline(), milliseconds(10));
    ASSERT_TRUE(manager->heartbeat(id, milliseconds(8)).has_value());
    manager->tick(milliseconds(17));
    EXPECT_EQ(grove(id).state, GroveState::Running);
    manager->tick(milliseconds(18));
    EXPECT_EQ(state_of("watched"), GroveState::Faulted);
    EXPECT_EQ(events.last(EventKind::Crashed)->fields.crashed.kind, CrashKind::Watchdog);
}

TEST_F(GroveManagerTest, RestartOfARunningGroveStopsItGracefullyAndStartsItAfterItsOwnExit) {
    GroveId const id = spawn("svc");
    AddressSpaceId const old_space = grove(id).image.space;
    EXPECT_EQ(manager->restart(id, Ticks(5)).value(), id);
    EXPECT_EQ(grove(id).state, GroveState::Stopping);
    EXPECT_EQ(events.last(EventKind::Stopping)->fields.stopping.deadline,
              (Ticks(5) + grove(id).spec.stop_timeout).value);
    EXPECT_EQ(hooks.stop_requests, 1);
    ASSERT_TRUE(manager->report_exit(id, 7, Ticks(8)).has_value());
    // The exit code is the one the grove gave: nothing is invented for it.
    EXPECT_EQ(events.last(EventKind::Stopped)->fields.stopped.exit_code, 7);
    EXPECT_EQ(events.last(EventKind::Stopped)->generation, 1u);
    EXPECT_EQ(manager->next_deadline(), Ticks(0));
    manager->tick(Ticks(8));
    GroveId const renewed{id.serial, 2};
    EXPECT_EQ(grove(renewed).state, GroveState::Running);
    EXPECT_NE(grove(renewed).image.space, old_space);
    EXPECT_EQ(arch.live_spaces(), 1u);
    EXPECT_EQ(arch.live_contexts(), 1u);
    usize const n = events.size();
    EXPECT_EQ(events[n - 2].kind, EventKind::Loaded);
    EXPECT_EQ(events[n - 2].generation, 2u);
    EXPECT_EQ(events[n - 1].kind, EventKind::Started);
    EXPECT_EQ(grove(renewed).crashes, 0u);
    EXPECT_EQ(grove(renewed).history.respawns(), 0u);
}

TEST_F(GroveManagerTest, RestartOfAGroveThatIgnoresTheStopKillsItAtTheDeadlineThenStartsIt) {
    GroveId const id = spawn("svc");
    ASSERT_TRUE(manager->restart(id, Ticks(0)).has_value());
    Ticks const deadline = grove(id).spec.stop_timeout;
    manager->tick(deadline - Ticks(1));
    EXPECT_EQ(grove(id).state, GroveState::Stopping);
    manager->tick(deadline);
    EXPECT_EQ(events.last(EventKind::Crashed)->fields.crashed.kind, CrashKind::Killed);
    EXPECT_EQ(events.last(EventKind::Stopped), nullptr);
    EXPECT_EQ(state_of("svc"), GroveState::Running);
    EXPECT_EQ(id_of("svc").generation, 2u);
    EXPECT_EQ(events.last(EventKind::Loaded)->time, deadline);
}

TEST_F(GroveManagerTest, RestartOfAStoppedGroveStartsItAtOnceAndAKillCancelsAPendingRestart) {
    GroveId const id = spawn("svc");
    ASSERT_TRUE(manager->restart(id, Ticks(0)).has_value());
    ASSERT_TRUE(manager->kill(id, Ticks(1)).has_value());
    manager->tick(Ticks(2));
    EXPECT_EQ(state_of("svc"), GroveState::Stopped);
    GroveId const renewed = manager->restart(id, Ticks(3)).value();
    EXPECT_EQ(renewed, (GroveId{id.serial, 2}));
    EXPECT_EQ(grove(renewed).state, GroveState::Running);
}

TEST_F(GroveManagerTest, ARespawnThatCannotStartIsASpawnFailureAndTriesAgain) {
    GroveId const id = spawn("wobbly", RespawnPolicy::on_failure());
    ASSERT_TRUE(manager->report_crash(id, Crash::killed(), Ticks(0)).has_value());
    hooks.fail_starts = 1;
    manager->tick(manager->next_deadline());
    EXPECT_EQ(state_of("wobbly"), GroveState::Faulted);
    EXPECT_EQ(events.last(EventKind::Crashed)->fields.crashed.kind, CrashKind::SpawnFailed);
    EXPECT_EQ(events.last(EventKind::RespawnScheduled)->fields.respawn_scheduled.delay, milliseconds(200).value);
    EXPECT_EQ(arch.live_spaces(), 0u);
    manager->tick(manager->next_deadline());
    EXPECT_EQ(state_of("wobbly"), GroveState::Running);
    EXPECT_EQ(id_of("wobbly").generation, 3u);
}

TEST_F(GroveManagerTest, StopCancelsAScheduledRespawn) {
    GroveId const id = spawn("x", RespawnPolicy::always());
    ASSERT_TRUE(manager->report_exit(id, 0, Ticks(0)).has_value());
    ASSERT_TRUE(manager->stop(id, Ticks(1)).has_value());
    EXPECT_EQ(manager->next_deadline(), Ticks::max());
    manager->tick(seconds(10));
    EXPECT_EQ(grove(id).state, GroveState::Stopped);
    EXPECT_EQ(manager->remove(spawn("y")).error(), Error::InvalidState); // running groves are not removed
}

// The same script gives the same trace, event for event and digest for digest.
u64 scripted_digest(int crash_pc) {
    FakeArch arch;
    TestHooks hooks{arch};
    auto manager = std::make_unique<GroveManager>(arch, &hooks);
    hooks.attach(*manager);
    GroveId a = manager->spawn(make_spec("a", RespawnPolicy::always()), Ticks(0)).value();
    (void)manager->spawn(make_spec("b"), Ticks(1)).value();
    (void)manager->report_crash(a, Crash::fault(static_cast<u64>(crash_pc), 0), Ticks(10));
    manager->tick(seconds(1));
    return manager->digest();
}

TEST(GroveManagerDigest, IsTheSameForTheSameScriptAndDiffersOtherwise) {
    EXPECT_EQ(scripted_digest(0x400000), scripted_digest(0x400000));
    EXPECT_NE(scripted_digest(0x400000), scripted_digest(0x400001));
}

TEST_F(GroveManagerTest, AdmissionRefusesLimitsThatDoNotFitBesideThoseReservedAndChangesNothing) {
    GroveSpec big = make_spec("big");
    big.limits.memory = AdmissionMemory - mebibytes(1);
    spawn(big);
    PageCount const free = arch.free_pages();
    usize const recorded = events.size();
    // The default 1536 KiB does not fit in the 1 MiB left: refused before anything is built.
    EXPECT_EQ(manager->spawn(make_spec("next"), Ticks(1)).error(), Error::OverCommitted);
    EXPECT_EQ(manager->find_by_name("next", 4), nullptr);
    EXPECT_EQ(arch.free_pages(), free);
    EXPECT_EQ(events.size(), recorded);
    EXPECT_EQ(manager->admission().memory_reserved(), big.limits.memory);
    GroveSpec small = make_spec("small");
    small.limits.memory = mebibytes(1);
    spawn(small);
    EXPECT_EQ(manager->admission().memory_reserved(), AdmissionMemory);

    GroveSpec threads = make_spec("threads");
    threads.limits.memory = mebibytes(1);
    threads.limits.threads = AdmissionThreads;
    EXPECT_EQ(manager->spawn(threads, Ticks(1)).error(), Error::OverCommitted); // no memory left
    ASSERT_TRUE(manager->kill(id_of("big"), Ticks(2)).has_value());
    EXPECT_EQ(manager->spawn(threads, Ticks(2)).error(), Error::OverCommitted); // killed, big keeps its share
    ASSERT_TRUE(manager->remove(id_of("big")).has_value());
    EXPECT_EQ(manager->spawn(threads, Ticks(3)).error(), Error::OverCommitted); // small holds 4 of the 256
    threads.limits.threads = AdmissionThreads - small.limits.threads;
    spawn(threads);
    EXPECT_EQ(manager->admission().threads_reserved(), AdmissionThreads);
}

TEST_F(GroveManagerTest, AReservationOutlivesCrashesAndRespawnsAndEndsAtQuarantine) {
    GroveId id = spawn("flaky", RespawnPolicy::limited(1));
    Bytes const reserved = manager->admission().memory_reserved();
    EXPECT_EQ(reserved, DefaultGroveMemory);
    ASSERT_TRUE(manager->report_crash(id, Crash::fault(1, 2), Ticks(1)).has_value());
    EXPECT_EQ(manager->admission().memory_reserved(), reserved); // down, a respawn pending: still its own
    Ticks const now = manager->next_deadline();
    manager->tick(now);
    id = id_of("flaky");
    ASSERT_EQ(grove(id).state, GroveState::Running);
    EXPECT_EQ(manager->admission().memory_reserved(), reserved);
    ASSERT_TRUE(manager->report_crash(id, Crash::fault(1, 2), now + Ticks(1)).has_value());
    ASSERT_EQ(grove(id).state, GroveState::Quarantined);
    EXPECT_EQ(manager->admission().memory_reserved(), Bytes{});
    EXPECT_EQ(manager->admission().threads_reserved(), Count{});
    ASSERT_TRUE(manager->remove(id).has_value()); // nothing given back twice
    EXPECT_EQ(manager->admission().memory_reserved(), Bytes{});
}

} // namespace
} // namespace grove

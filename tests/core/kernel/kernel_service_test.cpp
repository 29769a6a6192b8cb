// Service control syscalls (ServiceStart, ServiceStop, ServiceRestart, ServiceStatus, ServiceList): every status,
// the ServiceManage capability naming which groves the caller controls, and the events each request leaves.
#include <tests/core/kernel/kernel_fixture.hpp>

namespace grove::testing {
namespace {

class KernelServiceTest : public KernelTest {
protected:
    // A controller that may manage the groves named (or "*").
    GroveId spawn_controller(std::initializer_list<char const*> managed) {
        GroveSpec s = spec("controller");
        for (char const* name : managed) {
            if (std::strcmp(name, "*") == 0) EXPECT_TRUE(s.capabilities.grant_manage_any().has_value());
            else EXPECT_TRUE(s.capabilities.grant_manage(make_grove_name(name).value()).has_value());
        }
        return spawn(s);
    }
    i64 control(ThreadId caller, GroveId grove, Syscall number, char const* name) {
        write_text(grove, NameBuffer, name);
        return sys(caller, number, NameBuffer, std::strlen(name));
    }
};

TEST_F(KernelServiceTest, StopWithoutTheCapabilityIsDeniedAndReported) {
    GroveId const controller = spawn_controller({"other"});
    GroveId const worker = spawn("worker");
    EXPECT_EQ(control(main_thread(controller), controller, Syscall::ServiceStop, "worker"), -abi::StatusAccessDenied);
    Event const denied = last_of(EventKind::CapabilityDenied);
    EXPECT_EQ(denied.fields.capability_denied.capability, CapabilityKind::ServiceManage);
    EXPECT_EQ(denied.fields.capability_denied.detail, worker.serial);
    EXPECT_EQ(state_of(worker), GroveState::Running);
    EXPECT_EQ(count(EventKind::ServiceControl), 0u);
}

TEST_F(KernelServiceTest, AGroveWithoutAnyServiceManageIsDenied) {
    GroveId const plain = spawn("plain");
    (void)spawn("worker");
    EXPECT_EQ(control(main_thread(plain), plain, Syscall::ServiceStatus, "worker"), -abi::StatusAccessDenied);
    EXPECT_EQ(control(main_thread(plain), plain, Syscall::ServiceStatus, "nobody"), -abi::StatusAccessDenied);
    EXPECT_EQ(last_of(EventKind::CapabilityDenied).fields.capability_denied.detail, 0u); // no grove has the name
}

TEST_F(KernelServiceTest, UnknownAndMalformedNamesAreRefused) {
    GroveId const controller = spawn_controller({"*"});
    ThreadId const t = main_thread(controller);
    EXPECT_EQ(control(t, controller, Syscall::ServiceStop, "nobody"), -abi::StatusNotFound);
    Event const e = last_of(EventKind::ServiceControl);
    EXPECT_EQ(e.fields.service_control.target, 0u);
    EXPECT_EQ(e.fields.service_control.status, abi::StatusNotFound);
    EXPECT_EQ(control(t, controller, Syscall::ServiceStatus, "bad name"), -abi::StatusInvalidArgument);
    EXPECT_EQ(sys(t, Syscall::ServiceStatus, NameBuffer, 0), -abi::StatusInvalidArgument);
    EXPECT_EQ(sys(t, Syscall::ServiceStatus, NameBuffer, MaxLookupName + 1), -abi::StatusInvalidArgument);
}

TEST_F(KernelServiceTest, StopIsGracefulAndStatusFollowsIt) {
    GroveId const controller = spawn_controller({"worker"});
    GroveId const worker = spawn("worker");
    ThreadId const t = main_thread(controller);
    EXPECT_EQ(control(t, controller, Syscall::ServiceStatus, "worker"), i64(abi::GroveStatus::Running));
    EXPECT_EQ(rdx(t), abi::make_grove_id(worker.serial, worker.generation));
    EXPECT_EQ(control(t, controller, Syscall::ServiceStop, "worker"), 0);
    EXPECT_EQ(state_of(worker), GroveState::Stopping);
    Event const e = last_of(EventKind::ServiceControl);
    EXPECT_EQ(e.serial, controller.serial);
    EXPECT_EQ(e.fields.service_control.target, worker.serial);
    EXPECT_EQ(e.fields.service_control.action, ServiceAction::Stop);
    EXPECT_EQ(e.fields.service_control.status, 0);
    EXPECT_EQ(count(EventKind::Stopping), 1u);
    EXPECT_EQ(control(t, controller, Syscall::ServiceStatus, "worker"), i64(abi::GroveStatus::Stopping));
    // A second stop while it is stopping is refused, and reported.
    EXPECT_EQ(control(t, controller, Syscall::ServiceStop, "worker"), -abi::StatusInvalidState);
    EXPECT_EQ(last_of(EventKind::ServiceControl).fields.service_control.status, abi::StatusInvalidState);
    ASSERT_EQ(sys(main_thread(worker), Syscall::Exit, 0), NoResult);
    EXPECT_EQ(state_of(worker), GroveState::Stopped);
    EXPECT_EQ(control(t, controller, Syscall::ServiceStatus, "worker"), i64(abi::GroveStatus::Stopped));
}

TEST_F(KernelServiceTest, StartBringsAStoppedGroveBackAsANewIncarnation) {
    GroveId const controller = spawn_controller({"worker"});
    GroveId const worker = spawn("worker");
    ThreadId const t = main_thread(controller);
    EXPECT_EQ(control(t, controller, Syscall::ServiceStart, "worker"), -abi::StatusInvalidState); // running
    ASSERT_EQ(control(t, controller, Syscall::ServiceStop, "worker"), 0);
    ASSERT_EQ(sys(main_thread(worker), Syscall::Exit, 0), NoResult);
    i64 const started = control(t, controller, Syscall::ServiceStart, "worker");
    ASSERT_GT(started, 0);
    Grove const& g = named("worker");
    EXPECT_EQ(u64(started), abi::make_grove_id(worker.serial, g.id.generation));
    EXPECT_EQ(g.id.generation, worker.generation + 1);
    EXPECT_EQ(g.state, GroveState::Running);
    EXPECT_EQ(last_of(EventKind::ServiceControl).fields.service_control.action, ServiceAction::Start);
}

TEST_F(KernelServiceTest, RestartStopsThenStartsTheGrove) {
    GroveId const controller = spawn_controller({"worker"});
    GroveId const worker = spawn("worker");
    ThreadId const t = main_thread(controller);
    EXPECT_EQ(control(t, controller, Syscall::ServiceRestart, "worker"),
              i64(abi::make_grove_id(worker.serial, worker.generation)));
    EXPECT_EQ(state_of(worker), GroveState::Stopping);
    ASSERT_EQ(sys(main_thread(worker), Syscall::Exit, 0), NoResult);
    advance(Ticks(1));
    Grove const& g = named("worker");
    EXPECT_EQ(g.state, GroveState::Running);
    EXPECT_EQ(g.id.generation, worker.generation + 1);
    EXPECT_EQ(last_of(EventKind::ServiceControl).fields.service_control.action, ServiceAction::Restart);
}

TEST_F(KernelServiceTest, ListHoldsOnlyTheGrovesTheCapabilityNames) {
    GroveId const controller = spawn_controller({"b", "c"});
    (void)spawn("a");
    GroveId const b = spawn("b");
    GroveId const c = spawn("c");
    ThreadId const t = main_thread(controller);
    u64 const records = DataAddress + 0x800;
    EXPECT_EQ(sys(t, Syscall::ServiceList, records, 4), 2);
    abi::ServiceRecord got[2]{};
    auto const& pages = arch.space(space_of(controller)).pages;
    auto* out = reinterpret_cast<u8*>(got);
    for (usize i = 0; i < sizeof got; ++i) out[i] = pages.at((records + i) / PageSize).bytes[(records + i) % PageSize];
    EXPECT_EQ(got[0].grove, b.serial);
    EXPECT_EQ(got[0].state, u8(abi::GroveStatus::Running));
    EXPECT_EQ(std::string(got[0].name, got[0].name_length), "b");
    EXPECT_EQ(got[1].grove, c.serial);
    EXPECT_EQ(got[1].generation, c.generation);
    // Fewer records than groves: as many written as fit, the count is the whole.
    EXPECT_EQ(sys(t, Syscall::ServiceList, records, 1), 2);
    EXPECT_EQ(sys(t, Syscall::ServiceList, records, 0), -abi::StatusInvalidArgument);
    EXPECT_EQ(sys(t, Syscall::ServiceList, records, abi::MaxServiceRecords + 1), -abi::StatusInvalidArgument);
    EXPECT_EQ(sys(t, Syscall::ServiceList, CodeAddress, 1), -abi::StatusInvalidArgument); // not writable
}

} // namespace
} // namespace grove::testing

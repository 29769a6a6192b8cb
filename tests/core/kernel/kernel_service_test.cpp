// Service control syscalls (ServiceStart, ServiceStop, ServiceRestart, ServiceStatus, ServiceList): every status,
// the ServiceManage capability naming which groves the caller controls, and the events each request leaves.
#include <tests/core/elf/elf_builder.hpp>
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

// ServiceLoad: a loader that grants itself a small ELF image (one page of code) and spawns groves from it.
class KernelServiceLoadTest : public KernelServiceTest {
protected:
    static constexpr u64 SpecAddress = SecondDataPage;
    static constexpr u64 AuthorityAddress = SecondDataPage + 0x200;
    static constexpr u64 ImageAddress = SecondDataPage + 0x800;

    // The loader: service_manage "*", the ATA ports and line, and what `extra` adds.
    template<typename Extra>
    void make_loader(Extra&& extra) {
        GroveSpec s = spec("loader");
        EXPECT_TRUE(s.capabilities.grant_manage_any().has_value());
        EXPECT_TRUE(s.capabilities.grant_io_ports(IoPortRange{0x1F0, 0x1F7}).has_value());
        EXPECT_TRUE(s.capabilities.grant_irq(14).has_value());
        extra(s);
        m_loader = spawn(s);
        m_thread = main_thread(m_loader);
        ElfBuilder b;
        b.entry = 0x401078;
        b.add(elf::FlagRead | elf::FlagExecute, 0x401078, ElfBuilder::filled(16, 0xc3)).offset = 0x78;
        m_image = b.build();
        ASSERT_LE(m_image.size(), PageSize - 0x800);
        write(m_loader, ImageAddress, m_image.data(), m_image.size());
        i64 const grant =
            sys(m_thread, Syscall::GrantCreate, ImageAddress, m_image.size(), m_loader.serial, abi::GrantRead);
        ASSERT_GE(grant, 0);
        m_grant = static_cast<u64>(grant);
    }
    void make_loader() {
        make_loader([](GroveSpec&) {});
    }
    // ServiceLoad of a grove `name` that gives up at its first crash, with `authority` when not null; the wait for
    // the image's bytes is served.
    i64 load(char const* name, abi::ServiceAuthority const* authority = nullptr) {
        abi::ServiceSpec spec{};
        spec.grant = m_grant;
        spec.image_length = m_image.size();
        spec.memory = u64{256} << 10;
        spec.threads = 1;
        spec.cpu_percent = 10;
        spec.grants = 1;
        spec.respawn = static_cast<u8>(abi::ServiceRespawn::Limited);
        spec.name.length = static_cast<u8>(std::strlen(name));
        std::memcpy(spec.name.text, name, spec.name.length);
        write(m_loader, SpecAddress, &spec, sizeof spec);
        if (authority != nullptr) write(m_loader, AuthorityAddress, authority, sizeof *authority);
        i64 const result =
            sys(m_thread, Syscall::ServiceLoad, SpecAddress, authority != nullptr ? AuthorityAddress : 0);
        if (result != NoResult) return result;
        arch.set_now(arch.now() + Ticks(m_image.size() * GrantByteCost.value));
        last = kernel->dispatch();
        return rax(m_thread);
    }
    Grove const& loaded(char const* name) { return named(name); }

    GroveId m_loader;
    ThreadId m_thread;
    std::vector<u8> m_image;
    u64 m_grant = 0;
};

TEST_F(KernelServiceLoadTest, LoadPassesOnThePortsWatchAndControlTheAuthorityNames) {
    make_loader();
    abi::ServiceAuthority a{};
    a.port_count = 1;
    a.ports[0] = {0x1F2, 0x1F5};
    a.manage_count = 1;
    a.manage[0].length = 6;
    std::memcpy(a.manage[0].text, "worker", 6);
    a.watch_count = 1;
    a.watch[0].length = 1;
    a.watch[0].text[0] = '*';
    ASSERT_GE(load("driver", &a), 0);
    Capabilities const& c = loaded("driver").spec.capabilities;
    EXPECT_TRUE(c.allows_io_ports(IoPortRange{0x1F2, 0x1F5}));
    EXPECT_FALSE(c.allows_io_port(0x1F0));
    EXPECT_TRUE(c.allows_manage(make_grove_name("worker").value()));
    EXPECT_TRUE(c.allows_watch(make_grove_name("anyone").value()));
    // A line the loader holds passes the narrowing, but the loader owns it while it runs, so the grove cannot start
    // (a line has one owner): AlreadyExists, and nothing is left of it.
    a.irq_lines = 1u << 14;
    EXPECT_EQ(load("irqdriver", &a), -abi::StatusAlreadyExists);
    EXPECT_EQ(kernel->manager().find_by_name("irqdriver", 9), nullptr);
    // Without an authority the grove gets none of it.
    ASSERT_GE(load("plain"), 0);
    EXPECT_FALSE(loaded("plain").spec.capabilities.has(CapabilityKind::IoPort));
    EXPECT_FALSE(loaded("plain").spec.capabilities.has(CapabilityKind::Irq));
}

TEST_F(KernelServiceLoadTest, LoadRefusesPortsTheLoaderLacksAndReportsThem) {
    make_loader();
    abi::ServiceAuthority a{};
    a.port_count = 1;
    a.ports[0] = {0x60, 0x60};
    EXPECT_EQ(load("driver", &a), -abi::StatusAccessDenied);
    Event const denied = last_of(EventKind::CapabilityDenied);
    EXPECT_EQ(denied.fields.capability_denied.capability, CapabilityKind::IoPort);
    EXPECT_EQ(denied.fields.capability_denied.detail, 0x60u);
    EXPECT_EQ(last_of(EventKind::ServiceControl).fields.service_control.status, abi::StatusAccessDenied);
    EXPECT_EQ(kernel->manager().find_by_name("driver", 6), nullptr);
    // A hostile authority address: refused, nothing loaded.
    EXPECT_EQ(sys(m_thread, Syscall::ServiceLoad, SpecAddress, KernelAddress), -abi::StatusInvalidArgument);
    EXPECT_EQ(sys(m_thread, Syscall::ServiceLoad, SpecAddress, UnmappedAddress), -abi::StatusInvalidArgument);
}

TEST_F(KernelServiceLoadTest, AnImageSlotComesBackWhenItsGroveIsRemovedOrQuarantined) {
    make_loader();
    char const* names[MaxServiceImages] = {"w0", "w1", "w2", "w3"};
    GroveId ids[MaxServiceImages];
    for (usize i = 0; i < MaxServiceImages; ++i) {
        ASSERT_GE(load(names[i]), 0) << names[i];
        ids[i] = loaded(names[i]).id;
    }
    EXPECT_EQ(load("extra"), -abi::StatusNoCapacity);
    // Stopped, it may be started again from its bytes: it keeps its slot.
    ASSERT_TRUE(kernel->stop(ids[0]).has_value());
    ASSERT_EQ(sys(main_thread(ids[0]), Syscall::Exit, 0), NoResult);
    ASSERT_EQ(state_of(ids[0]), GroveState::Stopped);
    EXPECT_EQ(load("extra"), -abi::StatusNoCapacity);
    // Removed: its slot is free.
    ASSERT_TRUE(kernel->manager().remove(ids[0]).has_value());
    ASSERT_GE(load("extra"), 0);
    EXPECT_EQ(load("more"), -abi::StatusNoCapacity);
    // Quarantined (it gave up at its first crash): it never loads again, so its slot is free too.
    ASSERT_TRUE(kernel->kill(ids[1]).has_value());
    ASSERT_EQ(state_of(ids[1]), GroveState::Quarantined);
    ASSERT_GE(load("more"), 0);
    EXPECT_EQ(state_of(loaded("more").id), GroveState::Running);
}

} // namespace
} // namespace grove::testing

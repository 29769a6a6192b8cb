// Scripted faults through the one injector both runners use: the announcement comes first, then the kernel's
// events, then the result; flood-start spawns, restarts or refuses; memory spikes are remembered per incarnation.
#include <core/explore/seed_streams.hpp>
#include <core/machine/fault_injector.hpp>
#include <tests/core/kernel/kernel_fixture.hpp>

#include <string>
#include <vector>

namespace grove {
namespace {

using namespace testing;

// The trace as one list of lines: announcements ("announce killed alpha gen 1 bytes=..."), the kernel's events
// ("event stopped") and results ("result ok"), in the order they came.
class LineTrace final : public EventSink, public AnnouncementSink {
public:
    void on_event(Event const& event) override {
        lines.push_back(std::string("event ") + event_kind_name(event.kind));
        events.push_back(std::string(event_kind_name(event.kind)) + " " + std::to_string(event.serial));
    }
    void announce(Announcement const& a) override {
        std::string line = std::string("announce ") + a.kind + " " + a.name.c_str() + " gen " +
                           std::to_string(a.grove.generation) + " at " + std::to_string(a.time.value);
        for (Announcement::Field const& f : a.fields) {
            if (f.key == nullptr) continue;
            line +=
                std::string(" ") + f.key + "=" + (f.text != nullptr ? std::string(f.text) : std::to_string(f.value));
        }
        lines.push_back(line);
    }
    void settle(Result<void> const& result) override {
        lines.push_back(std::string("result ") + (result.has_value() ? "ok" : error_name(result.error())));
    }
    std::vector<std::string> lines;
    std::vector<std::string> events; // the kernel's events only: "<kind> <serial>"
};

// The disks of a machine as a power cut reaches them: records each cut.
class RecordingDisks final : public DiskPower {
public:
    void cut_power(PowerCut const& cut, Ticks now) override {
        tears.push_back(cut.tear);
        times.push_back(now.value);
    }
    std::vector<u32> tears;
    std::vector<u64> times;
};

// Spawns the flooder as a runner would (with the arguments it is given), and records the call.
class RecordingSpawner final : public FloodSpawner {
public:
    explicit RecordingSpawner(Kernel& kernel) : m_kernel(kernel) {}
    Result<GroveId> spawn_flooder(usize grove_index, Arguments const& given) override {
        index = grove_index;
        for (GroveArgument const& a : given) arguments.emplace_back(a.c_str());
        GroveSpec spec = make_spec("flood");
        spec.arguments = given;
        return m_kernel.spawn(spec);
    }
    usize index = 0;
    std::vector<std::string> arguments;

private:
    Kernel& m_kernel;
};

class FaultInjection : public KernelTest {
protected:
    void SetUp() override { kernel->set_sink(&trace); }
    static ScriptedFault fault(FaultAction action, char const* grove) {
        ScriptedFault f;
        f.action = action;
        f.grove = make_grove_name(grove).value();
        return f;
    }
    void apply(ScriptedFault const& f) {
        trace.lines.clear();
        injector.apply(f, arch.now());
    }

    LineTrace trace;
    RecordingSpawner spawner{*kernel};
    FaultInjector injector{*kernel, trace, spawner};
};

TEST_F(FaultInjection, AnnouncesFirstThenTheKernelsEventsThenTheResult) {
    (void)spawn("alpha");
    arch.set_now(Ticks(42));
    apply(fault(FaultAction::Kill, "alpha"));
    ASSERT_GE(trace.lines.size(), 3u);
    EXPECT_EQ(trace.lines.front(), "announce killed alpha gen 1 at 42");
    EXPECT_EQ(trace.lines[1], "event crashed");
    EXPECT_EQ(trace.lines.back(), "result ok");
}

TEST_F(FaultInjection, EveryActionHasItsAnnouncement) {
    (void)spawn("alpha");
    apply(fault(FaultAction::Hang, "alpha"));
    EXPECT_EQ(trace.lines.front(), "announce hung alpha gen 1 at 0");
    apply(fault(FaultAction::Crash, "alpha"));
    EXPECT_EQ(trace.lines.front(), "announce fault_injected alpha gen 1 at 0 action=crash");
    EXPECT_EQ(trace.lines.back(), "result ok");
    (void)spawn("beta");
    apply(fault(FaultAction::Stop, "beta"));
    EXPECT_EQ(trace.lines.front(), "announce fault_injected beta gen 1 at 0 action=stop");
    apply(fault(FaultAction::Restart, "alpha"));
    EXPECT_EQ(trace.lines.front(), "announce fault_injected alpha gen 1 at 0 action=restart");
    apply(fault(FaultAction::FloodStop, "beta"));
    EXPECT_EQ(trace.lines.front(), "announce flood_stopped beta gen 1 at 0");
}

TEST_F(FaultInjection, EveryAnnouncementKindIsAKindTheScenarioParserAccepts) {
    (void)spawn("alpha");
    for (u8 value = 0; value < FaultActionCount; ++value) {
        apply(fault(static_cast<FaultAction>(value), "alpha"));
        std::string const kind = trace.lines.front().substr(9, trace.lines.front().find(' ', 9) - 9);
        bool known = false;
        for (char const* runner_kind : RunnerEventKinds) known = known || kind == runner_kind;
        EXPECT_TRUE(known) << kind;
    }
}

TEST_F(FaultInjection, AGroveNotLoadedGetsTheKernelsNotFound) {
    apply(fault(FaultAction::Crash, "ghost"));
    EXPECT_EQ(trace.lines,
              (std::vector<std::string>{"announce fault_injected ghost gen 0 at 0 action=crash", "result NotFound"}));
}

TEST_F(FaultInjection, MemorySpikesAreRememberedForTheIncarnationTheyCharged) {
    GroveId const g = spawn("alpha", RespawnPolicy::always());
    ScriptedFault spike = fault(FaultAction::MemorySpike, "alpha");
    spike.bytes = kibibytes(64);
    apply(spike);
    EXPECT_EQ(trace.lines.front(), "announce memory_spike alpha gen 1 at 0 bytes=65536");
    EXPECT_EQ(trace.lines.back(), "result ok");
    apply(spike);
    EXPECT_EQ(injector.spiked_memory(*find(g)), kibibytes(128));

    ASSERT_TRUE(kernel->restart(g).has_value());
    EXPECT_EQ(sys(main_thread(g), Syscall::Exit, 0), NoResult); // the answer to the stop request
    Grove const& again = named("alpha");
    EXPECT_EQ(again.id.generation, 2u);
    EXPECT_EQ(injector.spiked_memory(again), Bytes(0));
    apply(spike);
    EXPECT_EQ(injector.spiked_memory(again), kibibytes(64));
}

TEST_F(FaultInjection, ARefusedSpikeIsNotRemembered) {
    GroveSpec s = spec("alpha");
    s.limits.memory = mebibytes(1);
    GroveId const g = spawn(s);
    ScriptedFault spike = fault(FaultAction::MemorySpike, "alpha");
    spike.bytes = mebibytes(2);
    apply(spike);
    EXPECT_EQ(trace.lines.back(), "result LimitExceeded");
    EXPECT_EQ(injector.spiked_memory(*find(g)), Bytes(0));
}

TEST_F(FaultInjection, FloodStartSpawnsTheFlooderWithItsArguments) {
    (void)spawn("alpha");
    ScriptedFault flood = fault(FaultAction::FloodStart, "flood");
    flood.grove_index = 3;
    flood.target = make_grove_name("alpha").value();
    flood.rate = 5'000;
    apply(flood);
    EXPECT_EQ(trace.lines.front(), "announce flood_started flood gen 0 at 0 target=alpha rate=5000");
    EXPECT_EQ(trace.lines.back(), "result ok");
    EXPECT_EQ(spawner.index, 3u);
    EXPECT_EQ(spawner.arguments, (std::vector<std::string>{"alpha", "forever", "0", "5000"}));

    apply(flood); // still flooding
    EXPECT_EQ(trace.lines.back(), "result InvalidState");
    apply(fault(FaultAction::FloodStop, "flood"));
    EXPECT_EQ(trace.lines.back(), "result ok");
}

TEST_F(FaultInjection, APowerCutCutsTheDisksThenRebootsTheGroveAndWhatItSendsToDriversFirst) {
    RecordingDisks disks;
    FaultInjector powered{*kernel, trace, spawner, &disks, 7};
    GroveId const driver = spawn("driver");
    GroveSpec store_spec = spec("store", RespawnPolicy::always());
    ASSERT_TRUE(store_spec.capabilities.grant_send_to(make_grove_name("driver").value()).has_value());
    GroveId const store = spawn(store_spec);
    GroveId const other = spawn("other");
    arch.set_now(Ticks(42));
    trace.lines.clear();
    trace.events.clear();
    powered.apply(fault(FaultAction::PowerCut, "store"), arch.now());

    u32 const tear = static_cast<u32>(stream_prng(7, SeedStream::PowerCuts).below(PowerCut::SectorBytes + 1));
    EXPECT_EQ(trace.lines.front(), "announce power_cut store gen 1 at 42 tear=" + std::to_string(tear));
    EXPECT_EQ(disks.tears, std::vector<u32>{tear});
    EXPECT_EQ(disks.times, std::vector<u64>{42});
    EXPECT_EQ(trace.lines.back(), "result ok");
    std::vector<std::string> crashed, started;
    for (std::string const& e : trace.events) {
        if (e.rfind("crashed ", 0) == 0) crashed.push_back(e);
        if (e.rfind("started ", 0) == 0) started.push_back(e);
    }
    std::string const d = std::to_string(driver.serial), st = std::to_string(store.serial);
    EXPECT_EQ(crashed, (std::vector<std::string>{"crashed " + st, "crashed " + d}));
    EXPECT_EQ(started, (std::vector<std::string>{"started " + d, "started " + st}));
    EXPECT_EQ(named("driver").id.generation, 2u);
    EXPECT_EQ(named("store").id.generation, 2u);
    EXPECT_EQ(named("store").state, GroveState::Running);
    EXPECT_EQ(find(other)->id.generation, 1u); // neither the store's nor the driver's

    // Each power cut draws its own tear from the stream, in order.
    Prng stream = stream_prng(7, SeedStream::PowerCuts);
    (void)stream.below(PowerCut::SectorBytes + 1);
    powered.apply(fault(FaultAction::PowerCut, "driver"), arch.now());
    EXPECT_EQ(disks.tears.back(), stream.below(PowerCut::SectorBytes + 1));
    EXPECT_EQ(named("driver").id.generation, 3u);
    EXPECT_EQ(named("store").id.generation, 2u); // the driver sends to nothing

    // A grove nobody has: refused before any disk loses power; the tear is drawn all the same.
    usize const cuts = disks.tears.size();
    powered.apply(fault(FaultAction::PowerCut, "ghost"), arch.now());
    EXPECT_EQ(trace.lines.back(), "result NotFound");
    EXPECT_EQ(disks.tears.size(), cuts);
    powered.apply(fault(FaultAction::PowerCut, "driver"), arch.now());
    (void)stream.below(PowerCut::SectorBytes + 1); // the ghost's
    EXPECT_EQ(disks.tears.back(), stream.below(PowerCut::SectorBytes + 1));
}

TEST_F(FaultInjection, APowerCutWithoutDisksStillRebootsAndAnUnknownGroveIsNotFound) {
    (void)spawn("alpha");
    apply(fault(FaultAction::PowerCut, "alpha"));
    EXPECT_EQ(trace.lines.back(), "result ok");
    EXPECT_EQ(named("alpha").id.generation, 2u);
    apply(fault(FaultAction::PowerCut, "ghost"));
    EXPECT_EQ(trace.lines.back(), "result NotFound");
}

} // namespace
} // namespace grove

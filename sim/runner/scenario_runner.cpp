#include <sim/runner/scenario_runner.hpp>

#include <core/explore/invariant_checker.hpp>
#include <core/explore/seed_streams.hpp>
#include <core/kernel/kernel.hpp>
#include <core/machine/fault_injector.hpp>
#include <core/machine/machine_loop.hpp>
#include <core/base/hash.hpp>
#include <sim/backend/unicorn_arch.hpp>
#include <sim/devices/ata_disk.hpp>
#include <sim/devices/bochs_display.hpp>
#include <sim/runner/spec_mapping.hpp>
#include <sim/runner/trace_recorder.hpp>
#include <sim/scenario/fault_realization.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>

namespace grove::runner {

using scenario::FieldValue;
using scenario::TraceEvent;

namespace {

constexpr PageCount MachineFrames = sim::UnicornArch::DefaultFrames;
static_assert(MachineFrames >= pages_for(AdmissionMemory)); // admission promises groves what it reserves
// How many resumes pass between two checks of the invariants (besides one after every fault and one at the end).
constexpr u64 InvariantCheckPeriod = 64;

bool is_fault_trap(TrapKind kind) { return kind != TrapKind::Syscall && kind != TrapKind::Timer; }

scenario::GroveState scenario_state(GroveState state) {
    switch (state) {
    case GroveState::Loading: return scenario::GroveState::Loading;
    case GroveState::Running: return scenario::GroveState::Running;
    case GroveState::Stopping: return scenario::GroveState::Stopping;
    case GroveState::Stopped: return scenario::GroveState::Stopped;
    case GroveState::Faulted: return scenario::GroveState::Faulted;
    case GroveState::Quarantined: return scenario::GroveState::Quarantined;
    }
    return scenario::GroveState::Loading;
}

scenario::IpcCounters scenario_counters(IpcCounters const& counters) {
    return scenario::IpcCounters{counters.sent, counters.delivered, counters.refused_total(), counters.queued};
}

std::string hex_bytes(u8 const* bytes, usize length) {
    std::string text;
    for (usize i = 0; i < length; ++i) {
        if (i > 0) text += ' ';
        text += fmt::format("{:02x}", bytes[i]);
    }
    return text;
}

std::string register_text(sim::RegisterSnapshot const& r) {
    return fmt::format("rip={:#x} rsp={:#x} rbp={:#x} rax={:#x} rbx={:#x} rcx={:#x} rdx={:#x} rsi={:#x} rdi={:#x} "
                       "r8={:#x} r9={:#x} r10={:#x} r11={:#x} r12={:#x} r13={:#x} r14={:#x} r15={:#x} rflags={:#x}",
                       r.rip, r.rsp, r.rbp, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.r8, r.r9, r.r10, r.r11, r.r12,
                       r.r13, r.r14, r.r15, r.rflags);
}

// The kernel's scheduler for a run: the defaults, perturbed from the run's seed as [explore] says.
SchedulerConfig scheduler_config(scenario::Scenario const& s, RunOptions const& options) {
    SchedulerConfig config;
    config.perturbation = schedule_perturbation(options.seed.value_or(s.seed), s.explore.quantum_jitter_percent,
                                                s.explore.change_per_mille);
    return config;
}

// One run of one scenario. Owns the machine (arch, kernel) and the images for as long as the run lasts. The
// machine loop (core/machine/machine_loop.hpp) drives it; faults go through the core's FaultInjector.
class Run final : private FloodSpawner, private DiskPower {
public:
    Run(scenario::RealizedScenario const& realized, RunOptions const& options, sim::FaultPrecision precision)
        : m_realized(realized), m_scenario(realized.scenario), m_options(options),
          m_images(image_search(options.image_directories)), m_arch(make_arch(options, precision)),
          m_kernel(std::make_unique<Kernel>(*m_arch, scheduler_config(m_scenario, options))), m_recorder(*m_arch),
          m_injector(*m_kernel, m_recorder, *this, this, m_scenario.seed),
          m_actions(m_scenario.groves.size() + m_scenario.faults.size()),
          m_schedule(Span<ScheduledAction>{m_actions.data(), m_actions.size()}) {
        m_kernel->set_sink(&m_recorder);
        m_recorder.set_registry(&m_kernel->manager().registry());
    }

    // Installs the observer before the machine has an address space (every space gets its hook).
    static std::unique_ptr<sim::UnicornArch> make_arch(RunOptions const& options, sim::FaultPrecision precision);

    RunResult run();
    // The run stopped at a data fault it could not report exactly (FaultPrecision::Fast): its result is
    // incomplete and must be discarded.
    bool stopped_inexact() const { return m_arch->has_inexact_fault(); }
    bool abandoned() const { return m_options.observer != nullptr && m_options.observer->has_abandoned(); }

    // --- the machine loop's runner (MachineRunner) ---------------------------------------------------------------
    void start_grove(usize index) { (void)start(index, m_scenario.groves[index].args); }
    void inject_fault(usize index);
    void before_resume(ThreadId thread) {
        m_resumed_at = now();
        note_progress(thread);
    }
    // Nothing of an inexact fault reaches the kernel or the trace; a fault trap's crash report is recorded first.
    // Every InvariantCheckPeriod resumes the invariants are checked; a broken one ends the run there.
    bool after_resume(ThreadId thread, Trap const& trap);

private:
    std::string prepare();
    void schedule_actions();
    // The swarm choices and the realized faults, as events at time 0, when the scenario draws from its seed.
    void record_realization();
    // Spawns scenario grove `index` with `arguments`; a refusal is a `crashed` event of kind spawn_failed.
    Result<GroveId> start(usize index, std::vector<std::string> const& arguments);
    Result<GroveId> spawn_flooder(usize index, Arguments const& arguments) override;
    // A power cut reaches every disk of the machine.
    void cut_power(PowerCut const& cut, Ticks at) override {
        for (sim::AtaDisk* disk : m_disks) disk->cut_power(cut.tear, at);
    }
    void record_crash_report(ThreadId thread, Trap const& trap);
    // Folds the trap into the running hash, stamps the events that follow with it and, when asked, records the step.
    void fold_trap(ThreadId thread, Trap const& trap);
    void note_progress(ThreadId thread);

    Grove const* find(std::string const& name) const;
    usize add_runner_event(std::string const& grove, char const* kind);
    scenario::FinalCounters final_counters() const;
    void add_machine_checks(scenario::Verdict& verdict) const;
    // Attaches the scenario's disks to the machine's bus, each a copy of its image; an error text when one
    // cannot be read.
    std::string attach_disks();
    std::vector<DiskResult> finish_disks() const;
    std::optional<DisplayResult> finish_display() const;
    // The checks of the invariants all along; false (and an invariant_violated event) when one broke.
    bool check_invariants();
    MachineMemory machine_memory() const;
    void add_invariant_row(scenario::Verdict& verdict) const;
    Ticks now() const { return m_arch->now(); }

    scenario::RealizedScenario const& m_realized;
    scenario::Scenario const& m_scenario; // m_realized's: every fault explicit
    RunOptions const& m_options;
    GroveImages m_images;
    std::unique_ptr<sim::UnicornArch> m_arch;
    std::unique_ptr<Kernel> m_kernel;
    TraceRecorder m_recorder;
    FaultInjector m_injector;

    std::vector<GroveImage const*> m_grove_images; // by scenario grove index
    std::vector<bool> m_flooded;                   // by scenario grove index: started by flood-start only
    std::map<std::string, u32> m_serials;          // grove name -> registry serial, once loaded
    std::map<std::string, usize> m_indices;        // grove name -> scenario grove index
    std::map<u32, GroveImage const*> m_image_of_serial;
    std::vector<std::string> m_spawn_failures; // groves whose first spawn failed
    std::vector<ScheduledAction> m_actions;    // the storage of m_schedule: one per grove and per fault
    ActionSchedule m_schedule;
    std::vector<sim::AtaDisk*> m_disks;           // by [[disks]] index, owned by the arch's bus
    sim::BochsDisplay const* m_display = nullptr; // owned by the arch's bus
    InvariantChecker m_checker;
    u64 m_steps = 0;                        // resumes of grove threads so far
    u64 m_trap_hash = Fnv1a64::OffsetBasis; // the running hash over every trap so far (StepStamp)
    Ticks m_resumed_at{};                   // when the step under way began
};

std::string Run::attach_disks() {
    // The display is always there, as QEMU's std VGA is on q35: ports 0x1CE-0x1D0 and its framebuffer.
    auto display = std::make_unique<sim::BochsDisplay>();
    m_display = display.get();
    MUST(m_arch->bus().attach(std::move(display))); // the first device: nothing is claimed yet
    u64 const seed = m_options.seed.value_or(m_scenario.seed);
    for (scenario::Disk const& disk : m_scenario.disks) {
        std::ifstream in(disk.image, std::ios::binary);
        std::vector<std::uint8_t> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.good() && !in.eof()) return fmt::format("cannot read the disk image '{}'", disk.image);
        if (image.empty() || image.size() % sim::AtaDisk::SectorSize != 0 ||
            image.size() / sim::AtaDisk::SectorSize > sim::AtaDisk::MaxSectors)
            return fmt::format("the disk image '{}' has {} bytes, not a whole number of 512-byte sectors (1 to 2^28)",
                               disk.image, image.size());
        std::optional<u64> timing_seed;
        if (disk.seeded_timing) timing_seed = stream_seed(seed, SeedStream::Devices, m_disks.size());
        auto ata = std::make_unique<sim::AtaDisk>(std::move(image), m_arch->bus().interrupts(), timing_seed);
        sim::AtaDisk* attached = ata.get();
        if (m_arch->bus().attach(std::move(ata)).is_error())
            return fmt::format("the disk '{}' cannot be attached: its ports are taken", disk.path);
        m_disks.push_back(attached);
    }
    return "";
}

std::vector<DiskResult> Run::finish_disks() const {
    std::vector<DiskResult> results;
    for (usize i = 0; i < m_disks.size(); ++i) {
        std::vector<std::uint8_t> const& image = m_disks[i]->committed();
        Fnv1a64 hash;
        hash.update(image.data(), image.size());
        DiskResult result{m_scenario.disks[i].path, hash.digest(), m_disks[i]->dirty_sectors(), ""};
        if (m_options.keep_disks) {
            std::filesystem::path const kept = *m_options.keep_disks / fmt::format("{}.disk{}.img", m_scenario.name, i);
            std::error_code ignored;
            std::filesystem::create_directories(*m_options.keep_disks, ignored);
            std::ofstream out(kept, std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<char const*>(image.data()), static_cast<std::streamsize>(image.size()));
            result.kept = out.good() ? kept.string() : fmt::format("(cannot write {})", kept.string());
        }
        results.push_back(result);
    }
    return results;
}

std::optional<DisplayResult> Run::finish_display() const {
    std::optional<x86::bochs::Picture> const picture = m_display->picture();
    if (!picture) return std::nullopt;
    return DisplayResult{*picture, *m_display->picture_hash()};
}

std::string Run::prepare() {
    m_grove_images.resize(m_scenario.groves.size(), nullptr);
    m_flooded.resize(m_scenario.groves.size(), false);
    for (usize i = 0; i < m_scenario.groves.size(); ++i) m_indices[m_scenario.groves[i].name] = i;
    for (scenario::Fault const& fault : m_scenario.faults) {
        if (fault.action != FaultAction::FloodStart) continue;
        usize const index = m_indices.at(fault.grove);
        if (m_scenario.groves[index].image != "flooder")
            return fmt::format("fault 'flood-start' at {}ns names grove '{}', whose image is '{}'; a flood needs a "
                               "grove with image = \"flooder\"",
                               fault.at.value, fault.grove, m_scenario.groves[index].image);
        m_flooded[index] = true;
    }
    for (usize i = 0; i < m_scenario.groves.size(); ++i) {
        scenario::GroveSpec const& grove = m_scenario.groves[i];
        GroveImage const* image = m_images.get(grove.image);
        if (image == nullptr) return m_images.error();
        m_grove_images[i] = image;
        SpecMapping const mapped = map_grove_spec(grove, image->plan, grove.args);
        if (!mapped.ok()) return mapped.error;
    }
    return "";
}

void Run::record_realization() {
    if (scenario::Explore const& e = m_scenario.explore; e.quantum_jitter_percent != 0 || e.change_per_mille != 0) {
        usize const event = add_runner_event("", runner_event::SchedulePerturbed);
        m_recorder.at(event)
            .with("quantum_jitter_percent", u64{e.quantum_jitter_percent})
            .with("change_per_mille", u64{e.change_per_mille});
    }
    if (!m_realized.drew_faults) return;
    std::vector<std::string> const lines = scenario::describe_realization(m_realized);
    for (usize i = 0; i < m_realized.choices.size(); ++i) {
        usize const event = add_runner_event("", runner_event::SwarmChoice);
        m_recorder.at(event).with("rule", u64{i + 1}).with("enabled", lines[i]);
    }
    for (scenario::Fault const& fault : m_scenario.faults) {
        usize const event = add_runner_event(fault.grove, runner_event::FaultPlanned);
        m_recorder.at(event).with("at", fault.at.value).with("action", std::string(fault_action_name(fault.action)));
        if (fault.action == FaultAction::MemorySpike) m_recorder.at(event).with("bytes", fault.bytes.value);
        if (fault.action == FaultAction::FloodStart) m_recorder.at(event).with("target", fault.target);
    }
}

void Run::schedule_actions() {
    for (usize i = 0; i < m_scenario.groves.size(); ++i)
        if (!m_flooded[i]) (void)m_schedule.add({m_scenario.groves[i].start_at, ScheduledAction::Kind::Start, i});
    for (usize i = 0; i < m_scenario.faults.size(); ++i)
        (void)m_schedule.add({m_scenario.faults[i].at, ScheduledAction::Kind::Fault, i});
}

Grove const* Run::find(std::string const& name) const {
    auto const serial = m_serials.find(name);
    if (serial == m_serials.end()) return nullptr;
    return m_kernel->manager().registry().find_serial(serial->second);
}

usize Run::add_runner_event(std::string const& grove, char const* kind) {
    TraceEvent event;
    event.time = now();
    event.grove = grove;
    Grove const* g = find(grove);
    event.generation = g == nullptr ? 0 : g->id.generation;
    event.kind = kind;
    return m_recorder.add(std::move(event));
}

Result<GroveId> Run::start(usize index, std::vector<std::string> const& arguments) {
    scenario::GroveSpec const& grove = m_scenario.groves[index];
    GroveImage const* image = m_grove_images[index];
    SpecMapping const mapped = map_grove_spec(grove, image->plan, arguments);
    u32 const serial = m_kernel->manager().registry().next_serial();
    m_recorder.name_serial(serial, grove.name, mapped.spec.limits.policy);
    Result<GroveId> spawned = mapped.ok() ? m_kernel->spawn(mapped.spec) : Result<GroveId>(Error::InvalidArgument);
    if (spawned.is_error()) {
        // The kernel refused the grove (its image alone over the memory limit, no room...): it never ran.
        usize const event = add_runner_event(grove.name, event_kind_name(EventKind::Crashed));
        m_recorder.at(event)
            .with("kind", std::string(crash_kind_name(CrashKind::SpawnFailed)))
            .with("error", error_name(spawned.error()));
        m_spawn_failures.push_back(grove.name);
        return spawned;
    }
    m_serials[grove.name] = spawned.value().serial;
    m_image_of_serial[spawned.value().serial] = image;
    return spawned;
}

Result<GroveId> Run::spawn_flooder(usize index, Arguments const& arguments) {
    std::vector<std::string> strings;
    for (GroveArgument const& argument : arguments) strings.emplace_back(argument.c_str(), argument.length());
    return start(index, strings);
}

void Run::inject_fault(usize index) {
    scenario::Fault const& fault = m_scenario.faults[index];
    auto name = [](std::string const& text) { return GroveName::from(text.data(), text.size()).value(); };
    ScriptedFault scripted;
    scripted.action = fault.action;
    scripted.grove = name(fault.grove);
    scripted.grove_index = m_indices.at(fault.grove);
    if (fault.action == FaultAction::FloodStart) scripted.target = name(fault.target);
    scripted.rate = fault.rate;
    scripted.bytes = fault.bytes;
    m_injector.apply(scripted, now());
    (void)check_invariants();
}

std::unique_ptr<sim::UnicornArch> Run::make_arch(RunOptions const& options, sim::FaultPrecision precision) {
    auto arch = std::make_unique<sim::UnicornArch>(MachineFrames, precision);
    if (options.observer != nullptr) {
        arch->set_instruction_observer(options.observer);
        options.observer->attach(*arch);
    }
    return arch;
}

bool Run::after_resume(ThreadId thread, Trap const& trap) {
    if (m_arch->has_inexact_fault() || abandoned()) return false;
    if (m_checker.is_broken()) return false;
    ++m_steps;
    fold_trap(thread, trap);
    if (m_steps % InvariantCheckPeriod == 0 && !check_invariants()) return false;
    if (is_fault_trap(trap.kind)) record_crash_report(thread, trap);
    return true;
}

MachineMemory Run::machine_memory() const {
    return MachineMemory{MachineFrames, m_arch->free_pages(), m_injector.held_pages(m_kernel->manager())};
}

bool Run::check_invariants() {
    if (m_checker.is_broken()) return false;
    if (m_checker.check(m_kernel->ipc(), m_kernel->manager(), machine_memory(), now(), m_steps)) return true;
    InvariantViolation const& broken = m_checker.violation();
    std::string const grove = broken.serial == 0 ? std::string() : m_recorder.name_of(broken.serial);
    usize const event = add_runner_event(grove, runner_event::InvariantViolated);
    m_recorder.at(event)
        .with("invariant", std::string(invariant_name(broken.invariant)))
        .with("step", broken.step)
        .with("expected", broken.expected)
        .with("seen", broken.seen);
    return false;
}

void Run::add_invariant_row(scenario::Verdict& verdict) const {
    if (!m_checker.is_broken()) {
        verdict.rows.push_back(
            scenario::VerdictRow{"invariants all along", true, "hold at every check",
                                 fmt::format("held at {} checks (every {} steps, every fault, the end)",
                                             m_checker.checks(), InvariantCheckPeriod)});
        return;
    }
    InvariantViolation const& broken = m_checker.violation();
    std::string const grove =
        broken.serial == 0 ? std::string() : fmt::format(" grove '{}':", m_recorder.name_of(broken.serial));
    verdict.rows.push_back(
        scenario::VerdictRow{fmt::format("invariant: {}", invariant_name(broken.invariant)), false,
                             "holds at every check",
                             fmt::format("violated at step {}, {}ns:{} expected {}, seen {}", broken.step,
                                         broken.time.value, grove, broken.expected, broken.seen)});
}

void Run::record_crash_report(ThreadId thread, Trap const& trap) {
    GroveId const grove = m_kernel->grove_of(thread);
    Grove const* g = m_kernel->manager().find(grove);
    if (g == nullptr || !g->is_alive()) return;
    CrashReport report;
    report.serial = grove.serial;
    sim::InstructionText const text = m_arch->describe_instruction(g->image.space, trap.pc);
    report.instruction = text.decoded ? std::string(text.mnemonic) : std::string("(bad)");
    if (text.decoded && text.operands[0] != '\0') report.instruction += std::string(" ") + text.operands;
    report.bytes = hex_bytes(text.bytes, text.length);
    if (auto image = m_image_of_serial.find(grove.serial); image != m_image_of_serial.end())
        report.symbol = image->second->locate(trap.pc);
    report.registers = register_text(m_arch->registers(thread));
    m_recorder.set_crash_report(std::move(report));
}

void Run::fold_trap(ThreadId thread, Trap const& trap) {
    Fnv1a64 hash;
    hash.update_u64(m_trap_hash);
    hash.update_u64(m_steps);
    hash.update_u64(now().value);
    hash.update_u64(u64{thread.index} << 32 | thread.generation);
    hash.update_u64(static_cast<u64>(trap.kind));
    hash.update_u64(trap.pc);
    if (trap.kind == TrapKind::Syscall) {
        hash.update_u64(trap.syscall.number);
        for (u64 argument : trap.syscall.arg) hash.update_u64(argument);
    } else if (trap.kind != TrapKind::Timer) {
        hash.update_u64(trap.fault.address);
        hash.update_u64(trap.fault.error_code);
    }
    m_trap_hash = hash.digest();
    m_recorder.set_step(scenario::StepStamp{m_steps, m_trap_hash});
    if (m_options.steps == nullptr) return;
    GroveId const grove = m_kernel->grove_of(thread);
    m_options.steps->push_back(StepRecord{m_steps, m_resumed_at, now(), m_recorder.name_of(grove.serial),
                                          grove.generation, thread, trap.kind, trap.pc, m_arch->registers(thread),
                                          m_trap_hash});
}

void Run::note_progress(ThreadId thread) {
    RunProgress* progress = m_options.progress;
    if (progress == nullptr) return;
    GroveId const grove = m_kernel->grove_of(thread);
    std::string const name = m_recorder.name_of(grove.serial);
    std::memset(progress->grove, 0, sizeof progress->grove);
    std::memcpy(progress->grove, name.data(), std::min(name.size(), sizeof progress->grove - 1));
    progress->generation = grove.generation;
    progress->pc = m_arch->registers(thread).rip;
    progress->time = now().value;
    ++progress->resumes;
}

scenario::FinalCounters Run::final_counters() const {
    scenario::FinalCounters counters;
    counters.end_time = now();
    counters.digest = m_kernel->digest();
    for (scenario::GroveSpec const& grove : m_scenario.groves) {
        scenario::GroveCounters row;
        row.grove = grove.name;
        Grove const* g = find(grove.name);
        if (g != nullptr) {
            row.state = scenario_state(g->state);
            row.crashes = g->crashes;
            row.respawns = g->history.respawns();
            row.ipc = scenario_counters(m_kernel->ipc().grove_counters(g->slot));
        } else {
            bool const failed =
                std::find(m_spawn_failures.begin(), m_spawn_failures.end(), grove.name) != m_spawn_failures.end();
            row.state = failed ? scenario::GroveState::Faulted : scenario::GroveState::Stopped;
        }
        counters.groves.push_back(row);
    }
    for (u8 slot = 0; slot < IpcLedger::GroveCapacity; ++slot) {
        IpcCounters const& c = m_kernel->ipc().grove_counters(slot);
        counters.overall.sent += c.sent;
        counters.overall.delivered += c.delivered;
        counters.overall.refused += c.refused_total();
        counters.overall.queued += c.queued;
    }
    GrantTable const& grants = m_kernel->grants();
    Kernel::GrantCopyCounters const& copies = m_kernel->grant_copies();
    if (grants.created() != 0 || copies.asked != 0)
        counters.grants = scenario::GrantCounters{grants.created(), grants.ended(), grants.live(),
                                                  copies.asked,     copies.copied,  copies.refused};
    return counters;
}

void Run::add_machine_checks(scenario::Verdict& verdict) const {
    bool const ipc = m_kernel->ipc().check_invariant();
    verdict.rows.push_back(scenario::VerdictRow{"kernel IPC invariant", ipc, "holds", ipc ? "holds" : "violated"});

    // Every page a live grove holds (its pages and page tables) is one the frame pool gave out; a dead grove's
    // pages are all back.
    verdict.rows.push_back(
        scenario::memory_accounting_row(scenario::MemoryCounters{MachineFrames.value, m_arch->free_pages().value,
                                                                 m_injector.held_pages(m_kernel->manager()).value}));
}

RunResult Run::run() {
    RunResult result;
    result.seed = m_options.seed.value_or(m_scenario.seed);
    result.error = prepare();
    if (result.error.empty()) result.error = attach_disks();
    if (!result.error.empty()) return result;
    record_realization();
    schedule_actions();
    if (!m_scenario.faults.empty()) {
        auto const last =
            std::max_element(m_scenario.faults.begin(), m_scenario.faults.end(),
                             [](scenario::Fault const& a, scenario::Fault const& b) { return a.at < b.at; });
        m_checker.set_faults_end(last->at);
    }
    run_machine(*m_arch, *m_kernel, m_schedule, *this, m_scenario.duration);
    result.abandoned = abandoned();
    if (stopped_inexact() || result.abandoned) return result;
    (void)check_invariants();
    result.trace.final_counters = final_counters();
    scenario::StepStamp end{m_steps, m_trap_hash};
    result.trace.stamps = m_recorder.take_stamps(end);
    result.trace.final_counters->steps = end;
    result.trace.events = m_recorder.take_events();
    result.verdict = scenario::evaluate_verdict(m_scenario, result.trace);
    add_machine_checks(result.verdict);
    result.disks = finish_disks();
    result.display = finish_display();
    add_invariant_row(result.verdict);
    return result;
}

} // namespace

RunResult run_scenario(scenario::Scenario const& scripted, RunOptions const& options) {
    scenario::RealizedScenario const realized =
        scenario::realize_faults(scripted, options.seed.value_or(scripted.seed));
    if (!realized.error.empty()) return RunResult{realized.error, realized.scenario.seed, {}, {}, false, false, {}, {}};
    if (options.precision == sim::FaultPrecision::Fast && options.observer == nullptr) {
        Run fast(realized, options, sim::FaultPrecision::Fast);
        RunResult result = fast.run();
        if (!fast.stopped_inexact()) return result;
    }
    // Exact from the start: the same run (it is deterministic) up to the data fault, which it reports exactly.
    if (options.progress != nullptr) *options.progress = RunProgress{};
    if (options.steps != nullptr) options.steps->clear();
    Run exact(realized, options, sim::FaultPrecision::Exact);
    RunResult result = exact.run();
    result.replayed = options.precision == sim::FaultPrecision::Fast && options.observer == nullptr;
    return result;
}

} // namespace grove::runner

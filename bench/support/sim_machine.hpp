#pragma once
#include <core/grove/ids.hpp>
#include <core/ipc/ipc_counters.hpp>
#include <core/kernel/kernel.hpp>
#include <core/machine/machine_loop.hpp>
#include <sim/backend/unicorn_arch.hpp>
#include <sim/runner/grove_images.hpp>
#include <sim/runner/scenario_runner.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace grove::bench {

// One simulated machine for the benchmarks: a UnicornArch and a Kernel, groves spawned from the build's images
// (runner::GroveImages, the runner's spec mapping), and the machine loop of core/machine (dispatch, resume,
// on_trap, the idle skip) turned one step at a time, with no scripted actions. Owns the machine and the images; the kernel refers to both. Keeps the count of
// traps and of idle-skipped ticks, so that the guest instructions retired are known: virtual time minus
// VirtualClock::TrapCost per trap minus the idle skips.
//
// The machine runs with the precision the scenario runner starts every run with (runner::DefaultPrecision: Fast,
// no memory hook), so that the figures are those of a scenario run. It has no replay: a grove that faults on a data
// access stops the benchmark (step() throws), and benchmark groves never fault.
class SimMachine {
public:
    static constexpr sim::FaultPrecision Precision = runner::DefaultPrecision;

    // `image_directories` are searched for images before the build's (runner::image_search).
    explicit SimMachine(std::vector<std::filesystem::path> image_directories = {});
    SimMachine(SimMachine const&) = delete;
    SimMachine& operator=(SimMachine const&) = delete;

    // Spawns `image` as grove `name` with `arguments` (argv[1..]), `priority`, the IpcSend capability on the
    // groves named in `ipc_send`, IpcReceive from those named in `ipc_receive` ("*": from any; without it every
    // message sent to the grove is refused), no CPU limit and an IPC rate limit it cannot reach. try_spawn returns a null
    // GroveId when the image or the spawn is refused; spawn throws std::runtime_error naming the grove instead.
    GroveId try_spawn(std::string const& name, std::string const& image, std::vector<std::string> const& arguments,
                      u32 priority, std::vector<std::string> const& ipc_send,
                      std::vector<std::string> const& ipc_receive = {});
    GroveId spawn(std::string const& name, std::string const& image, std::vector<std::string> const& arguments,
                  u32 priority, std::vector<std::string> const& ipc_send,
                  std::vector<std::string> const& ipc_receive = {});

    // One step of the loop: a dispatched thread runs to its next trap and the kernel takes it, or, when every
    // thread is blocked, time jumps to the next wake-up. Throws std::runtime_error when a grove faulted on a data
    // access (see above).
    void step(Ticks end = Ticks::max());
    void run_until(Ticks t);
    void run_for(Ticks span) { run_until(Ticks(now().value + span.value)); }
    // Steps until `grove` has no live image (it exited or crashed), or an hour of virtual time has passed.
    void run_until_exit(GroveId grove);

    Ticks now() const { return m_arch->now(); }
    IpcCounters const& ipc_counters(GroveId grove) const;
    // Bytes the kernel has copied through grants (GrantCopyFrom and GrantCopyTo, every grove).
    u64 grant_bytes_copied() const { return m_kernel->grant_copies().bytes; }
    u64 traps() const { return m_traps; }
    u64 guest_instructions() const;
    // Everything the groves wrote to the console.
    std::string const& console() const { return m_arch->console_all(); }

private:
    // The loop's runner: no scripted actions; counts the traps and stops the benchmark at an inexact fault.
    struct Runner {
        SimMachine& machine;
        void start_grove(usize) {}
        void inject_fault(usize) {}
        void before_resume(ThreadId) {}
        bool after_resume(ThreadId thread, Trap const& trap);
    };
    using Loop = MachineStepper<sim::UnicornArch, Runner>;

    runner::GroveImages m_images;
    std::unique_ptr<sim::UnicornArch> m_arch;
    std::unique_ptr<Kernel> m_kernel;
    ActionSchedule m_schedule{Span<ScheduledAction>{nullptr, 0}};
    Runner m_runner{*this};
    Loop m_loop{*m_arch, *m_kernel, m_schedule, m_runner};
    u64 m_traps = 0;
    u64 m_idle_ticks = 0;
};

} // namespace grove::bench

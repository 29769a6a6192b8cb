#pragma once
// The simulator's gdb stub: `grovesim run --gdb PORT` serves the GDB remote protocol (remote_protocol.hpp) for the
// groves of one run. Every grove thread is a gdb thread (id: ThreadId index + 1); the stub stops the run inside
// the instruction hook of the machine (sim/backend/instruction_observer.hpp), so a stop, a breakpoint or a step
// changes neither virtual time nor the events nor the digest. The run is deterministic, so execution goes back by
// replaying it from the start to an earlier instruction count (reverse-stepi, reverse-continue).
#include <sim/backend/instruction_observer.hpp>
#include <sim/gdb/connection.hpp>
#include <sim/gdb/remote_protocol.hpp>
#include <sim/runner/scenario_runner.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>

namespace grove::gdb {

// Serves one gdb over `connection` (accepted) for the runs it is attached to. The first instruction of the first
// run is a stop (gdb's '?'); from then on the run goes on only when gdb resumes it. Between two runs (a replay)
// the breakpoints, the stop time and the connection stay. Owns the connection.
//
// Counts: every instruction of a run has a number, from 1, the same in every replay of it (the run is
// deterministic); the stub keeps, per thread, the numbers of its last two instructions, so that a step back is a
// replay to the previous one of the stopped thread; a continue back replays once to find the last breakpoint hit
// before the stop and once more to stop there.
class GdbStub final : public sim::InstructionObserver {
public:
    explicit GdbStub(Connection connection);

    void attach(sim::UnicornArch& arch) override;
    bool has_abandoned() const override { return m_abandoned; }
    Verdict on_instruction(sim::UnicornSpace& space, u32 thread, u64 pc, Ticks time) override;

    // The run ended (not abandoned): gdb hears that the process exited with `status`; the connection closes.
    void finish(int status);

    static constexpr usize HardwareBreakpoints = 4; // as x86's DR0-DR3

private:
    enum class Mode : u8 {
        Step,     // stop at the next instruction of m_step_thread (any thread when none), or a breakpoint
        Continue, // stop at a breakpoint, the stop time or gdb's interrupt
        Replay,   // a replay towards m_replay_target (after m_scan_until, when set, has found it)
        Detached, // gdb is gone or detached: the run goes on alone
    };
    // What gdb is told about a stop.
    struct StopReason {
        u8 signal = 5;     // SIGTRAP; 2 (SIGINT) for an interrupt
        std::string extra; // "swbreak:;", "hwbreak:;", "replaylog:begin;"
    };
    // What a packet asked for.
    enum class Next : u8 { Serve, Resume, Replay };

    Verdict serve(StopReason const& reason);
    Next handle(std::string const& packet, StopReason const& reason);
    void reply(std::string const& payload);
    // The next event from gdb, waiting for it; nothing once gdb is gone.
    std::optional<PacketReader::Event> next_event();
    bool interrupted();
    Verdict abandon();

    std::string stop_reply(StopReason const& reason) const;
    std::optional<ThreadId> thread_of(u64 gdb_id) const;
    std::string read_registers(ThreadId thread);
    bool write_register(ThreadId thread, usize number, std::string const& bytes);
    std::string read_memory(MemoryRange range);
    std::string write_memory(MemoryWrite const& write);
    std::string monitor(std::string const& command);
    bool is_breakpoint(u64 pc) const { return m_software.count(pc) != 0 || m_hardware.count(pc) != 0; }
    // The stop reply's reason for a breakpoint at `pc`.
    char const* breakpoint_kind(u64 pc) const { return m_hardware.count(pc) != 0 ? "hwbreak:;" : "swbreak:;"; }

    Connection m_connection;
    PacketReader m_reader;
    std::string m_last_sent;
    std::set<u64> m_software;
    std::set<u64> m_hardware;
    std::optional<Ticks> m_stop_time; // `monitor stop-at`: continue stops at the first instruction at or after it
    Mode m_mode = Mode::Step;
    std::optional<u32> m_step_thread;   // Step: the thread index to step, or any thread
    std::optional<u32> m_resume_thread; // Hc: the thread 's' and 'c' apply to, or the stopped one
    bool m_waiting = false;             // gdb resumed the target and waits for a stop reply
    u64 m_replay_target = 0;
    u64 m_scan_until = 0;
    u64 m_last_hit = 0;
    std::string m_replay_extra;

    // The run under way.
    sim::UnicornArch* m_arch = nullptr;
    bool m_abandoned = false;
    u64 m_count = 0;
    struct History {
        u64 last = 0;
        u64 previous = 0;
    };
    std::map<u32, History> m_history; // by thread index

    // The stop being served.
    sim::UnicornSpace* m_space = nullptr;
    u32 m_thread = 0;
    u64 m_pc = 0;
    Ticks m_time{};
    u32 m_general_thread = 0; // Hg: the thread whose registers and memory gdb reads
};

// Runs `scenario` under the stub that gdb reaches over `connection` (accepted): replays it from the start as often as
// gdb goes back, and returns the run that reached the end, whose events and digest are those of the same run without
// a debugger. `options.observer` is the stub's.
runner::RunResult debug_scenario(scenario::Scenario const& scenario, runner::RunOptions options, Connection connection);

} // namespace grove::gdb

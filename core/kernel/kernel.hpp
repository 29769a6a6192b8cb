#pragma once
#include <core/arch/arch.hpp>
#include <core/cap/handle_table.hpp>
#include <core/grant/grant_table.hpp>
#include <core/grove/grove_hooks.hpp>
#include <core/grove/grove_manager.hpp>
#include <core/grove/spawn_spec.hpp>
#include <core/ipc/endpoint_table.hpp>
#include <core/kernel/syscall_decode.hpp>
#include <core/sched/scheduler.hpp>

namespace grove {

static_assert(MaxGroveSlots == MaxGroves, "the scheduler and the registry must agree on the number of groves");
static_assert(IpcLedger::GroveCapacity == MaxGroves, "IPC accounting needs one row per grove slot");
static_assert(HandleTable::Capacity == MaxFileHandles, "a file-handle limit must be reachable, and reaching it is "
                                                       "the only way to fill a grove's handle table");
static_assert(GrantTable::Capacity == MaxGrants, "one grove may be allowed the whole grant table, and no more");

// How many groves spawned by ServiceLoad the kernel holds images for, each of at most abi::MaxServiceImage bytes.
inline constexpr usize MaxServiceImages = 4;

// What the backend runs next: a thread, or nothing until `wake_at` (Ticks::max(): nothing will ever wake by
// itself). When a thread is given, the kernel has armed the preemption deadline; a backend may arm an earlier one
// (to inject a scripted fault on time) and simply hands the resulting Timer trap back.
struct Dispatch {
    ThreadId thread;
    Ticks wake_at = Ticks::max();
    bool is_idle() const { return thread.is_null(); }
};

// The kernel: the Grove Manager, the scheduler, the IPC endpoints and every grove's handle table, driven by traps.
// It never switches context itself; every backend runs it in the one machine loop (core/machine/machine_loop.hpp):
//
//     Dispatch d = kernel.dispatch();
//     while (now < end) {
//         if (d.is_idle()) { idle until d.wake_at (or the next scripted action); d = kernel.dispatch(); continue; }
//         d = kernel.on_trap(d.thread, arch.resume(d.thread));
//     }
//
// with the scripted actions applied at their exact time (see there).
// Every syscall is decoded (decode_syscall: no side effects), checked against the caller's capabilities, limits
// and handles, and then committed. Pointer arguments are only ever touched through Arch::copy_from_user and
// copy_to_user, so a hostile argument returns InvalidArgument and never faults the kernel.
//
// Ownership: the kernel owns every table (static storage, no allocation); it borrows the Arch. Per thread it keeps
// the IPC waiter and what the thread's blocked syscall will return; per grove slot, the grove's endpoint and
// handle table. Invariant: a thread the scheduler knows has a KernelThread whose grove is a live incarnation, and
// its waiter is on an IPC list only while its `pending` says it waits in IPC.
//
// IPC policy: a message from a grove reaches another only when the sender's handle has the Send right and the
// recipient's IpcReceive capability names the sender (replies to a call, and the kernel's own messages, excepted);
// otherwise it is refused with ReceiveDenied and the recipient's `capability_denied`. A grove that provides a service
// (GroveSpec::provides: filesystem, graphics, network) is guarded before that: a send or call to it from a grove
// without that capability is refused with AccessDenied and the sender's `capability_denied` (the service, and the
// recipient's serial as detail). Replies to a call it made and the kernel's notices are not guarded, and neither
// are grants: a grant only lets the named grove copy, and what asks a service to use one is a guarded send or call.
// Every step of every message's accounting (sent, delivered, refused with its reason) is an event of the trace
// (IpcObserver).
class Kernel final : private GroveHooks, private IpcObserver {
public:
    explicit Kernel(Arch& arch, SchedulerConfig scheduler = {});
    Kernel(Kernel const&) = delete;
    Kernel& operator=(Kernel const&) = delete;

    void set_sink(EventSink* sink) { m_manager.set_sink(sink); }
    GroveManager& manager() { return m_manager; }
    GroveManager const& manager() const { return m_manager; }
    Scheduler const& scheduler() const { return m_scheduler; }
    EndpointTable const& ipc() const { return m_ipc; }
    GrantTable const& grants() const { return m_grants; }
    // Copies through grants: every one asked for is either copied or refused (with its reason, an event each).
    struct GrantCopyCounters {
        u64 asked = 0;
        u64 copied = 0;
        u64 refused = 0;
        u64 bytes = 0; // copied
    };
    GrantCopyCounters const& grant_copies() const { return m_grant_copies; }
    u64 digest() const { return m_manager.digest(); }

    // --- operating on groves (virtual time is the backend's now()) ---------------------------------------------
    // load + start (the main thread is created by start).
    Result<GroveId> spawn(GroveSpec const& spec) { return after(m_manager.spawn(spec, now())); }
    Result<void> stop(GroveId id) { return after(m_manager.stop(id, now())); }
    Result<void> kill(GroveId id) { return after(m_manager.kill(id, now())); }
    Result<GroveId> restart(GroveId id) { return after(m_manager.restart(id, now())); }
    // A crash from outside (a scripted fault): as if the grove had faulted.
    Result<void> crash(GroveId id, Crash const& crash) { return after(m_manager.report_crash(id, crash, now())); }
    // Hangs the grove: its threads stop running (blocked without deadline) until it is killed, stopped past its
    // deadline, or its watchdog fires. InvalidState when it is not Running.
    Result<void> hang(GroveId id);
    // Accounts `amount` more memory to the grove, as if it had asked for it (a scripted memory spike): its limit
    // and violation policy apply.
    Result<void> charge_memory(GroveId id, Bytes amount) { return after(m_manager.reserve_memory(id, amount, now())); }

    // --- the backend's loop -----------------------------------------------------------------------------------
    // Processes everything due at now() (stop deadlines, respawns, watchdogs, IPC and sleep timeouts), picks the
    // next thread and arms its preemption deadline.
    Dispatch dispatch();
    // `thread` (the one dispatch() gave) stopped with `trap`: account its CPU time, handle the trap (a syscall, a
    // fault that crashes its grove, a timer), then dispatch().
    Dispatch on_trap(ThreadId thread, Trap const& trap);

    // The IPC fast path (kernel_fast_path.cpp), on unless turned off: a Send or Receive that completed and woke one
    // thread, which the scheduler would run next, switches to it at once, skipping the woken list, the requeue and
    // pick, and dispatch()'s rounds when nothing else is due. Results, buffers, accounting, trace and digest are
    // those of the general path (tests/core/kernel/kernel_fast_path_test.cpp compares the two).
    void set_fast_ipc(bool on) { m_fast_ipc = on; }
    // How many traps the fast path took.
    u64 fast_ipc_switches() const { return m_fast_ipc_switches; }

    // The machine took interrupts on `lines` (bit n for line n; each line masked by the machine as it fired): each
    // goes to its owner, woken in IrqWait or counted as pending, or is counted as unowned; each an `interrupt`
    // event (core/abi/syscall.hpp, "Interrupts"). The one entry of interrupts into the core, on every backend.
    void on_interrupts(u16 lines) {
        if (lines != 0) [[unlikely]]
            take_interrupts(lines);
    }
    // The grove that owns an interrupt line (a null id for none, or a line out of range), the interrupts it has not
    // taken yet, and the interrupts taken while no grove owned it.
    GroveId irq_owner(u8 line) const { return line < abi::IrqLines ? m_irq[line].owner : GroveId{}; }
    u32 irq_pending(u8 line) const { return line < abi::IrqLines ? m_irq[line].pending : 0; }
    u32 irq_unowned(u8 line) const { return line < abi::IrqLines ? m_irq[line].unowned : 0; }

    // The console bytes the grove in `slot` wrote over its budget (ConsoleBudget per incarnation) and that were
    // dropped, over all its incarnations.
    u64 console_dropped(GroveSlot slot) const { return m_groves[slot].console_dropped; }
    // The grove a thread belongs to; a null id for an unknown thread.
    GroveId grove_of(ThreadId thread) const;
    // The threads of the incarnation `grove` that have not exited, in thread-index order (the main thread first
    // until an index is reused); empty for a stale or unknown id.
    StaticVector<ThreadId, MaxThreads> threads_of(GroveId grove) const;

private:
    // What a thread's blocked syscall is waiting for; decides what it returns when it wakes.
    enum class Pending : u8 {
        None,
        Send,
        Receive,
        Call,
        Sleep,
        Join,
        Hung,
        RetryAfterThrottle,
        ConsoleWrite,
        GrantCopy,
        IrqWait
    };

    struct KernelThread {
        ThreadId id;
        GroveId grove;
        GroveSlot slot = 0;
        AddressSpaceId space; // the incarnation's, for the thread's whole life: its user copies go here
        Pending pending = Pending::None;
        IpcWaiter waiter;
        ReplyToken reply_to;    // the last Call this thread received, until it replies
        VirtAddr out_buffer;    // Receive: where the message goes; Call: where the reply goes
        SyscallArgs retry;      // RetryAfterThrottle: the send to run again once the rate limit allows
        ThreadId join_target;   // Join: the thread waited for, reaped when it has exited
        u64 console_length = 0; // ConsoleWrite: the bytes the write asked for, its result once its cost is paid
        u64 copy_length = 0;    // GrantCopy: the bytes copied (ServiceLoad: the grove id), its result once their
                                // cost is paid
        u8 irq_line = 0;        // IrqWait: the line waited for
    };

    // An interrupt line. Invariant: `waiter` is a thread of `owner` blocked in IrqWait on this line (or null), and
    // `pending` is 0 while there is a waiter; a line without owner is masked.
    struct IrqLine {
        GroveId owner;
        ThreadId waiter;
        u32 pending = 0; // taken, not yet returned by an IrqWait
        u32 unowned = 0; // taken while no grove owned the line, over the run
    };

    struct KernelGrove {
        GroveId id; // the incarnation in this slot, from its start until its endpoint is closed
        EndpointRef endpoint;
        HandleTable handles;
        u32 live_threads = 0;    // threads that have not exited; the last one to exit ends the grove
        bool hung = false;       // a scripted hang: its threads are parked whenever they come up for running
        u64 console_asked = 0;   // bytes this incarnation asked to write to the console
        u64 console_dropped = 0; // bytes dropped over ConsoleBudget, over the registered grove's incarnations
        // The serial of the grove in each slot whose service guard and receive policy this incarnation's messages
        // passed (0: none yet). Both depend only on the two groves' specs, which a registration keeps for life, and
        // serials are never reused; a send to an open endpoint finds its owner live. So a pass stays a pass, and
        // check_receive_policy asks the manager again only for a recipient not passed yet (and every refusal).
        u32 policy_passed[MaxGroves] = {};
    };

    // GroveHooks
    Result<void> on_start(Grove const& grove, Ticks now) override;
    void on_stop_requested(Grove const& grove) override;
    void on_teardown(Grove const& grove) override;
    void on_crash_notice(GroveId subscriber, u32 tag, abi::CrashNotice const& notice) override;
    // IpcObserver: each step of a message's accounting becomes its trace event.
    void on_message(MessageStep const& step) override;

    Ticks now() const { return m_arch.now(); }
    // Runs after every manager operation: completes the threads its hooks woke.
    template<typename R>
    R after(R result) {
        drain_woken();
        return result;
    }

    // trap handling (kernel_syscalls.cpp holds the syscalls)
    // `t` is now(): virtual time does not move while the kernel runs.
    void handle_syscall(ThreadId thread, SyscallArgs const& args, Ticks t);
    void handle_fault(ThreadId thread, Trap const& trap);
    // Charges the running thread's CPU time up to `now`; false when that ended its grove (a CPU limit under the
    // Kill policy), so that its trap is not handled.
    bool charge(ThreadId thread, Ticks now);
    // The syscall's result in the thread's rax (and `second` in rdx), or its error as a negative status.
    void complete(ThreadId thread, u64 value, u64 second = 0) {
        m_arch.set_syscall_result(thread, static_cast<i64>(value), second);
    }
    void complete(ThreadId thread, Error error) { m_arch.set_syscall_result(thread, status_of(error), 0); }
    static constexpr i64 status_of(Error error) { return -static_cast<i64>(error); }
    void block(ThreadId thread, Pending pending, BlockReason reason, Ticks deadline = NoDeadline);
    // Finishes the waits of the threads an operation woke (most operations wake none).
    void drain_woken() {
        if (!m_woken.is_empty()) [[unlikely]]
            drain_woken_slowly();
    }
    void drain_woken_slowly();
    void finish_ipc_wait(IpcWaiter& waiter);
    void finish_wakeup(Wakeup const& wakeup);
    // A receive gave the thread `token` (null for a plain message): from now on it owes that call's reply.
    void owe_reply(KernelThread& kt, ReplyToken token);
    // The thread's grove crashed delivering something to it (its buffer went away while it waited).
    void crash_on_delivery(KernelThread const& kt, VirtAddr address);
    Result<ThreadId> create_thread(Grove const& grove, VirtAddr entry, VirtAddr stack_top, u64 arg0, u64 arg1,
                                   Ticks now);
    void destroy_thread(ThreadId thread);
    // A join collected the exit code of `exited`, a thread of `grove`: its scheduler slot and its place under the
    // grove's thread limit are given back. Until then an exited thread keeps both, so a grove that never joins
    // runs into its own limit instead of filling the kernel's thread table.
    void reap(ThreadId exited, GroveId grove);
    Ticks next_kernel_deadline() const;
    // Whether dispatch() must expire something first at `t` (`kernel_deadline`: next_kernel_deadline()).
    bool is_anything_due(Ticks t, Ticks kernel_deadline) const {
        return t >= kernel_deadline || m_scheduler.has_expiry_due(t);
    }
    // The end of dispatch(): `next`, picked at `t`, runs until its preemption deadline, which is armed.
    Dispatch hand_over(ThreadId next, Ticks t, Ticks kernel_deadline);
    // Everything due at `t`: the manager's deadlines, IPC timeouts, the scheduler's timeouts and CPU periods.
    void expire(Ticks t);
    // A message from the kernel itself (a stop request, a crash notice) to a grove's own endpoint: the Kernel flag,
    // sender 0, the highest priority, `length` bytes of payload (at most abi::MessagePayloadSize). It goes to the
    // endpoint's kernel lane under `key` (Endpoint::send_kernel: never refused for lack of room).
    void send_kernel_message(GroveSlot slot, u8 key, u32 tag, void const* payload, u16 length);

    // What a syscall did: completed, with its results for rax and rdx, or blocked (the thread waits; whatever
    // wakes it sets its results). A failure is the error of a Result<SyscallOutcome>: a negative status in rax.
    class SyscallOutcome {
    public:
        static constexpr SyscallOutcome completed(u64 value = 0, u64 second = 0) {
            return SyscallOutcome(false, value, second);
        }
        static constexpr SyscallOutcome blocked() { return SyscallOutcome(true, 0, 0); }
        constexpr bool is_blocked() const { return m_blocked; }
        constexpr u64 value() const { return m_value; }
        constexpr u64 second() const { return m_second; }

    private:
        constexpr SyscallOutcome(bool blocked, u64 value, u64 second)
            : m_blocked(blocked), m_value(value), m_second(second) {}
        bool m_blocked;
        u64 m_value;
        u64 m_second;
    };
    using SyscallResult = Result<SyscallOutcome>;
    // Completed with no results, or the error.
    static SyscallResult completed_or_error(Result<void> const& result) {
        if (result.is_error()) return result.error();
        return SyscallOutcome::completed();
    }
    // A completed syscall's results in rax and rdx, or its error as a negative status.
    void complete(ThreadId thread, SyscallResult const& result) {
        if (result.has_value()) complete(thread, result.value().value(), result.value().second());
        else complete(thread, result.error());
    }

    // The end of every syscall: the threads it woke are finished, then its result goes to the caller, unless it
    // blocked or the call ended the caller's thread or grove.
    void finish_syscall(ThreadId thread, SyscallResult const& result);
    // Send and Receive, the calls of every message: decoded on their own (decode_ipc), then as handle_syscall.
    void handle_ipc(ThreadId thread, SyscallArgs const& args, Ticks t) {
        finish_syscall(thread, run_ipc(thread, args, t));
    }
    // A Send or Receive up to its result, not finished yet (finish_syscall).
    SyscallResult run_ipc(ThreadId thread, SyscallArgs const& args, Ticks t);
    static bool is_ipc(SyscallArgs const& args) {
        return args.number == static_cast<u64>(abi::Syscall::Send) ||
               args.number == static_cast<u64>(abi::Syscall::Receive);
    }
    // A Send or Receive with the fast path on: run_ipc, then switch_to_woken when it applies (true, `next` is what
    // runs next), else finish_syscall (false: the trap goes on to dispatch()).
    bool take_ipc(ThreadId thread, SyscallArgs const& args, Ticks t, Dispatch& next);
    // The fast path's switch: when `caller` completed its IPC call (`result`) and the call woke one thread that
    // dispatch() would run next with nothing else due, finishes both as finish_syscall and dispatch() would and
    // puts the woken thread in `next`. False otherwise, with nothing changed but what the general path's own end
    // does the same (a receive buffer checked by writing it, which finish_ipc_wait writes or fails to write).
    bool switch_to_woken(ThreadId caller, SyscallResult const& result, Ticks t, Dispatch& next);

    // syscalls: each returns its outcome or its error; one that blocks has called block() (or the scheduler's
    // join) first.
    SyscallResult sys_exit(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_sleep(ThreadId thread, DecodedSyscall const& d, Ticks t);
    SyscallResult sys_console_write(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_send(ThreadId thread, IpcArgs const& d, SyscallArgs const& raw, Ticks t);
    SyscallResult sys_receive(ThreadId thread, IpcArgs const& d, Ticks t);
    SyscallResult sys_call(ThreadId thread, DecodedSyscall const& d, SyscallArgs const& raw, Ticks t);
    SyscallResult sys_reply(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_lookup(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_thread_create(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_thread_exit(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_thread_join(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_handle_close(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_handle_issue(ThreadId thread, Ticks t);
    SyscallResult sys_handle_issued(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_grant_create(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_grant_revoke(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_grant_copy(ThreadId thread, DecodedSyscall const& d, GrantDirection direction);
    // The checks of a copy through a grant, in the order the refusal reasons are given: the granter's address
    // space and the granted address the copy starts at, or why it is refused. Changes nothing.
    struct GrantCopyPlan {
        AddressSpaceId granter_space;
        VirtAddr granted;
        u32 granter = 0;
    };
    // Where the caller's end of a grant copy is: its own memory (GrantCopyFrom, GrantCopyTo: `own`, checked here),
    // or the kernel's (ServiceLoad's image slot, nothing to check).
    enum class CopyEnd : u8 { Grove, Kernel };
    struct GrantCopyRequest {
        u64 grant = 0;
        u64 offset = 0;
        u64 length = 0;
        GrantDirection direction = GrantDirection::From;
        CopyEnd end = CopyEnd::Grove;
        VirtAddr own{};
    };
    Result<GrantCopyPlan, GrantRefusal> check_grant_copy(KernelThread const& kt, GrantCopyRequest const& r) const;
    // Moves `length` bytes from `source` in space `from` to `destination` in space `to` through m_grant_buffer;
    // both ranges were checked. Overlapping ranges of one space are copied as if the source were read first.
    void copy_between(AddressSpaceId from, VirtAddr source, AddressSpaceId to, VirtAddr destination, u64 length);
    // Service control: the grove the name in `d.buffer` names, once the caller's ServiceManage capability allows it
    // (AccessDenied), the name is well formed (InvalidArgument) and a grove has it (NotFound).
    Result<Grove const*> managed_grove(KernelThread const& kt, DecodedSyscall const& d, Ticks t);
    SyscallResult sys_service_control(ThreadId thread, DecodedSyscall const& d, ServiceAction action, Ticks t);
    SyscallResult sys_service_status(ThreadId thread, DecodedSyscall const& d, Ticks t);
    SyscallResult sys_service_list(ThreadId thread, DecodedSyscall const& d);
    SyscallResult sys_service_load(ThreadId thread, DecodedSyscall const& d, Ticks t);
    // ServiceLoad after its ServiceManage check: narrows `request` into m_spawn_spec, copies the image through the
    // grant into a free image slot, validates and spawns it. `elf_check` is set when the ELF loader refused it.
    Result<GroveId> load_service(KernelThread const& kt, abi::ServiceSpec const& request,
                                 abi::ServiceAuthority const* authority, Ticks t, u8& elf_check);
    SyscallResult sys_irq_wait(ThreadId thread, DecodedSyscall const& d, Ticks t);
    SyscallResult sys_irq_ack(ThreadId thread, DecodedSyscall const& d, Ticks t);
    void take_interrupts(u16 lines);
    // A starting grove owns the lines its Irq capability names: AlreadyExists when another grove owns one (checked
    // by can_own_irq_lines, then committed by own_irq_lines, which unmasks them). release_irq_lines masks and frees
    // the lines of an ending grove, counting its untaken interrupts as dropped.
    bool can_own_irq_lines(Grove const& grove) const;
    void own_irq_lines(Grove const& grove);
    void release_irq_lines(Grove const& grove);
    // A Send or Call that passed prepare_send: it goes ahead to `target`, or it was throttled and the thread
    // already waits to run the whole syscall again once the rate limit allows (dispatch).
    struct PreparedSend {
        enum class Step : u8 { GoAhead, Throttled };
        Step step;
        EndpointRef target;
    };
    // Shared by Send and Call: the target endpoint after handle, rate limit, message and receive-policy checks,
    // with the message copied into the thread's waiter (idle while the thread runs).
    Result<PreparedSend> prepare_send(ThreadId thread, u64 handle, VirtAddr buffer, SyscallArgs const& raw, Ticks t);
    // The recipient behind `target` must hold an IpcReceive capability naming the sender (kt's grove): else the
    // message (in kt's waiter) is refused with ReceiveDenied, counted, and AccessDenied comes back.
    Result<void> check_receive_policy(KernelThread const& kt, EndpointRef target, Ticks t);

    Arch& m_arch;
    GroveManager m_manager;
    Scheduler m_scheduler;
    EndpointTable m_ipc;
    WakeList m_woken;
    KernelThread m_threads[MaxThreads];
    KernelGrove m_groves[MaxGroves];
    IrqLine m_irq[abi::IrqLines];
    char m_console_buffer[MaxConsoleWrite];
    GrantTable m_grants;
    GrantCopyCounters m_grant_copies;
    u8 m_grant_buffer[PageSize];
    // The images of groves spawned by ServiceLoad, copied out of their grants: a respawn or a start after a stop
    // loads the same bytes again, so a slot stays with its grove (`owner`, a serial; 0: never used) for as long as
    // the grove is registered and may run again.
    struct ServiceImage {
        u32 owner = 0;
        alignas(8) u8 bytes[abi::MaxServiceImage];
    };
    ServiceImage m_service_images[MaxServiceImages];
    // A slot is free when no grove holds it, or its grove was removed or quarantined.
    bool is_free(ServiceImage const& image) const;
    GroveSpec m_spawn_spec; // ServiceLoad's spec while it is built (kept off the kernel stack)
    bool m_fast_ipc = true;
    u64 m_fast_ipc_switches = 0;
};

} // namespace grove

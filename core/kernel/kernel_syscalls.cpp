// The syscalls of the Kernel: each one decoded (decode_syscall), then checked against the caller's handles,
// capabilities and limits, then committed. See core/abi/syscall.hpp for the contract each one implements.
#include <core/base/hash.hpp>
#include <core/elf/elf_image.hpp>
#include <core/grove/layout.hpp>
#include <core/kernel/kernel.hpp>

namespace grove {

namespace {

using abi::Syscall;

// The thread id a grove sees: slot index in the low 32 bits, generation in the high 32 (like handles).
constexpr u64 encode_thread(ThreadId id) { return (u64{id.generation} << 32) | id.index; }
constexpr ThreadId decode_thread(u64 value) {
    return ThreadId{static_cast<u32>(value & 0xffff'ffff), static_cast<u32>(value >> 32)};
}

// The kernel owns the header fields that say who sent a message; a grove cannot claim to be another grove or
// the kernel.
void stamp_sender(abi::Message& message, GroveId sender) {
    message.header.sender = sender.serial;
    message.header.sender_generation = static_cast<u16>(sender.generation & 0xffff);
    message.header.flags = static_cast<u8>(message.header.flags & ~abi::MessageFlagKernel);
}

// The 64-bit code of Exit (or the last ThreadExit) as the lifecycle records it (32 bits). A code out of range
// saturates: truncating it could turn a failure such as 1 << 32 into 0, a clean exit.
constexpr i32 exit_code_of(i64 code) {
    if (code > std::numeric_limits<i32>::max()) return std::numeric_limits<i32>::max();
    if (code < std::numeric_limits<i32>::min()) return std::numeric_limits<i32>::min();
    return static_cast<i32>(code);
}

// ServiceStatus and ServiceList report the Grove Manager's states by their values.
static_assert(static_cast<u8>(abi::GroveStatus::Loading) == static_cast<u8>(GroveState::Loading) &&
              static_cast<u8>(abi::GroveStatus::Running) == static_cast<u8>(GroveState::Running) &&
              static_cast<u8>(abi::GroveStatus::Stopping) == static_cast<u8>(GroveState::Stopping) &&
              static_cast<u8>(abi::GroveStatus::Stopped) == static_cast<u8>(GroveState::Stopped) &&
              static_cast<u8>(abi::GroveStatus::Faulted) == static_cast<u8>(GroveState::Faulted) &&
              static_cast<u8>(abi::GroveStatus::Quarantined) == static_cast<u8>(GroveState::Quarantined) &&
              GroveStateCount == 6);
static_assert(MaxGroveNameLength < sizeof(abi::ServiceRecord::name) && MaxLookupName == MaxGroveNameLength);

} // namespace

void Kernel::handle_syscall(ThreadId thread, SyscallArgs const& args, Ticks t) {
    if (is_ipc(args)) [[likely]] {
        handle_ipc(thread, args, t);
        return;
    }
    DecodedSyscall d;
    if (Result<void> decoded = decode_syscall(args, d); decoded.is_error()) {
        complete(thread, decoded.error());
        return;
    }
    GroveId const grove = m_threads[thread.index].grove;
    SyscallResult result = SyscallOutcome::completed();

    switch (d.number) {
    case Syscall::Exit: result = sys_exit(thread, d); break;
    case Syscall::Yield: MUST(m_scheduler.yield(thread)); break; // the caller is the running thread
    case Syscall::Sleep: result = sys_sleep(thread, d, t); break;
    case Syscall::Clock: result = SyscallOutcome::completed(t.value); break;
    case Syscall::ConsoleWrite: result = sys_console_write(thread, d); break;
    case Syscall::Send:
    case Syscall::Receive: GROVE_UNREACHABLE(); // handle_ipc, above
    case Syscall::Call: result = sys_call(thread, d, args, t); break;
    case Syscall::Reply: result = sys_reply(thread, d); break;
    case Syscall::Lookup: result = sys_lookup(thread, d); break;
    case Syscall::MemoryMap:
        result = completed_or_error(m_manager.map_memory(grove, d.address, bytes_of(d.pages), d.permissions, t));
        break;
    case Syscall::MemoryUnmap:
        result = completed_or_error(m_manager.unmap_memory(grove, d.address, bytes_of(d.pages), t));
        break;
    case Syscall::ThreadCreate: result = sys_thread_create(thread, d); break;
    case Syscall::ThreadExit: result = sys_thread_exit(thread, d); break;
    case Syscall::ThreadJoin: result = sys_thread_join(thread, d); break;
    case Syscall::PhysicalMap: {
        PhysicalRange const range{d.physical, bytes_of(d.pages)};
        result = completed_or_error(m_manager.map_physical(grove, d.address, range, d.permissions, t));
        break;
    }
    case Syscall::HandleClose: result = sys_handle_close(thread, d); break;
    case Syscall::HandleIssue: result = sys_handle_issue(thread, t); break;
    case Syscall::HandleIssued: result = sys_handle_issued(thread, d); break;
    case Syscall::SubscribeCrashes: result = completed_or_error(m_manager.subscribe_crashes(grove, t)); break;
    case Syscall::Heartbeat: result = completed_or_error(m_manager.heartbeat(grove, t)); break;
    case Syscall::GrantCreate: result = sys_grant_create(thread, d); break;
    case Syscall::GrantRevoke: result = sys_grant_revoke(thread, d); break;
    case Syscall::GrantCopyFrom: result = sys_grant_copy(thread, d, GrantDirection::From); break;
    case Syscall::GrantCopyTo: result = sys_grant_copy(thread, d, GrantDirection::To); break;
    case Syscall::IrqWait: result = sys_irq_wait(thread, d, t); break;
    case Syscall::IrqAck: result = sys_irq_ack(thread, d, t); break;
    case Syscall::ServiceStart: result = sys_service_control(thread, d, ServiceAction::Start, t); break;
    case Syscall::ServiceStop: result = sys_service_control(thread, d, ServiceAction::Stop, t); break;
    case Syscall::ServiceRestart: result = sys_service_control(thread, d, ServiceAction::Restart, t); break;
    case Syscall::ServiceStatus: result = sys_service_status(thread, d, t); break;
    case Syscall::ServiceList: result = sys_service_list(thread, d); break;
    case Syscall::ServiceLoad: result = sys_service_load(thread, d, t); break;
    case Syscall::Count: result = Error::InvalidArgument; break;
    }
    finish_syscall(thread, result);
}

Kernel::SyscallResult Kernel::run_ipc(ThreadId thread, SyscallArgs const& args, Ticks t) {
    IpcArgs d;
    TRY(decode_ipc(args, d));
    return args.number == static_cast<u64>(Syscall::Send) ? sys_send(thread, d, args, t) : sys_receive(thread, d, t);
}

void Kernel::finish_syscall(ThreadId thread, SyscallResult const& result) {
    drain_woken();
    if (result.has_value() && result.value().is_blocked()) return;
    // The call may have ended the thread (ThreadExit: it stays Exited, without a context, until joined) or its
    // grove (exit, a limit under the Kill policy): then nobody is left to see a result.
    Thread const* caller = m_scheduler.thread(thread);
    if (caller != nullptr && caller->state != ThreadState::Exited) complete(thread, result);
}

Kernel::SyscallResult Kernel::sys_exit(ThreadId thread, DecodedSyscall const& d) {
    TRY(m_manager.report_exit(m_threads[thread.index].grove, exit_code_of(d.code), now()));
    return SyscallOutcome::completed();
}

Kernel::SyscallResult Kernel::sys_sleep(ThreadId thread, DecodedSyscall const& d, Ticks t) {
    block(thread, Pending::Sleep, BlockReason::Sleep, deadline_after(t, d.duration));
    return SyscallOutcome::blocked();
}

Kernel::SyscallResult Kernel::sys_irq_wait(ThreadId thread, DecodedSyscall const& d, Ticks t) {
    KernelThread& kt = m_threads[thread.index];
    TRY(m_manager.require_irq(kt.grove, d.irq_line, t));
    IrqLine& line = m_irq[d.irq_line];
    GROVE_ASSERT(line.owner == kt.grove); // a running grove owns every line it may name (on_start)
    if (line.pending != 0) {
        u32 const taken = line.pending;
        line.pending = 0;
        return SyscallOutcome::completed(taken);
    }
    if (!line.waiter.is_null()) return Error::InvalidState; // another thread of the grove waits on the line
    if (d.timeout.is_zero()) return Error::TimedOut;
    line.waiter = thread;
    kt.irq_line = d.irq_line;
    block(thread, Pending::IrqWait, BlockReason::Irq, deadline_after(t, d.timeout));
    return SyscallOutcome::blocked();
}

Kernel::SyscallResult Kernel::sys_irq_ack(ThreadId thread, DecodedSyscall const& d, Ticks t) {
    KernelThread const& kt = m_threads[thread.index];
    TRY(m_manager.require_irq(kt.grove, d.irq_line, t));
    m_arch.set_irq_masked(d.irq_line, false);
    return SyscallOutcome::completed();
}

Kernel::SyscallResult Kernel::sys_console_write(ThreadId thread, DecodedSyscall const& d) {
    KernelThread& kt = m_threads[thread.index];
    KernelGrove& kg = m_groves[kt.slot];
    TRY(m_arch.copy_from_user(kt.space, m_console_buffer, d.buffer.address, d.buffer.length));
    u64 const length = d.buffer.length.value;
    u64 const room = kg.console_asked < ConsoleBudget ? ConsoleBudget - kg.console_asked : 0;
    u64 const kept = length < room ? length : room;
    kg.console_asked += length;
    if (kept > 0) {
        m_arch.console_write(kt.grove, m_console_buffer, static_cast<usize>(kept));
        Fnv1a64 hash;
        hash.update(m_console_buffer, static_cast<usize>(kept));
        m_manager.tracer().emit(Event::console(now(), kt.grove, kept, hash.digest()));
    }
    if (kept < length) {
        if (kg.console_asked - length <= ConsoleBudget) // the first drop of this incarnation
            m_manager.tracer().emit(
                Event::limit_exceeded(now(), kt.grove, Resource::Console, kg.console_asked, ConsoleBudget));
        kg.console_dropped += length - kept;
    }
    Ticks const cost(length * ConsoleByteCost.value);
    if (cost.is_zero()) return SyscallOutcome::completed(length);
    kt.console_length = length;
    block(thread, Pending::ConsoleWrite, BlockReason::Sleep, now() + cost);
    return SyscallOutcome::blocked();
}

Result<Kernel::PreparedSend> Kernel::prepare_send(ThreadId thread, u64 handle, VirtAddr buffer, SyscallArgs const& raw,
                                                  Ticks t) {
    KernelThread& kt = m_threads[thread.index];
    abi::Message& message = kt.waiter.message;
    KernelGrove& kg = m_groves[kt.slot];
    Result<EndpointRef> target = kg.handles.lookup(handle, Rights::Send);
    if (target.is_error()) {
        Result<HandleEntry> entry = kg.handles.entry(handle);
        EndpointRef const named = entry.has_value() ? entry.value().endpoint : EndpointRef{};
        abi::Message unread{}; // refused before the kernel reads it: only who sent it is known
        stamp_sender(unread, kt.grove);
        m_ipc.refuse(kt.slot, named, target.error() == Error::AccessDenied ? Refusal::AccessDenied : Refusal::BadHandle,
                     unread.header);
        return target.error();
    }
    TRY(m_arch.copy_from_user(kt.space, &message, buffer, Bytes(abi::MessageSize)));
    stamp_sender(message, kt.grove);

    IpcAdmission const admission = TRY(m_manager.admit_ipc(kt.grove, t));
    switch (admission.kind) {
    case IpcAdmission::Kind::Allow:
        TRY(check_receive_policy(kt, target.value(), t));
        return PreparedSend{PreparedSend::Step::GoAhead, target.value()};
    case IpcAdmission::Kind::Throttle:
        // Waits for its next token, then the whole syscall runs again (dispatch).
        kt.retry = raw;
        block(thread, Pending::RetryAfterThrottle, BlockReason::Sleep, admission.until);
        return PreparedSend{PreparedSend::Step::Throttled, target.value()};
    case IpcAdmission::Kind::Refuse: break;
    }
    m_ipc.refuse(kt.slot, target.value(), Refusal::RateLimited, message.header);
    return Error::LimitExceeded;
}

Result<void> Kernel::check_receive_policy(KernelThread const& kt, EndpointRef target, Ticks t) {
    Endpoint const* endpoint = m_ipc.find(target);
    if (endpoint == nullptr) return {}; // gone: the send itself refuses it with PeerClosed
    GroveId const recipient = m_groves[endpoint->owner()].id;
    u32& passed = m_groves[kt.slot].policy_passed[endpoint->owner()];
    if (passed == recipient.serial && passed != 0) [[likely]]
        return {};
    if (m_manager.require_service_of(kt.grove, recipient, t).is_error()) {
        m_ipc.refuse(kt.slot, target, Refusal::AccessDenied, kt.waiter.message.header);
        return error_of(Refusal::AccessDenied);
    }
    if (m_manager.require_receive_from(recipient, kt.grove.serial, t).has_value()) {
        passed = recipient.serial;
        return {};
    }
    m_ipc.refuse(kt.slot, target, Refusal::ReceiveDenied, kt.waiter.message.header);
    return error_of(Refusal::ReceiveDenied);
}

Kernel::SyscallResult Kernel::sys_send(ThreadId thread, IpcArgs const& d, SyscallArgs const& raw, Ticks t) {
    KernelThread& kt = m_threads[thread.index];
    PreparedSend const prepared = TRY(prepare_send(thread, d.handle, d.buffer.address, raw, t));
    if (prepared.step == PreparedSend::Step::Throttled) return SyscallOutcome::blocked();
    if (d.non_blocking) {
        TRY(m_ipc.try_send(prepared.target, kt.slot, kt.waiter.message, m_woken));
        return SyscallOutcome::completed();
    }
    kt.waiter.deadline = deadline_after(t, d.timeout);
    SendStatus const status = TRY(m_ipc.send(prepared.target, kt.waiter, t, m_woken));
    if (status != SendStatus::Blocked) return SyscallOutcome::completed();
    block(thread, Pending::Send, BlockReason::Send);
    return SyscallOutcome::blocked();
}

Kernel::SyscallResult Kernel::sys_receive(ThreadId thread, IpcArgs const& d, Ticks t) {
    KernelThread& kt = m_threads[thread.index];
    KernelGrove& kg = m_groves[kt.slot];
    EndpointRef const source = TRY(kg.handles.lookup(d.handle, Rights::Receive));
    // The buffer must take a message before one is taken from the queue: a message is never dequeued into a
    // buffer that cannot hold it. A receive that does not end with a message there leaves it zeroed.
    TRY(m_arch.check_message_buffer(kt.space, d.buffer.address));

    // The message lands in the thread's waiter (idle while the thread runs) and goes from there to the buffer.
    ReplyToken token;
    Result<ReceiveStatus> status = ReceiveStatus::Received;
    if (d.non_blocking) {
        Result<void> taken = m_ipc.try_receive(source, kt.waiter.message, token, m_woken);
        if (taken.is_error()) status = taken.error();
    } else {
        kt.waiter.deadline = deadline_after(t, d.timeout);
        status = m_ipc.receive(source, kt.waiter, t, m_woken);
        token = kt.waiter.reply_token;
    }
    // The range passed the check above, and nothing ran in between: the copies cannot fail.
    if (status.has_value() && status.value() == ReceiveStatus::Received) [[likely]] {
        Result<void> copied =
            m_arch.copy_to_user(kt.space, d.buffer.address, &kt.waiter.message, Bytes(abi::MessageSize));
        GROVE_ASSERT(copied.has_value());
        owe_reply(kt, token);
        return SyscallOutcome::completed();
    }
    abi::Message const empty{};
    Result<void> zeroed = m_arch.copy_to_user(kt.space, d.buffer.address, &empty, Bytes(abi::MessageSize));
    GROVE_ASSERT(zeroed.has_value());
    if (status.is_error()) return status.error();
    kt.out_buffer = d.buffer.address;
    block(thread, Pending::Receive, BlockReason::Receive);
    return SyscallOutcome::blocked();
}

Kernel::SyscallResult Kernel::sys_call(ThreadId thread, DecodedSyscall const& d, SyscallArgs const& raw, Ticks t) {
    KernelThread& kt = m_threads[thread.index];
    abi::Message const empty{};
    TRY(m_arch.copy_to_user(kt.space, d.reply_buffer.address, &empty, Bytes(abi::MessageSize)));
    PreparedSend const prepared = TRY(prepare_send(thread, d.handle, d.buffer.address, raw, t));
    if (prepared.step == PreparedSend::Step::Throttled) return SyscallOutcome::blocked();
    kt.waiter.deadline = deadline_after(t, d.timeout);
    TRY(m_ipc.call(prepared.target, kt.waiter, t, m_woken));
    kt.out_buffer = d.reply_buffer.address;
    block(thread, Pending::Call, BlockReason::Call);
    return SyscallOutcome::blocked();
}

Kernel::SyscallResult Kernel::sys_reply(ThreadId thread, DecodedSyscall const& d) {
    KernelThread& kt = m_threads[thread.index];
    if (kt.reply_to.is_null()) return Error::InvalidState;
    abi::Message reply{};
    TRY(m_arch.copy_from_user(kt.space, &reply, d.buffer.address, Bytes(abi::MessageSize)));
    stamp_sender(reply, kt.grove);
    Result<void> replied = m_ipc.reply(kt.reply_to, kt.slot, reply, m_woken);
    // A malformed reply leaves the caller waiting and the token usable; anything else uses the token up.
    if (replied.has_value() || replied.error() != Error::InvalidArgument) kt.reply_to = ReplyToken{};
    TRY(replied);
    return SyscallOutcome::completed();
}

Kernel::SyscallResult Kernel::sys_lookup(ThreadId thread, DecodedSyscall const& d) {
    KernelThread const& kt = m_threads[thread.index];
    char name[MaxLookupName]{};
    usize const length = static_cast<usize>(d.buffer.length.value);
    TRY(m_arch.copy_from_user(kt.space, name, d.buffer.address, d.buffer.length));
    Ticks const t = now();
    // The capability first: a grove may not learn which groves exist by probing names it may not talk to.
    TRY(m_manager.require_send_to(kt.grove, name, length, t));
    Grove const* target = m_manager.find_by_name(name, length);
    // A grove that is down (between incarnations) has no endpoint to send to yet.
    if (target == nullptr || !target->is_alive() || target->state != GroveState::Running) return Error::NotFound;
    TRY(m_manager.reserve_file_handle(kt.grove, t));
    Result<u64> handle = m_groves[kt.slot].handles.insert(m_groves[target->slot].endpoint, Rights::Send);
    if (handle.is_error()) {
        MUST(m_manager.release_file_handle(kt.grove)); // reserved above
        return handle.error();
    }
    return SyscallOutcome::completed(handle.value());
}

Kernel::SyscallResult Kernel::sys_thread_create(ThreadId thread, DecodedSyscall const& d) {
    KernelThread const& kt = m_threads[thread.index];
    Ticks const t = now();
    TRY(m_manager.require_capability(kt.grove, CapabilityKind::ThreadCreate, t));
    Grove const* g = m_manager.find(kt.grove);
    GROVE_ASSERT(g != nullptr);
    ThreadId const created = TRY(create_thread(*g, d.address, d.stack_top, d.argument, 0, t));
    ++m_groves[kt.slot].live_threads;
    return SyscallOutcome::completed(encode_thread(created));
}

Kernel::SyscallResult Kernel::sys_thread_exit(ThreadId thread, DecodedSyscall const& d) {
    KernelThread const& kt = m_threads[thread.index];
    KernelGrove& kg = m_groves[kt.slot];
    // The last thread ending ends the grove, with its code.
    if (kg.live_threads <= 1) return sys_exit(thread, d);
    StaticVector<Wakeup, MaxThreads> joiners;
    for (Wakeup const& w : TRY(m_scheduler.exit(thread, d.code))) MUST(joiners.push_back(w));
    --kg.live_threads;
    destroy_thread(thread);
    for (Wakeup const& w : joiners) finish_wakeup(w);
    return SyscallOutcome::completed();
}

Kernel::SyscallResult Kernel::sys_thread_join(ThreadId thread, DecodedSyscall const& d) {
    KernelThread& kt = m_threads[thread.index];
    ThreadId const target = decode_thread(d.thread);
    Thread const* other = m_scheduler.thread(target);
    // Threads of other groves do not exist as far as this grove can tell.
    if (other == nullptr || other->grove_slot != kt.slot) return Error::NotFound;
    JoinOutcome const outcome = TRY(m_scheduler.join(thread, target, deadline_after(now(), d.timeout)));
    if (outcome.status == JoinStatus::Waiting) {
        kt.pending = Pending::Join;
        kt.join_target = target;
        return SyscallOutcome::blocked();
    }
    reap(target, kt.grove);
    return SyscallOutcome::completed(0, static_cast<u64>(outcome.exit_code));
}

Kernel::SyscallResult Kernel::sys_handle_close(ThreadId thread, DecodedSyscall const& d) {
    KernelThread const& kt = m_threads[thread.index];
    TRY(m_groves[kt.slot].handles.close(d.handle));
    MUST(m_manager.release_file_handle(kt.grove)); // each open handle holds one
    return SyscallOutcome::completed();
}

Kernel::SyscallResult Kernel::sys_handle_issue(ThreadId thread, Ticks t) {
    KernelThread const& kt = m_threads[thread.index];
    // Only to the grove whose Call this thread is serving: a service cannot charge a grove that did not ask it.
    IpcWaiter const* caller = EndpointBase::resolve(kt.reply_to);
    if (caller == nullptr) return Error::InvalidState;
    KernelGrove& client = m_groves[caller->grove];
    GroveId const client_id = client.id;
    // Under the Kill policy the client's incarnation ends here (its call is then abandoned, as at any death).
    TRY(m_manager.reserve_file_handle(client_id, t));
    Result<u64> handle = client.handles.insert(m_groves[kt.slot].endpoint, Rights::Send, HandleOrigin::Issued);
    if (handle.is_error()) {
        MUST(m_manager.release_file_handle(client_id)); // reserved above
        return handle.error();
    }
    return SyscallOutcome::completed(handle.value());
}

Kernel::SyscallResult Kernel::sys_handle_issued(ThreadId thread, DecodedSyscall const& d) {
    KernelThread const& kt = m_threads[thread.index];
    Grove const* holder = m_manager.registry().find_serial(d.peer);
    if (holder == nullptr || !holder->is_alive() || m_groves[holder->slot].id != holder->id) return Error::NotFound;
    KernelGrove& kg = m_groves[holder->slot];
    if (!kg.handles.is_issued_by(d.handle, m_groves[kt.slot].endpoint)) return Error::NotFound;
    if (d.revoke) {
        MUST(kg.handles.close(d.handle));                // issued, so not the own endpoint's
        MUST(m_manager.release_file_handle(holder->id)); // each open handle holds one
    }
    return SyscallOutcome::completed();
}

// --- service control ----------------------------------------------------------------------------------------------

Result<Grove const*> Kernel::managed_grove(KernelThread const& kt, DecodedSyscall const& d, Ticks t) {
    char name[MaxLookupName]{};
    usize const length = static_cast<usize>(d.buffer.length.value);
    TRY(m_arch.copy_from_user(kt.space, name, d.buffer.address, d.buffer.length));
    // The capability first, as for Lookup: a grove may not learn which groves exist by probing names.
    TRY(m_manager.require_manage(kt.grove, name, length, t));
    if (!is_valid_grove_name(name, length)) return Error::InvalidArgument;
    Grove const* target = m_manager.find_by_name(name, length);
    if (target == nullptr) return Error::NotFound;
    return target;
}

Kernel::SyscallResult Kernel::sys_service_control(ThreadId thread, DecodedSyscall const& d, ServiceAction action,
                                                  Ticks t) {
    KernelThread const& kt = m_threads[thread.index];
    Result<Grove const*> const found = managed_grove(kt, d, t);
    if (found.is_error() && found.error() == Error::AccessDenied) return found.error(); // capability_denied says it
    u32 const target = found.has_value() ? found.value()->id.serial : 0;
    Result<GroveId> done = found.has_value() ? Result<GroveId>(found.value()->id) : Result<GroveId>(found.error());
    if (found.has_value()) {
        GroveId const id = found.value()->id;
        switch (action) {
        case ServiceAction::Start:
            // Loading: its first start; down: a new incarnation at once (restart's path from Stopped or Faulted).
            switch (found.value()->state.current()) {
            case GroveState::Loading: {
                Result<void> started = m_manager.start(id, t);
                if (started.is_error()) done = started.error();
                break;
            }
            case GroveState::Stopped:
            case GroveState::Faulted: done = m_manager.restart(id, t); break;
            case GroveState::Running:
            case GroveState::Stopping:
            case GroveState::Quarantined: done = Error::InvalidState; break;
            }
            break;
        case ServiceAction::Stop: {
            Result<void> stopped = m_manager.stop(id, t);
            if (stopped.is_error()) done = stopped.error();
            break;
        }
        case ServiceAction::Restart: done = m_manager.restart(id, t); break;
        case ServiceAction::Load: GROVE_ASSERT(false); break; // sys_service_load's
        }
    }
    u8 const status = done.has_value() ? 0 : static_cast<u8>(done.error());
    m_manager.tracer().emit(Event::service_control(t, kt.grove, target, action, status));
    if (done.is_error()) return done.error();
    if (action == ServiceAction::Stop) return SyscallOutcome::completed();
    return SyscallOutcome::completed(abi::make_grove_id(done.value().serial, done.value().generation));
}

Kernel::SyscallResult Kernel::sys_service_status(ThreadId thread, DecodedSyscall const& d, Ticks t) {
    Grove const* target = TRY(managed_grove(m_threads[thread.index], d, t));
    return SyscallOutcome::completed(static_cast<u64>(target->state.current()),
                                     abi::make_grove_id(target->id.serial, target->id.generation));
}

Kernel::SyscallResult Kernel::sys_service_list(ThreadId thread, DecodedSyscall const& d) {
    KernelThread const& kt = m_threads[thread.index];
    Grove const* caller = m_manager.find(kt.grove);
    GROVE_ASSERT(caller != nullptr);
    // Checked whole first, so that the records are written all or not at all.
    TRY(m_arch.check_user(kt.space, d.buffer.address, d.buffer.length, Permissions::Write));
    u64 count = 0;
    m_manager.registry().for_each([&](Grove const& g) {
        if (!caller->spec.capabilities.allows_manage(g.name())) return;
        if (count < d.length) {
            abi::ServiceRecord record{};
            record.grove = g.id.serial;
            record.generation = g.id.generation;
            record.state = static_cast<u8>(g.state.current());
            record.name_length = static_cast<u8>(g.name().length());
            copy_bytes(record.name, g.name().c_str(), g.name().length());
            VirtAddr const at{d.buffer.address.value + count * sizeof record};
            Result<void> written = m_arch.copy_to_user(kt.space, at, &record, Bytes(sizeof record));
            GROVE_ASSERT(written.has_value()); // checked above, and nothing ran since
        }
        ++count;
    });
    return SyscallOutcome::completed(count);
}

Kernel::SyscallResult Kernel::sys_service_load(ThreadId thread, DecodedSyscall const& d, Ticks t) {
    KernelThread& kt = m_threads[thread.index];
    TRY(m_manager.require_capability(kt.grove, CapabilityKind::ServiceManage, t)); // capability_denied says it
    abi::ServiceSpec request{};
    TRY(m_arch.copy_from_user(kt.space, &request, d.buffer.address, d.buffer.length));
    // The authority's address is checked here, after the capability, as every argument of a caller without it.
    abi::ServiceAuthority authority{};
    bool const has_authority = d.authority.value != 0;
    if (has_authority) {
        if (!layout::in_window(d.authority.value, sizeof authority)) return Error::InvalidArgument;
        TRY(m_arch.copy_from_user(kt.space, &authority, d.authority, Bytes(sizeof authority)));
    }
    u8 elf_check = NoElfCheck;
    Result<GroveId> const loaded = load_service(kt, request, has_authority ? &authority : nullptr, t, elf_check);
    u32 const target = loaded.has_value() ? loaded.value().serial : 0;
    u8 const status = loaded.has_value() ? 0 : static_cast<u8>(loaded.error());
    m_manager.tracer().emit(Event::service_control(t, kt.grove, target, ServiceAction::Load, status, elf_check));
    if (loaded.is_error()) return loaded.error();
    // The caller pays for the image's bytes by waiting, as for GrantCopyFrom, while the new grove already runs.
    kt.copy_length = abi::make_grove_id(loaded.value().serial, loaded.value().generation);
    block(thread, Pending::GrantCopy, BlockReason::Sleep, t + Ticks(request.image_length * GrantByteCost.value));
    return SyscallOutcome::blocked();
}

bool Kernel::is_free(ServiceImage const& image) const {
    if (image.owner == 0) return true;
    // Serials are never reused: a grove that is gone, or quarantined (it can only be removed), never loads again.
    Grove const* owner = m_manager.registry().find_serial(image.owner);
    return owner == nullptr || owner->state.current() == GroveState::Quarantined;
}

Result<GroveId> Kernel::load_service(KernelThread const& kt, abi::ServiceSpec const& request,
                                     abi::ServiceAuthority const* authority, Ticks t, u8& elf_check) {
    Grove const* caller = m_manager.find(kt.grove);
    GROVE_ASSERT(caller != nullptr);
    Result<void, SpawnRefusal> const narrowed = narrow_spawn_spec(request, authority, caller->spec, m_spawn_spec);
    if (narrowed.is_error()) {
        SpawnRefusal const& refusal = narrowed.error();
        if (refusal.error != Error::AccessDenied) return refusal.error;
        u64 detail = refusal.detail;
        if (!refusal.peer.is_empty()) {
            Grove const* named = m_manager.find_by_name(refusal.peer.c_str(), refusal.peer.length());
            detail = named == nullptr ? 0 : named->id.serial;
        }
        (void)m_manager.refuse_capability(kt.grove, refusal.capability, detail, t);
        return Error::AccessDenied;
    }
    GroveName const& name = m_spawn_spec.name;
    if (m_manager.find_by_name(name.c_str(), name.length()) != nullptr) return Error::AlreadyExists;
    if (!caller->spec.capabilities.allows_manage(name) && caller->spec.capabilities.is_manage_list_full())
        return Error::NoCapacity;
    ServiceImage* slot = nullptr;
    for (ServiceImage& image : m_service_images)
        if (is_free(image)) {
            slot = &image;
            break;
        }
    if (slot == nullptr) return Error::NoCapacity;
    if (request.image_length > sizeof slot->bytes) return Error::LimitExceeded;

    // The image through the grant, checked as GrantCopyFrom checks a copy, into the slot.
    ++m_grant_copies.asked;
    Result<GrantCopyPlan, GrantRefusal> const plan = check_grant_copy(
        kt, GrantCopyRequest{request.grant, 0, request.image_length, GrantDirection::From, CopyEnd::Kernel, {}});
    if (plan.is_error()) {
        ++m_grant_copies.refused;
        m_manager.tracer().emit(Event::grant_refused(t, kt.grove, request.grant, GrantDirection::From, 0,
                                                     request.image_length, plan.error()));
        return error_of(plan.error());
    }
    GrantCopyPlan const& p = plan.value();
    for (u64 done = 0; done < request.image_length; done += PageSize) {
        u64 const chunk = request.image_length - done < PageSize ? request.image_length - done : PageSize;
        Result<void> read =
            m_arch.copy_from_user(p.granter_space, slot->bytes + done, VirtAddr{p.granted.value + done}, Bytes(chunk));
        GROVE_ASSERT(read.has_value()); // checked whole, and nothing ran since
    }
    ++m_grant_copies.copied;
    m_grant_copies.bytes += request.image_length;
    m_manager.tracer().emit(
        Event::grant_copied(t, kt.grove, request.grant, p.granter, GrantDirection::From, 0, request.image_length));

    // The same loader as every image; then the Grove Manager's load and start (admission included).
    ElfResult<ImagePlan> image =
        validate_elf_image(Span<u8 const>{slot->bytes, static_cast<usize>(request.image_length)},
                           m_spawn_spec.limits.memory);
    if (image.is_error()) {
        elf_check = static_cast<u8>(image.error());
        return image.error() == ElfCheck::MemoryLimit ? Error::LimitExceeded : Error::InvalidArgument;
    }
    m_spawn_spec.image = image.value();
    GroveId const id = TRY(m_manager.spawn(m_spawn_spec, t));
    slot->owner = id.serial;
    MUST(m_manager.add_managed(kt.grove, name)); // room checked above
    return id;
}

// --- grants -----------------------------------------------------------------------------------------------------

Kernel::SyscallResult Kernel::sys_grant_create(ThreadId thread, DecodedSyscall const& d) {
    KernelThread const& kt = m_threads[thread.index];
    Ticks const t = now();
    // The granted memory must be there with the rights given now (and again at every copy).
    if (has(d.grant_rights, GrantRights::Read))
        TRY(m_arch.check_user(kt.space, d.buffer.address, d.buffer.length, Permissions::Read));
    if (has(d.grant_rights, GrantRights::Write))
        TRY(m_arch.check_user(kt.space, d.buffer.address, d.buffer.length, Permissions::Write));
    if (m_manager.registry().find_serial(d.peer) == nullptr) return Error::NotFound;
    TRY(m_manager.reserve_grant(kt.grove, t));
    Grant const grant{kt.grove, kt.slot, d.peer, d.buffer.address, d.buffer.length, d.grant_rights};
    Result<u64> id = m_grants.create(grant);
    if (id.is_error()) {
        MUST(m_manager.release_grant(kt.grove)); // reserved above
        return id.error();
    }
    m_manager.tracer().emit(Event::grant_created(t, kt.grove, id.value(), grant));
    return SyscallOutcome::completed(id.value());
}

Kernel::SyscallResult Kernel::sys_grant_revoke(ThreadId thread, DecodedSyscall const& d) {
    KernelThread const& kt = m_threads[thread.index];
    TRY(m_grants.revoke(d.handle, kt.grove));
    MUST(m_manager.release_grant(kt.grove)); // each live grant holds one
    m_manager.tracer().emit(Event::grant_revoked(now(), kt.grove, d.handle, GrantEnd::Revoked));
    return SyscallOutcome::completed();
}

Result<Kernel::GrantCopyPlan, GrantRefusal> Kernel::check_grant_copy(KernelThread const& kt,
                                                                     GrantCopyRequest const& r) const {
    GrantTable::Lookup const found = m_grants.find(r.grant);
    if (found.grant == nullptr) return found.refusal;
    Grant const& grant = *found.grant;
    if (grant.peer != kt.grove.serial) return GrantRefusal::WrongPeer;
    GrantRights const needed = r.direction == GrantDirection::From ? GrantRights::Read : GrantRights::Write;
    if (!has(grant.rights, needed)) return GrantRefusal::NoRights;
    if (r.length == 0) return GrantRefusal::Empty;
    u64 end = 0;
    if (!checked_add(r.offset, r.length, end) || end > grant.length.value) return GrantRefusal::OutOfBounds;
    // The caller's own range: written by a copy from the grant, read by a copy to it.
    Permissions const own = r.direction == GrantDirection::From ? Permissions::Write : Permissions::Read;
    if (r.end == CopyEnd::Grove && (!layout::in_window(r.own.value, r.length) ||
                                    m_arch.check_user(kt.space, r.own, Bytes(r.length), own).is_error()))
        return GrantRefusal::BadBuffer;
    // Grants die with their granter, so the granter of a live grant is live, and so is its address space.
    GroveSlot const slot = grant.granter_slot;
    GROVE_ASSERT(m_groves[slot].id == grant.granter);
    Grove const* granter = m_manager.find(grant.granter);
    GROVE_ASSERT(granter != nullptr);
    VirtAddr const granted{grant.base.value + r.offset};
    Permissions const theirs = r.direction == GrantDirection::From ? Permissions::Read : Permissions::Write;
    if (m_arch.check_user(granter->image.space, granted, Bytes(r.length), theirs).is_error())
        return GrantRefusal::GrantedMemory;
    return GrantCopyPlan{granter->image.space, granted, grant.granter.serial};
}

Kernel::SyscallResult Kernel::sys_grant_copy(ThreadId thread, DecodedSyscall const& d, GrantDirection direction) {
    KernelThread& kt = m_threads[thread.index];
    Ticks const t = now();
    ++m_grant_copies.asked;
    Result<GrantCopyPlan, GrantRefusal> const plan =
        check_grant_copy(kt, GrantCopyRequest{d.grant, d.offset, d.length, direction, CopyEnd::Grove, d.address});
    if (plan.is_error()) {
        ++m_grant_copies.refused;
        m_manager.tracer().emit(
            Event::grant_refused(t, kt.grove, d.grant, direction, d.offset, d.length, plan.error()));
        return error_of(plan.error());
    }
    GrantCopyPlan const& p = plan.value();
    if (direction == GrantDirection::From) copy_between(p.granter_space, p.granted, kt.space, d.address, d.length);
    else copy_between(kt.space, d.address, p.granter_space, p.granted, d.length);
    ++m_grant_copies.copied;
    m_grant_copies.bytes += d.length;
    m_manager.tracer().emit(Event::grant_copied(t, kt.grove, d.grant, p.granter, direction, d.offset, d.length));
    // The caller pays for the bytes by waiting (GrantByteCost), while other threads run.
    kt.copy_length = d.length;
    block(thread, Pending::GrantCopy, BlockReason::Sleep, t + Ticks(d.length * GrantByteCost.value));
    return SyscallOutcome::blocked();
}

void Kernel::copy_between(AddressSpaceId from, VirtAddr source, AddressSpaceId to, VirtAddr destination, u64 length) {
    // Within one space, a destination above an overlapping source is copied from the end down, so that no chunk
    // is read after it was overwritten (each chunk goes whole through the buffer).
    bool const backwards = from == to && destination.value > source.value && destination.value < source.value + length;
    u64 done = 0;
    while (done < length) {
        u64 const chunk = length - done < sizeof m_grant_buffer ? length - done : sizeof m_grant_buffer;
        u64 const at = backwards ? length - done - chunk : done;
        Result<void> read = m_arch.copy_from_user(from, m_grant_buffer, VirtAddr{source.value + at}, Bytes(chunk));
        GROVE_ASSERT(read.has_value()); // checked whole, and nothing ran since
        Result<void> written = m_arch.copy_to_user(to, VirtAddr{destination.value + at}, m_grant_buffer, Bytes(chunk));
        GROVE_ASSERT(written.has_value());
        done += chunk;
    }
}

} // namespace grove

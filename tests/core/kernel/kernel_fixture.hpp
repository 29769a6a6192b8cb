#pragma once
// The kernel against the fake backend. A Kernel with an event recorder; groves spawned from the small test image
// of grove_fixture.hpp (one page of R+X code at CodeAddress, two R+W data pages at DataAddress, so user buffers
// exist at known addresses); helpers that run one syscall or trap on a chosen thread and read back what it sees in
// rax and rdx, write and read user memory, and drive the clock.
//
// A thread's rax is set to NoResult before each of its syscalls: a call that blocks leaves it there until the
// thread is woken with its result.
#include <core/kernel/kernel.hpp>
#include <core/trace/event_recorder.hpp>
#include <tests/core/kernel/kernel_fixture_values.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

namespace grove::testing {

// The spec of a grove that may receive from any grove and hear of any grove's crashes: the policy checks have
// tests of their own, the other kernel tests run without them in the way.
inline GroveSpec open_spec(char const* name, RespawnPolicy respawn = RespawnPolicy::never()) {
    GroveSpec s = make_spec(name, respawn);
    EXPECT_TRUE(s.capabilities.grant_receive_from_any().has_value());
    EXPECT_TRUE(s.capabilities.grant_watch_any().has_value());
    return s;
}

class KernelTest : public ::testing::Test {
protected:
    using Syscall = abi::Syscall;

    void SetUp() override { kernel->set_sink(events.get()); }

    // --- groves ---------------------------------------------------------------------------------------------
    static GroveSpec spec(char const* name, RespawnPolicy respawn = RespawnPolicy::never()) {
        return open_spec(name, respawn);
    }
    GroveId spawn(GroveSpec const& s) {
        Result<GroveId> id = kernel->spawn(s);
        EXPECT_TRUE(id.has_value()) << s.name.c_str();
        return id.has_value() ? id.value() : GroveId{};
    }
    GroveId spawn(char const* name, RespawnPolicy respawn = RespawnPolicy::never()) {
        return spawn(spec(name, respawn));
    }
    Grove const* find(GroveId id) const { return kernel->manager().find(id); }
    Grove const& named(char const* name) const {
        Grove const* g = kernel->manager().find_by_name(name, std::strlen(name));
        EXPECT_NE(g, nullptr) << name;
        return *g;
    }
    GroveState state_of(GroveId id) const {
        Grove const* g = kernel->manager().registry().find_serial(id.serial);
        return g == nullptr ? GroveState::Stopped : g->state;
    }
    ThreadId main_thread(GroveId id) const {
        auto threads = kernel->threads_of(id);
        EXPECT_FALSE(threads.is_empty());
        return threads.is_empty() ? ThreadId{} : threads[0];
    }
    AddressSpaceId space_of(GroveId id) const {
        Grove const* g = find(id);
        EXPECT_NE(g, nullptr);
        return g == nullptr ? AddressSpaceId{} : g->image.space;
    }

    // --- threads and traps ----------------------------------------------------------------------------------
    Thread const* thread(ThreadId id) const { return kernel->scheduler().thread(id); }
    bool is_blocked(ThreadId id) const {
        Thread const* t = thread(id);
        return t != nullptr && t->state == ThreadState::Blocked;
    }
    // Dispatches until `id` is the thread to run, making the others yield (their rax and rdx are kept). False
    // when it never comes up (blocked, throttled, gone).
    bool make_current(ThreadId id) {
        for (u32 i = 0; i < 2 * MaxThreads; ++i) {
            Dispatch const d = kernel->dispatch();
            if (d.is_idle()) return false;
            if (d.thread == id) return true;
            auto const saved = arch.context(d.thread);
            (void)kernel->on_trap(d.thread, Trap::make_syscall(SyscallPc, syscall_args(Syscall::Yield)));
            if (arch.has_context(d.thread)) arch.set_syscall_result(d.thread, saved.rax, saved.rdx);
        }
        return false;
    }
    // Runs one trap on `id` (made current first). False when the thread could not be made current.
    bool trap(ThreadId id, Trap const& t) {
        if (!make_current(id)) return false;
        last = kernel->on_trap(id, t);
        return true;
    }
    // Runs a syscall on `id`; returns what the thread sees in rax: NoResult while it is blocked.
    i64 sys(ThreadId id, Syscall number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0) {
        if (!make_current(id)) {
            ADD_FAILURE() << "thread " << id.index << " cannot run";
            return NoResult;
        }
        arch.set_syscall_result(id, NoResult, 0);
        last = kernel->on_trap(id, Trap::make_syscall(SyscallPc, syscall_args(number, a0, a1, a2, a3, a4, a5)));
        return rax(id);
    }
    // A ConsoleWrite of `length` bytes at `address`, its cost in virtual time paid (the clock moves on by
    // length * ConsoleByteCost and the kernel dispatches); what the thread sees in rax.
    i64 console_write(ThreadId id, u64 address, u64 length) {
        i64 const result = sys(id, Syscall::ConsoleWrite, address, length);
        if (result != NoResult) return result;
        arch.set_now(arch.now() + Ticks(length * ConsoleByteCost.value));
        last = kernel->dispatch();
        return rax(id);
    }
    i64 sys_raw(ThreadId id, u64 number, u64 a0 = 0, u64 a1 = 0) {
        return sys(id, static_cast<Syscall>(number), a0, a1);
    }
    bool fault(ThreadId id, TrapKind kind, u64 pc, FaultInfo info = {}) {
        return trap(id, Trap::make_fault(kind, pc, info));
    }
    // rax and rdx as the thread would see them; NoResult for a thread without a context.
    i64 rax(ThreadId id) const { return arch.has_context(id) ? arch.context(id).rax : NoResult; }
    u64 rdx(ThreadId id) const { return arch.has_context(id) ? arch.context(id).rdx : 0; }

    // --- user memory ----------------------------------------------------------------------------------------
    void write(GroveId g, u64 address, void const* bytes, usize length) {
        ASSERT_TRUE(arch.load(space_of(g), VirtAddr{address}, bytes, Bytes(length)).has_value());
    }
    void write_message(GroveId g, u64 address, abi::Message const& m) { write(g, address, &m, sizeof m); }
    void write_text(GroveId g, u64 address, char const* text) { write(g, address, text, std::strlen(text)); }
    // Reads whatever is mapped there, whatever its permissions.
    abi::Message read_message(GroveId g, u64 address) const {
        abi::Message m{};
        auto const& pages = arch.space(space_of(g)).pages;
        auto* out = reinterpret_cast<u8*>(&m);
        for (usize i = 0; i < sizeof m; ++i) {
            u64 const a = address + i;
            auto it = pages.find(a / PageSize);
            if (it != pages.end()) out[i] = it->second.bytes[a % PageSize];
        }
        return m;
    }

    // --- IPC shortcuts --------------------------------------------------------------------------------------
    // Lookup(name) from `caller` (a thread of `grove`): the handle, or the negative status.
    i64 lookup(ThreadId caller, GroveId grove, char const* name) {
        write_text(grove, NameBuffer, name);
        return sys(caller, Syscall::Lookup, NameBuffer, std::strlen(name));
    }
    i64 send(ThreadId sender, GroveId grove, u64 handle, abi::Message const& m, u64 flags = 0,
             u64 timeout = abi::WaitForever) {
        write_message(grove, SendBuffer, m);
        return sys(sender, Syscall::Send, handle, SendBuffer, flags, timeout);
    }
    i64 call(ThreadId caller, GroveId grove, u64 handle, abi::Message const& m, u64 timeout = abi::WaitForever) {
        write_message(grove, SendBuffer, m);
        return sys(caller, Syscall::Call, handle, SendBuffer, ReplyBuffer, timeout);
    }
    i64 reply(ThreadId replier, GroveId grove, abi::Message const& m) {
        write_message(grove, SendBuffer, m);
        return sys(replier, Syscall::Reply, SendBuffer);
    }
    i64 receive(ThreadId receiver, u64 flags = 0, u64 timeout = abi::WaitForever, u64 buffer = ReceiveBuffer) {
        return sys(receiver, Syscall::Receive, abi::OwnEndpointHandle, buffer, flags, timeout);
    }

    // --- time -----------------------------------------------------------------------------------------------
    Dispatch advance_to(Ticks t) {
        arch.set_now(t);
        last = kernel->dispatch();
        return last;
    }
    Dispatch advance(Ticks t) { return advance_to(arch.now() + t); }

    // --- events ---------------------------------------------------------------------------------------------
    usize count(EventKind kind) const { return events->count(kind); }
    // The last event of that kind; a failure (and a default event) when there is none.
    Event last_of(EventKind kind) const {
        Event const* e = events->last(kind);
        if (e != nullptr) return *e;
        ADD_FAILURE() << "no " << event_kind_name(kind) << " event";
        return Event{};
    }

    FakeArch arch;
    std::unique_ptr<Kernel> kernel = std::make_unique<Kernel>(arch);
    std::unique_ptr<EventRecorder<8192>> events = std::make_unique<EventRecorder<8192>>();
    Dispatch last;
};

// A spec whose grove may send to `peer` (Lookup succeeds for that name).
inline GroveSpec spec_sending_to(char const* name, char const* peer, RespawnPolicy respawn = RespawnPolicy::never()) {
    GroveSpec s = open_spec(name, respawn);
    EXPECT_TRUE(s.capabilities.grant_send_to(make_grove_name(peer).value()).has_value());
    return s;
}

inline GroveSpec spec_with(char const* name, CapabilityKind flag) {
    GroveSpec s = open_spec(name);
    EXPECT_TRUE(s.capabilities.grant(flag).has_value());
    return s;
}

} // namespace grove::testing

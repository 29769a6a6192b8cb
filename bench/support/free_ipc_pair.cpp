#include <bench/support/free_grove.hpp>
#include <bench/support/free_ipc_pair.hpp>

#include <unicorn/unicorn.h>

namespace grove::bench {

namespace {

constexpr u64 LookupHandle = 1;

void stop_at_syscall(uc_engine* engine, std::uint32_t vector, void* user) {
    if (vector != abi::SyscallVector) return; // the loop sees an exception as a run that did not trap
    *static_cast<bool*>(user) = true;
    uc_emu_stop(engine);
}

void count_instruction(uc_engine*, std::uint64_t, std::uint32_t, void* user) { ++*static_cast<u64*>(user); }
void count_store(uc_engine*, uc_mem_type, std::uint64_t, int, std::int64_t, void* user) { ++*static_cast<u64*>(user); }

u64 read(uc_engine* engine, int reg) {
    u64 value = 0;
    uc_reg_read(engine, reg, &value);
    return value;
}

} // namespace

FreeIpcPair::FreeIpcPair(Grove const& sender, Grove const& server, bool count) : m_images(runner::image_search()) {
    if (!open(m_sides[0], sender, 2) || !open(m_sides[1], server, 1)) return;
    for (Side& side : m_sides) {
        uc_hook hook = 0;
        if (uc_hook_add(side.engine, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(&stop_at_syscall), &side.trapped, 1,
                        0) != UC_ERR_OK ||
            (count && (uc_hook_add(side.engine, &hook, UC_HOOK_CODE, reinterpret_cast<void*>(&count_instruction),
                                   &m_instructions, 1, 0) != UC_ERR_OK ||
                       uc_hook_add(side.engine, &hook, UC_HOOK_MEM_WRITE, reinterpret_cast<void*>(&count_store),
                                   &m_stores, 1, 0) != UC_ERR_OK))) {
            fail("uc_hook_add failed");
            return;
        }
    }
    m_running = &m_sides[1]; // the server first, as it starts first in the machine: it waits in its Receive
}

FreeIpcPair::~FreeIpcPair() {
    for (Side& side : m_sides)
        if (side.engine != nullptr) uc_close(side.engine);
}

bool FreeIpcPair::fail(std::string what) {
    if (m_error.empty()) m_error = "free-running pair: " + std::move(what);
    return false;
}

bool FreeIpcPair::open(Side& side, Grove const& grove, u32 serial) {
    runner::GroveImage const* image = m_images.get(grove.image);
    if (image == nullptr) return fail(m_images.error());
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &side.engine) != UC_ERR_OK) {
        side.engine = nullptr;
        return fail("uc_open failed");
    }
    std::vector<GuestRange> writable;
    std::string const mapped = map_grove(side.engine, *image, grove.name, grove.arguments, writable);
    if (!mapped.empty()) return fail(mapped);
    side.pc = image->plan.entry.value;
    side.serial = serial;
    return true;
}

bool FreeIpcPair::run(u64 messages) {
    if (!m_error.empty()) return false;
    u64 const target = m_delivered + messages;
    while (m_delivered < target) {
        if (m_running == nullptr) return fail("both groves wait");
        if (!run_to_syscall(*m_running)) return false;
        ++m_traps;
        m_running = answer(*m_running);
    }
    return true;
}

bool FreeIpcPair::run_to_syscall(Side& side) {
    side.trapped = false;
    uc_err const ran = uc_emu_start(side.engine, side.pc, 0, 0, 0);
    side.pc = read(side.engine, UC_X86_REG_RIP);
    if (ran != UC_ERR_OK || !side.trapped)
        return fail(std::string("a grove stopped without a syscall at ") + std::to_string(side.pc) + ": " +
                    uc_strerror(ran));
    return true;
}

void FreeIpcPair::set_result(Side& side, i64 value) { uc_reg_write(side.engine, UC_X86_REG_RAX, &value); }

bool FreeIpcPair::read_message(Side& side, u64 address, abi::Message& message) {
    if (uc_mem_read(side.engine, address, &message, sizeof message) != UC_ERR_OK)
        return fail("a message outside the grove's memory");
    message.header.sender = side.serial;
    message.header.sender_generation = 1;
    message.header.flags = 0;
    return true;
}

bool FreeIpcPair::deliver(Side& receiver, abi::Message const& message) {
    if (uc_mem_write(receiver.engine, receiver.buffer, &message, sizeof message) != UC_ERR_OK)
        return fail("a receive buffer outside the grove's memory");
    set_result(receiver, 0);
    receiver.wait = Wait::None;
    return true;
}

FreeIpcPair::Side* FreeIpcPair::answer(Side& side) {
    uc_engine* engine = side.engine;
    auto const number = static_cast<abi::Syscall>(read(engine, UC_X86_REG_RAX));
    u64 const a0 = read(engine, UC_X86_REG_RDI);
    u64 const a1 = read(engine, UC_X86_REG_RSI);
    u64 const a2 = read(engine, UC_X86_REG_RDX);
    Side& peer = other(side);
    switch (number) {
    case abi::Syscall::ConsoleWrite: set_result(side, static_cast<i64>(a1)); return &side;
    case abi::Syscall::Clock: set_result(side, 0); return &side;
    case abi::Syscall::Lookup: set_result(side, LookupHandle); return &side;
    case abi::Syscall::Send:
    case abi::Syscall::Call: {
        bool const call = number == abi::Syscall::Call;
        abi::Message message;
        if (!read_message(side, a1, message)) return nullptr;
        if (call) message.header.flags = abi::MessageFlagCall;
        ++m_delivered;
        if (call) {
            side.wait = Wait::Reply;
            side.buffer = a2;
        } else {
            set_result(side, 0);
        }
        if (peer.wait == Wait::Receive) {
            if (!deliver(peer, message)) return nullptr;
        } else if (m_queue_size < QueueCapacity) {
            m_queue[(m_queue_head + m_queue_size++) % QueueCapacity] = message;
        } else { // full: the sender waits with its message, which is not delivered yet
            --m_delivered;
            side.wait = call ? Wait::Reply : Wait::Send;
            side.blocked_is_call = call;
            side.blocked = message;
            return &peer;
        }
        return side.wait == Wait::None ? &side : &peer;
    }
    case abi::Syscall::Receive: {
        side.buffer = a1;
        if (m_queue_size == 0) {
            side.wait = Wait::Receive;
            return peer.wait == Wait::None ? &peer : nullptr;
        }
        abi::Message const message = m_queue[m_queue_head];
        m_queue_head = (m_queue_head + 1) % QueueCapacity;
        --m_queue_size;
        if (!deliver(side, message)) return nullptr;
        if (peer.wait == Wait::Send || (peer.wait == Wait::Reply && peer.blocked_is_call)) {
            // The waiting sender's message enters the queue; a Send returns, a Call goes on waiting for its Reply.
            m_queue[(m_queue_head + m_queue_size++) % QueueCapacity] = peer.blocked;
            ++m_delivered;
            peer.blocked_is_call = false;
            if (peer.wait == Wait::Send) {
                set_result(peer, 0);
                peer.wait = Wait::None;
            }
        }
        return &side;
    }
    case abi::Syscall::Reply: {
        if (peer.wait != Wait::Reply || peer.blocked_is_call) {
            set_result(side, -static_cast<i64>(abi::StatusInvalidState));
            return &side;
        }
        abi::Message message;
        if (!read_message(side, a0, message) || !deliver(peer, message)) return nullptr;
        set_result(side, 0);
        return &side;
    }
    default:
        fail("a syscall the free-running pair does not answer: " + std::to_string(static_cast<u64>(number)));
        return nullptr;
    }
}

} // namespace grove::bench

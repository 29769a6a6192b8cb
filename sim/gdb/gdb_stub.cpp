#include <sim/gdb/gdb_stub.hpp>

#include <sim/backend/unicorn_arch.hpp>
#include <sim/backend/unicorn_space.hpp>

#include <fmt/format.h>
#include <unicorn/unicorn.h>

#include <charconv>
#include <cstring>

namespace grove::gdb {

namespace {

// gdb's registers of i386:x86-64 without a described feature set (its default amd64 layout), in the order and
// with the sizes of the 'g' packet; a register's number is its place here.
struct RegisterSlot {
    int id;                // UC_X86_REG_*
    u8 size;               // bytes in the packet
    bool selector = false; // Unicorn may return garbage above 16 bits (DESIGN.md §6)
};
constexpr RegisterSlot Registers[] = {
    {UC_X86_REG_RAX, 8},      {UC_X86_REG_RBX, 8},      {UC_X86_REG_RCX, 8},      {UC_X86_REG_RDX, 8},
    {UC_X86_REG_RSI, 8},      {UC_X86_REG_RDI, 8},      {UC_X86_REG_RBP, 8},      {UC_X86_REG_RSP, 8},
    {UC_X86_REG_R8, 8},       {UC_X86_REG_R9, 8},       {UC_X86_REG_R10, 8},      {UC_X86_REG_R11, 8},
    {UC_X86_REG_R12, 8},      {UC_X86_REG_R13, 8},      {UC_X86_REG_R14, 8},      {UC_X86_REG_R15, 8},
    {UC_X86_REG_RIP, 8},      {UC_X86_REG_EFLAGS, 4},   {UC_X86_REG_CS, 4, true}, {UC_X86_REG_SS, 4, true},
    {UC_X86_REG_DS, 4, true}, {UC_X86_REG_ES, 4, true}, {UC_X86_REG_FS, 4, true}, {UC_X86_REG_GS, 4, true},
    {UC_X86_REG_ST0, 10},     {UC_X86_REG_ST1, 10},     {UC_X86_REG_ST2, 10},     {UC_X86_REG_ST3, 10},
    {UC_X86_REG_ST4, 10},     {UC_X86_REG_ST5, 10},     {UC_X86_REG_ST6, 10},     {UC_X86_REG_ST7, 10},
    {UC_X86_REG_FPCW, 4},     {UC_X86_REG_FPSW, 4},     {UC_X86_REG_FPTAG, 4},    {UC_X86_REG_FCS, 4},
    {UC_X86_REG_FIP, 4},      {UC_X86_REG_FDS, 4},      {UC_X86_REG_FDP, 4},      {UC_X86_REG_FOP, 4},
    {UC_X86_REG_XMM0, 16},    {UC_X86_REG_XMM1, 16},    {UC_X86_REG_XMM2, 16},    {UC_X86_REG_XMM3, 16},
    {UC_X86_REG_XMM4, 16},    {UC_X86_REG_XMM5, 16},    {UC_X86_REG_XMM6, 16},    {UC_X86_REG_XMM7, 16},
    {UC_X86_REG_XMM8, 16},    {UC_X86_REG_XMM9, 16},    {UC_X86_REG_XMM10, 16},   {UC_X86_REG_XMM11, 16},
    {UC_X86_REG_XMM12, 16},   {UC_X86_REG_XMM13, 16},   {UC_X86_REG_XMM14, 16},   {UC_X86_REG_XMM15, 16},
    {UC_X86_REG_MXCSR, 4},
};
constexpr usize RipNumber = 16;

constexpr std::string_view TargetDescription = "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
                                               "<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
                                               "</target>";

constexpr std::string_view Supported = "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;ReverseStep+;"
                                       "ReverseContinue+";

constexpr std::string_view MonitorHelp = "monitor time          the virtual time and the instruction count here\n"
                                         "monitor stop-at NS    continue stops at the first instruction at or after "
                                         "NS of virtual time\n";

// How often (in instructions) a continue looks for gdb's interrupt.
constexpr u64 InterruptPollMask = 0xFFFF;

std::string error_reply(int code) { return fmt::format("E{:02x}", code); }

} // namespace

GdbStub::GdbStub(Connection connection) : m_connection(std::move(connection)) {}

void GdbStub::attach(sim::UnicornArch& arch) {
    m_arch = &arch;
    m_abandoned = false;
    m_count = 0;
    m_history.clear();
}

sim::InstructionObserver::Verdict GdbStub::on_instruction(sim::UnicornSpace& space, u32 thread, u64 pc, Ticks time) {
    ++m_count;
    History& history = m_history[thread];
    history.previous = history.last;
    history.last = m_count;
    StopReason reason;
    switch (m_mode) {
    case Mode::Detached: return Verdict::Continue;
    case Mode::Replay:
        if (m_scan_until != 0) {
            if (m_count < m_scan_until && is_breakpoint(pc)) {
                m_last_hit = m_count;
                m_replay_extra = breakpoint_kind(pc);
            }
            if (m_count < m_scan_until) return Verdict::Continue;
            // The last breakpoint hit before the stop, or the start of the run when there was none.
            m_scan_until = 0;
            m_replay_target = m_last_hit != 0 ? m_last_hit : 1;
            if (m_last_hit == 0) m_replay_extra = "replaylog:begin;";
            return abandon();
        }
        if (m_count != m_replay_target) return Verdict::Continue;
        reason.extra = m_replay_extra;
        break;
    case Mode::Step:
        if (!m_step_thread || *m_step_thread == thread) break;
        [[fallthrough]]; // another thread runs meanwhile: it stops as it would under a continue
    case Mode::Continue:
        if (is_breakpoint(pc)) {
            reason.extra = breakpoint_kind(pc);
        } else if (m_stop_time && time >= *m_stop_time) {
            m_stop_time.reset();
        } else if ((m_count & InterruptPollMask) == 0 && interrupted()) {
            reason.signal = 2;
        } else {
            return Verdict::Continue;
        }
        break;
    }
    m_space = &space;
    m_thread = thread;
    m_pc = pc;
    m_time = time;
    m_general_thread = thread;
    m_resume_thread.reset();
    return serve(reason);
}

sim::InstructionObserver::Verdict GdbStub::abandon() {
    m_abandoned = true;
    return Verdict::Abandon;
}

sim::InstructionObserver::Verdict GdbStub::serve(StopReason const& reason) {
    if (m_waiting) {
        reply(stop_reply(reason));
        m_waiting = false;
    }
    for (;;) {
        auto const event = next_event();
        if (!event) {
            m_mode = Mode::Detached;
            return Verdict::Continue;
        }
        switch (event->kind) {
        case PacketReader::Kind::Ack:
        case PacketReader::Kind::Interrupt: continue; // already stopped
        case PacketReader::Kind::Nack: m_connection.send(m_last_sent); continue;
        case PacketReader::Kind::BadChecksum: m_connection.send("-"); continue;
        case PacketReader::Kind::Packet: break;
        }
        m_connection.send("+");
        switch (handle(event->payload, reason)) {
        case Next::Serve: continue;
        case Next::Resume: return Verdict::Continue;
        case Next::Replay: m_waiting = true; return abandon();
        }
    }
}

void GdbStub::reply(std::string const& payload) {
    m_last_sent = frame(payload);
    m_connection.send(m_last_sent);
}

std::optional<PacketReader::Event> GdbStub::next_event() {
    for (;;) {
        if (auto event = m_reader.next()) return event;
        auto const bytes = m_connection.receive();
        if (!bytes) return std::nullopt;
        m_reader.feed(*bytes);
    }
}

bool GdbStub::interrupted() {
    std::string const bytes = m_connection.poll();
    if (!m_connection.is_connected()) {
        m_mode = Mode::Detached;
        return false;
    }
    m_reader.feed(bytes);
    bool stop = false;
    while (auto event = m_reader.next())
        if (event->kind == PacketReader::Kind::Interrupt) stop = true;
    return stop;
}

std::string GdbStub::stop_reply(StopReason const& reason) const {
    return fmt::format("T{:02x}thread:{:x};{}", reason.signal, m_thread + 1, reason.extra);
}

std::optional<ThreadId> GdbStub::thread_of(u64 gdb_id) const {
    if (gdb_id == 0) return std::nullopt;
    for (ThreadId const thread : m_arch->threads())
        if (thread.index + 1 == gdb_id) return thread;
    return std::nullopt;
}

GdbStub::Next GdbStub::handle(std::string const& packet, StopReason const& reason) {
    std::string_view const p = packet;
    std::string_view const arguments = p.substr(1);
    auto const general = thread_of(m_general_thread + 1);
    auto const resume_thread = m_resume_thread.value_or(m_thread);
    switch (p.empty() ? '\0' : p.front()) {
    case '?': reply(stop_reply(reason)); return Next::Serve;
    case 'g': reply(general ? read_registers(*general) : error_reply(1)); return Next::Serve;
    case 'G': {
        auto const bytes = from_hex(arguments);
        if (!general || !bytes) {
            reply(error_reply(1));
            return Next::Serve;
        }
        usize offset = 0;
        bool ok = true;
        for (usize i = 0; i < std::size(Registers) && offset + Registers[i].size <= bytes->size(); ++i) {
            ok = write_register(*general, i, bytes->substr(offset, Registers[i].size)) && ok;
            offset += Registers[i].size;
        }
        reply(ok ? "OK" : error_reply(1));
        return Next::Serve;
    }
    case 'p': {
        auto const number = parse_number(arguments);
        if (!general || !number) {
            reply(error_reply(1));
        } else if (*number >= std::size(Registers)) {
            reply(""); // not a register of this layout: unavailable
        } else {
            std::string const all = read_registers(*general);
            usize offset = 0;
            for (usize i = 0; i < *number; ++i) offset += Registers[i].size;
            reply(all.substr(offset * 2, Registers[*number].size * 2u));
        }
        return Next::Serve;
    }
    case 'P': {
        auto const write = parse_register_write(arguments);
        bool const ok = general && write && write->number < std::size(Registers) &&
                        write->bytes.size() == Registers[write->number].size &&
                        write_register(*general, write->number, write->bytes);
        reply(ok ? "OK" : error_reply(1));
        return Next::Serve;
    }
    case 'm': {
        auto const range = parse_memory_read(arguments);
        reply(range ? read_memory(*range) : error_reply(1));
        return Next::Serve;
    }
    case 'M': {
        auto const write = parse_memory_write(arguments);
        reply(write ? write_memory(*write) : error_reply(1));
        return Next::Serve;
    }
    case 'Z':
    case 'z': {
        auto const request = parse_breakpoint(arguments);
        if (!request || request->type > 1) {
            reply(request ? "" : error_reply(1)); // watchpoints: not supported
            return Next::Serve;
        }
        std::set<u64>& set = request->type == 0 ? m_software : m_hardware;
        if (p.front() == 'z') {
            set.erase(request->address);
        } else if (request->type == 1 && set.size() >= HardwareBreakpoints && set.count(request->address) == 0) {
            reply(error_reply(28)); // ENOSPC: the four debug registers are taken
            return Next::Serve;
        } else {
            set.insert(request->address);
        }
        reply("OK");
        return Next::Serve;
    }
    case 'H': {
        auto const ref = arguments.empty() ? std::nullopt : parse_thread(arguments.substr(1));
        if (!ref || (arguments.front() != 'g' && arguments.front() != 'c') ||
            (ref->which == ThreadRef::Which::One && !thread_of(ref->id))) {
            reply(error_reply(1));
            return Next::Serve;
        }
        std::optional<u32> const index =
            ref->which == ThreadRef::Which::One ? std::optional<u32>(static_cast<u32>(ref->id - 1)) : std::nullopt;
        if (arguments.front() == 'g') m_general_thread = index.value_or(m_thread);
        else m_resume_thread = index;
        reply("OK");
        return Next::Serve;
    }
    case 'T': {
        auto const ref = parse_thread(arguments);
        reply(ref && ref->which == ThreadRef::Which::One && thread_of(ref->id) ? "OK" : error_reply(1));
        return Next::Serve;
    }
    case 'c':
        m_mode = Mode::Continue;
        m_waiting = true;
        return Next::Resume;
    case 's':
        m_mode = Mode::Step;
        m_step_thread = resume_thread;
        m_waiting = true;
        return Next::Resume;
    case 'b':
        if (p == "bs") {
            u64 const previous = m_history[m_thread].previous;
            if (previous == 0) {
                reply(stop_reply(StopReason{5, "replaylog:begin;"}));
                return Next::Serve;
            }
            m_mode = Mode::Replay;
            m_replay_target = previous;
            m_replay_extra.clear();
            return Next::Replay;
        }
        if (p == "bc") {
            m_mode = Mode::Replay;
            m_scan_until = m_count;
            m_last_hit = 0;
            return Next::Replay;
        }
        break;
    case 'D':
        reply("OK");
        m_mode = Mode::Detached;
        m_connection.close();
        return Next::Resume;
    case 'k':
        m_mode = Mode::Detached;
        m_connection.close();
        return Next::Resume;
    case 'v':
        if (p == "vCont?") {
            reply("vCont;c;C;s;S");
            return Next::Serve;
        }
        if (p.starts_with("vCont;")) {
            auto const actions = parse_vcont(p.substr(5));
            if (!actions) {
                reply(error_reply(1));
                return Next::Serve;
            }
            m_mode = Mode::Continue;
            for (ResumeAction const& action : *actions) {
                if (action.kind != ResumeAction::Kind::Step) continue;
                m_mode = Mode::Step;
                m_step_thread = action.thread.which == ThreadRef::Which::One
                                    ? std::optional<u32>(static_cast<u32>(action.thread.id - 1))
                                    : std::nullopt;
                break;
            }
            m_waiting = true;
            return Next::Resume;
        }
        if (p.starts_with("vKill")) {
            reply("OK");
            m_mode = Mode::Detached;
            m_connection.close();
            return Next::Resume;
        }
        break;
    case 'q':
        if (p.starts_with("qSupported")) {
            reply(std::string(Supported));
        } else if (p.starts_with("qXfer:")) {
            auto const request = parse_transfer_read(p.substr(6));
            if (!request) reply(error_reply(1));
            else if (request->object != "features") reply("");
            else if (request->annex != "target.xml") reply(error_reply(0));
            else reply(transfer_reply(TargetDescription, request->offset, request->length));
        } else if (p == "qfThreadInfo") {
            std::string list = "m";
            for (ThreadId const thread : m_arch->threads())
                list += fmt::format("{}{:x}", list.size() > 1 ? "," : "", thread.index + 1);
            reply(list);
        } else if (p == "qsThreadInfo") {
            reply("l");
        } else if (p == "qC") {
            reply(fmt::format("QC{:x}", m_thread + 1));
        } else if (p == "qAttached") {
            reply("1");
        } else if (p.starts_with("qRcmd,")) {
            auto const command = from_hex(p.substr(6));
            if (!command) {
                reply(error_reply(1));
                return Next::Serve;
            }
            std::string const text = monitor(*command);
            reply("O" + to_hex(text));
            reply("OK");
        } else {
            reply("");
        }
        return Next::Serve;
    default: break;
    }
    reply(""); // not supported
    return Next::Serve;
}

std::string GdbStub::read_registers(ThreadId thread) {
    std::string hex;
    for (usize i = 0; i < std::size(Registers); ++i) {
        u8 value[16]{};
        if (!m_arch->read_thread_register(thread, Registers[i].id, value)) std::memset(value, 0, sizeof value);
        if (Registers[i].selector) value[2] = value[3] = 0;
        // The stopped thread is at the instruction the hook announced, whatever Unicorn last wrote back.
        if (i == RipNumber && thread.index == m_thread) std::memcpy(value, &m_pc, sizeof m_pc);
        hex += to_hex(value, Registers[i].size);
    }
    return hex;
}

bool GdbStub::write_register(ThreadId thread, usize number, std::string const& bytes) {
    u8 value[16]{};
    std::memcpy(value, bytes.data(), std::min(bytes.size(), sizeof value));
    if (!m_arch->read_thread_register(thread, Registers[number].id, value)) return false;
    std::memcpy(value, bytes.data(), std::min(bytes.size(), sizeof value));
    if (number == RipNumber && thread.index == m_thread) std::memcpy(&m_pc, value, sizeof m_pc);
    return m_arch->write_thread_register(thread, Registers[number].id, value);
}

std::string GdbStub::read_memory(MemoryRange range) {
    auto const thread = thread_of(m_general_thread + 1);
    auto const space = thread ? m_arch->space_of(*thread) : std::nullopt;
    if (!space) return error_reply(1);
    std::string bytes(std::min<u64>(range.length, PacketReader::MaxPayload / 2), '\0');
    usize const read = m_arch->peek(*space, range.address, bytes.data(), bytes.size());
    if (read == 0 && range.length != 0) return error_reply(14); // EFAULT: not mapped
    return to_hex(bytes.data(), read);
}

std::string GdbStub::write_memory(MemoryWrite const& write) {
    auto const thread = thread_of(m_general_thread + 1);
    auto const space = thread ? m_arch->space_of(*thread) : std::nullopt;
    if (!space) return error_reply(1);
    // As the grove could: through the page table's write permission (code pages are never writable).
    bool const ok = m_arch->copy_to_user(*space, VirtAddr(write.address), write.bytes.data(), Bytes(write.bytes.size()))
                        .has_value();
    return ok ? "OK" : error_reply(14);
}

std::string GdbStub::monitor(std::string const& command) {
    if (command == "time")
        return fmt::format("virtual time {} ns, instruction {} of this run, thread {} at {:#x}\n", m_time.value,
                           m_count, m_thread + 1, m_pc);
    if (command.starts_with("stop-at ")) {
        u64 value = 0;
        char const* first = command.data() + 8;
        char const* last = command.data() + command.size();
        auto const [end, error] = std::from_chars(first, last, value);
        if (error != std::errc() || end != last) return "stop-at needs a virtual time in nanoseconds\n";
        m_stop_time = Ticks(value);
        return fmt::format("continue stops at the first instruction at or after {} ns\n", value);
    }
    return fmt::format("unknown monitor command '{}'\n{}", command, MonitorHelp);
}

void GdbStub::finish(int status) {
    if (m_mode != Mode::Detached && m_waiting) reply(fmt::format("W{:02x}", status & 0xFF));
    m_connection.close();
}

runner::RunResult debug_scenario(scenario::Scenario const& scenario, runner::RunOptions options,
                                 Connection connection) {
    GdbStub stub(std::move(connection));
    options.observer = &stub;
    runner::RunResult result = runner::run_scenario(scenario, options);
    while (result.abandoned) result = runner::run_scenario(scenario, options);
    stub.finish(result.error.empty() && result.verdict.holds() ? 0 : 1);
    return result;
}

} // namespace grove::gdb

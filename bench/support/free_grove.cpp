#include <bench/support/free_grove.hpp>

#include <unicorn/unicorn.h>

#include <cstring>

namespace grove::bench {

namespace {

constexpr u64 StackBase = 0x7ffff0000000;
constexpr u64 StackSize = 0x10000;
constexpr u64 PrologueSyscalls = 2; // the program's first print and its Clock

struct Prologue {
    u64 syscalls = 0;
};

void answer_syscall(uc_engine* engine, std::uint32_t, void* user) {
    auto* prologue = static_cast<Prologue*>(user);
    std::uint64_t zero = 0;
    uc_reg_write(engine, UC_X86_REG_RAX, &zero);
    if (++prologue->syscalls == PrologueSyscalls) uc_emu_stop(engine);
}

int unicorn_protection(Permissions permissions) {
    int protection = UC_PROT_NONE;
    if ((static_cast<u8>(permissions) & static_cast<u8>(Permissions::Read)) != 0) protection |= UC_PROT_READ;
    if ((static_cast<u8>(permissions) & static_cast<u8>(Permissions::Write)) != 0) protection |= UC_PROT_WRITE;
    if ((static_cast<u8>(permissions) & static_cast<u8>(Permissions::Execute)) != 0) protection |= UC_PROT_EXEC;
    return protection;
}

// The stack: the strings, argv[] and the start registers of the start contract (rdi = argc, rsi = argv).
std::string map_arguments(uc_engine* engine, std::string const& name, std::vector<std::string> const& arguments) {
    if (uc_mem_map(engine, StackBase, StackSize, UC_PROT_READ | UC_PROT_WRITE) != UC_ERR_OK)
        return "cannot map the stack";
    std::vector<std::string> strings{name};
    strings.insert(strings.end(), arguments.begin(), arguments.end());
    std::vector<std::uint64_t> argv;
    u64 at = StackBase + StackSize;
    for (std::string const& text : strings) {
        at -= text.size() + 1;
        if (uc_mem_write(engine, at, text.c_str(), text.size() + 1) != UC_ERR_OK) return "cannot write the arguments";
        argv.push_back(at);
    }
    argv.push_back(0);
    u64 const argv_at = (at - argv.size() * sizeof(std::uint64_t)) & ~u64{15};
    std::uint64_t const argc = strings.size();
    std::uint64_t const rsp = argv_at - 256;
    bool const ok = uc_mem_write(engine, argv_at, argv.data(), argv.size() * sizeof(std::uint64_t)) == UC_ERR_OK &&
                    uc_reg_write(engine, UC_X86_REG_RDI, &argc) == UC_ERR_OK &&
                    uc_reg_write(engine, UC_X86_REG_RSI, &argv_at) == UC_ERR_OK &&
                    uc_reg_write(engine, UC_X86_REG_RSP, &rsp) == UC_ERR_OK;
    return ok ? std::string() : "cannot write the start registers";
}

} // namespace

std::string map_grove(uc_struct* engine, runner::GroveImage const& image, std::string const& name,
                      std::vector<std::string> const& arguments, std::vector<GuestRange>& writable) {
    for (ImageSegment const& segment : image.plan.segments) {
        u64 const first = segment.address.value & ~(PageSize - 1);
        u64 const last = (segment.address.value + segment.memory_size.value + PageSize - 1) & ~(PageSize - 1);
        if (uc_mem_map(engine, first, last - first, unicorn_protection(segment.permissions)) != UC_ERR_OK ||
            uc_mem_write(engine, segment.address.value, segment.file_bytes.data, segment.file_bytes.size) != UC_ERR_OK)
            return "cannot map a segment of " + name + ".elf";
        if ((static_cast<u8>(segment.permissions) & static_cast<u8>(Permissions::Write)) != 0)
            writable.push_back(GuestRange{first, std::vector<u8>(last - first)});
    }
    writable.push_back(GuestRange{StackBase, std::vector<u8>(StackSize)});
    return map_arguments(engine, name, arguments);
}

FreeGrove::FreeGrove(std::string const& image_name, std::vector<std::string> const& arguments)
    : m_images(runner::image_search()) {
    runner::GroveImage const* image = m_images.get(image_name);
    if (image == nullptr) {
        fail(m_images.error());
        return;
    }
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &m_engine) != UC_ERR_OK) {
        m_engine = nullptr;
        fail("uc_open failed");
        return;
    }
    std::string const mapped = map_grove(m_engine, *image, image_name, arguments, m_writable);
    if (!mapped.empty()) {
        fail(mapped);
        return;
    }
    Prologue prologue;
    uc_hook hook = 0;
    if (uc_hook_add(m_engine, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(&answer_syscall), &prologue, 1, 0) !=
        UC_ERR_OK) {
        fail("uc_hook_add failed");
        return;
    }
    uc_err const started = uc_emu_start(m_engine, image->plan.entry.value, 0, 0, 0);
    uc_hook_del(m_engine, hook);
    if (started != UC_ERR_OK || prologue.syscalls != PrologueSyscalls) {
        fail(std::string("the start did not reach its Clock: ") + uc_strerror(started));
        return;
    }
    uc_reg_read(m_engine, UC_X86_REG_RIP, &m_loop_pc);
    if (!save_writable_memory()) return;
    if (uc_context_alloc(m_engine, &m_start) != UC_ERR_OK || uc_context_save(m_engine, m_start) != UC_ERR_OK) {
        m_start = nullptr;
        fail("cannot save the registers");
    }
}

bool FreeGrove::save_writable_memory() {
    for (GuestRange& range : m_writable)
        if (uc_mem_read(m_engine, range.address, range.bytes.data(), range.bytes.size()) != UC_ERR_OK)
            return fail("cannot read the writable memory");
    return true;
}

FreeGrove::~FreeGrove() {
    if (m_start != nullptr) uc_context_free(m_start);
    if (m_engine != nullptr) uc_close(m_engine);
}

bool FreeGrove::fail(std::string what) {
    m_error = "free-running grove: " + std::move(what);
    return false;
}

bool FreeGrove::prepare() {
    if (!m_error.empty()) return false;
    for (GuestRange const& range : m_writable)
        if (uc_mem_write(m_engine, range.address, range.bytes.data(), range.bytes.size()) != UC_ERR_OK)
            return fail("cannot restore the writable memory");
    return uc_context_restore(m_engine, m_start) == UC_ERR_OK || fail("cannot restore the registers");
}

bool FreeGrove::run_loop() {
    if (!m_error.empty()) return false;
    // Without an interrupt hook, the program's next int 0x80 ends the run with UC_ERR_EXCEPTION.
    uc_err const ran = uc_emu_start(m_engine, m_loop_pc, 0, 0, 0);
    if (ran == UC_ERR_OK || ran == UC_ERR_EXCEPTION) return true;
    return fail(std::string("uc_emu_start: ") + uc_strerror(ran));
}

} // namespace grove::bench

#include <bench/support/free_spinner.hpp>

#include <unicorn/unicorn.h>

#include <cstring>
#include <vector>

namespace grove::bench {

namespace {

constexpr u64 StackBase = 0x7ffff0000000;
constexpr u64 StackSize = 0x10000;
constexpr u64 PrologueSyscalls = 2; // the spinner's first print and its Clock

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

} // namespace

FreeSpinner::FreeSpinner(std::string const& iterations) : m_images(runner::default_image_directory()) {
    runner::GroveImage const* image = m_images.get("spinner");
    if (image == nullptr) {
        fail(m_images.error());
        return;
    }
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &m_engine) != UC_ERR_OK) {
        m_engine = nullptr;
        fail("uc_open failed");
        return;
    }
    for (ImageSegment const& segment : image->plan.segments) {
        u64 const first = segment.address.value & ~(PageSize - 1);
        u64 const last = (segment.address.value + segment.memory_size.value + PageSize - 1) & ~(PageSize - 1);
        if (uc_mem_map(m_engine, first, last - first, unicorn_protection(segment.permissions)) != UC_ERR_OK ||
            uc_mem_write(m_engine, segment.address.value, segment.file_bytes.data, segment.file_bytes.size) !=
                UC_ERR_OK) {
            fail("cannot map a segment of spinner.elf");
            return;
        }
    }
    // The stack: "spinner", the iterations, argv[] and the start registers of the start contract.
    if (uc_mem_map(m_engine, StackBase, StackSize, UC_PROT_READ | UC_PROT_WRITE) != UC_ERR_OK) {
        fail("cannot map the stack");
        return;
    }
    u64 const top = StackBase + StackSize;
    u64 const name_at = top - 64;
    u64 const count_at = top - 32;
    u64 const argv_at = top - 128;
    std::uint64_t const argv[3] = {name_at, count_at, 0};
    bool ok = uc_mem_write(m_engine, name_at, "spinner", 8) == UC_ERR_OK &&
              uc_mem_write(m_engine, count_at, iterations.c_str(), iterations.size() + 1) == UC_ERR_OK &&
              uc_mem_write(m_engine, argv_at, argv, sizeof argv) == UC_ERR_OK;
    std::uint64_t argc = 2;
    std::uint64_t rsp = argv_at - 256;
    ok = ok && uc_reg_write(m_engine, UC_X86_REG_RDI, &argc) == UC_ERR_OK &&
         uc_reg_write(m_engine, UC_X86_REG_RSI, &argv_at) == UC_ERR_OK &&
         uc_reg_write(m_engine, UC_X86_REG_RSP, &rsp) == UC_ERR_OK;
    if (!ok) {
        fail("cannot write the start registers");
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
        fail(std::string("the spinner's start did not reach its Clock: ") + uc_strerror(started));
        return;
    }
    uc_reg_read(m_engine, UC_X86_REG_RIP, &m_loop_pc);
    if (uc_context_alloc(m_engine, &m_start) != UC_ERR_OK || uc_context_save(m_engine, m_start) != UC_ERR_OK) {
        m_start = nullptr;
        fail("cannot save the registers");
    }
}

FreeSpinner::~FreeSpinner() {
    if (m_start != nullptr) uc_context_free(m_start);
    if (m_engine != nullptr) uc_close(m_engine);
}

bool FreeSpinner::fail(std::string what) {
    m_error = "free-running spinner: " + std::move(what);
    return false;
}

bool FreeSpinner::prepare() {
    if (!m_error.empty()) return false;
    return uc_context_restore(m_engine, m_start) == UC_ERR_OK || fail("cannot restore the registers");
}

bool FreeSpinner::run_loop() {
    if (!m_error.empty()) return false;
    // Without an interrupt hook, the spinner's next int 0x80 ends the run with UC_ERR_EXCEPTION.
    uc_err const ran = uc_emu_start(m_engine, m_loop_pc, 0, 0, 0);
    if (ran == UC_ERR_OK || ran == UC_ERR_EXCEPTION) return true;
    return fail(std::string("uc_emu_start: ") + uc_strerror(ran));
}

} // namespace grove::bench

#pragma once
#include <sim/runner/grove_images.hpp>

#include <string>
#include <vector>

struct uc_struct;
struct uc_context;

namespace grove::bench {

// A writable range of a guest (data, bss, stack) and its bytes.
struct GuestRange {
    u64 address = 0;
    std::vector<u8> bytes;
};

// Maps `image`'s segments and a stack holding argv (argv[0] = `name`, then `arguments`) into a bare `engine` as
// the kernel starts a grove (rdi = argc, rsi = argv, rsp below them; rip is the caller's), and appends the
// writable ranges to `writable` (their bytes left empty). Empty when it worked, else what failed.
std::string map_grove(uc_struct* engine, runner::GroveImage const& image, std::string const& name,
                      std::vector<std::string> const& arguments, std::vector<GuestRange>& writable);

// A grove image in a bare Unicorn engine, the reference of the sim_exec rows: the same ELF running free, without
// any hook. Made for programs that start with two syscalls (a print, then a Clock), then compute without a
// syscall until their final print: `spinner` and `compute`.
//
// The constructor maps the image's segments and a stack with argv (argv[0] = the image's name, then `arguments`),
// and runs the start (up to and including the first two syscalls, answered by an interrupt hook with 0); then it
// removes the hook and saves the registers and the writable memory (data, bss, stack). prepare() puts both back, so
// that every run_loop() does the very same work; run_loop() is one uc_emu_start without any hook, which runs the
// computation until the program's next syscall (its final print) stops the engine. Owns the engine.
class FreeGrove {
public:
    FreeGrove(std::string const& image, std::vector<std::string> const& arguments);
    ~FreeGrove();
    FreeGrove(FreeGrove const&) = delete;
    FreeGrove& operator=(FreeGrove const&) = delete;

    // False when the engine could not be restored; error() says why.
    bool prepare();
    // False when the engine stopped for any reason but a syscall; error() says why.
    bool run_loop();
    // Empty while everything worked.
    std::string const& error() const { return m_error; }

private:
    bool fail(std::string what);
    bool save_writable_memory();

    runner::GroveImages m_images;
    uc_struct* m_engine = nullptr;
    uc_context* m_start = nullptr;
    u64 m_loop_pc = 0;
    std::vector<GuestRange> m_writable; // and their bytes as the start left them
    std::string m_error;
};

} // namespace grove::bench

#pragma once
#include <sim/runner/grove_images.hpp>

#include <string>

struct uc_struct;
struct uc_context;

namespace grove::bench {

// The spinner image (`spinner <iterations>`) in a bare Unicorn engine, the reference of sim_exec_vs_free_unicorn.
// The constructor maps the image's segments and a stack with argv, and runs the start (up to and including the
// spinner's first two syscalls, its print and its Clock, answered by an interrupt hook with 0); then it removes the
// hook and saves the registers. prepare() puts them back; run_loop() is one uc_emu_start without any hook, which
// runs the spin loop until the spinner's next syscall (its final print) stops the engine. Owns the engine.
class FreeSpinner {
public:
    explicit FreeSpinner(std::string const& iterations);
    ~FreeSpinner();
    FreeSpinner(FreeSpinner const&) = delete;
    FreeSpinner& operator=(FreeSpinner const&) = delete;

    // False when the engine could not be restored; error() says why.
    bool prepare();
    // False when the engine stopped for any reason but a syscall; error() says why.
    bool run_loop();
    // Empty while everything worked.
    std::string const& error() const { return m_error; }

private:
    bool fail(std::string what);

    runner::GroveImages m_images;
    uc_struct* m_engine = nullptr;
    uc_context* m_start = nullptr;
    u64 m_loop_pc = 0;
    std::string m_error;
};

} // namespace grove::bench

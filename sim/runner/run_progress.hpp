#pragma once
#include <core/base/std.hpp>

namespace grove::runner {

// Where a run is, updated before every resume of a grove thread: plain data, so that it can live in memory shared
// with a parent process that reports it when the run dies (an emulator abort, a failed assertion).
struct RunProgress {
    char grove[32]{}; // the grove whose thread is about to run, NUL-terminated
    u32 generation = 0;
    u64 pc = 0;      // where that thread resumes
    u64 time = 0;    // virtual time
    u64 resumes = 0; // resumes so far
};

} // namespace grove::runner

#pragma once
// Threads: the runtime supplies the entry trampoline and, unless the caller brings its own, a stack from a
// static pool. A thread runs `function(argument)` and ends with ThreadExit of its return value.
#include <core/base/std.hpp>

namespace grove::rt {

using ThreadFunction = long (*)(u64 argument);

inline constexpr usize ThreadStackSize = usize{16} * 1024;
inline constexpr usize ThreadPoolCapacity = 32;

// Starts a thread on a stack of the pool. Returns the thread id, or -(status): -NoCapacity when every pool
// stack is in use, else the kernel's refusal (-LimitExceeded, -AccessDenied without ThreadCreate...), in which
// case the stack goes back to the pool.
long thread_create(ThreadFunction function, u64 argument);

// Starts a thread on the caller's stack [stack, stack + size). The caller guarantees that the memory stays
// reserved for the thread until it has ended, and that size >= 256. Returns the thread id or -(status).
long thread_create_on(ThreadFunction function, u64 argument, void* stack, usize size);

// Waits up to `timeout` ticks (abi::WaitForever) for the thread to end; returns its exit code or -(status).
// On success, a pool stack of that thread goes back to the pool.
long thread_join(u64 thread, u64 timeout);

} // namespace grove::rt

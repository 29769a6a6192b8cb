#include <core/abi/status.hpp>
#include <groves/runtime/arguments.hpp>
#include <groves/runtime/lookup.hpp>
#include <groves/runtime/string.hpp>
#include <groves/runtime/syscall.hpp>

namespace grove::rt {

long lookup_service(char const* name, u64 attempts, u64 pause_ticks) {
    long result = -abi::StatusNotFound;
    for (u64 attempt = 0; attempts == Forever || attempt < attempts; ++attempt) {
        if (attempt > 0) sys_sleep(pause_ticks);
        result = sys_lookup(name, strlen(name));
        if (result != -abi::StatusNotFound) return result;
    }
    return result;
}

} // namespace grove::rt

#include <core/abi/status.hpp>
#include <groves/runtime/syscall.hpp>
#include <groves/runtime/thread.hpp>

namespace grove::rt {
namespace {

// What a new thread needs, stored in the top 16 bytes of its stack; the stack pointer starts just below it.
struct StartRecord {
    ThreadFunction function;
    u64 argument;
};
static_assert(sizeof(StartRecord) == 16);

// The stack pool. A slot is taken with an atomic exchange of its flag, so threads may create threads.
alignas(16) u8 g_stacks[ThreadPoolCapacity][ThreadStackSize];
u8 g_in_use[ThreadPoolCapacity];
long g_thread_of[ThreadPoolCapacity];

constexpr long NoThread = -1;

} // namespace
} // namespace grove::rt

// The kernel starts a thread at grove_thread_entry with rdi = its StartRecord and rsp = just below it.
asm(R"(
    .text
    .p2align 4
    .globl grove_thread_entry
    .type grove_thread_entry, @function
grove_thread_entry:
    xor %ebp, %ebp
    and $-16, %rsp
    call grove_thread_main
    ud2
    .size grove_thread_entry, . - grove_thread_entry
)");

extern "C" void grove_thread_entry();

extern "C" [[noreturn]] void grove_thread_main(grove::rt::StartRecord const* record) {
    grove::rt::sys_thread_exit(record->function(record->argument));
}

namespace grove::rt {

long thread_create_on(ThreadFunction function, u64 argument, void* stack, usize size) {
    if (function == nullptr || stack == nullptr || size < 256) return -abi::StatusInvalidArgument;
    u64 top = (reinterpret_cast<u64>(stack) + size) & ~u64{15};
    auto* record = reinterpret_cast<StartRecord*>(top - sizeof(StartRecord));
    record->function = function;
    record->argument = argument;
    return sys_thread_create(reinterpret_cast<u64>(&grove_thread_entry), reinterpret_cast<u64>(record),
                             reinterpret_cast<u64>(record));
}

long thread_create(ThreadFunction function, u64 argument) {
    for (usize slot = 0; slot < ThreadPoolCapacity; ++slot) {
        if (__atomic_exchange_n(&g_in_use[slot], u8{1}, __ATOMIC_ACQUIRE) != 0) continue;
        g_thread_of[slot] = NoThread;
        long thread = thread_create_on(function, argument, g_stacks[slot], ThreadStackSize);
        if (thread < 0) {
            __atomic_store_n(&g_in_use[slot], u8{0}, __ATOMIC_RELEASE);
            return thread;
        }
        g_thread_of[slot] = thread;
        return thread;
    }
    return -abi::StatusNoCapacity;
}

long thread_join(u64 thread, u64 timeout) {
    long code = sys_thread_join(thread, timeout);
    if (code < 0) return code;
    for (usize slot = 0; slot < ThreadPoolCapacity; ++slot) {
        if (__atomic_load_n(&g_in_use[slot], __ATOMIC_ACQUIRE) != 0 && g_thread_of[slot] == static_cast<long>(thread)) {
            g_thread_of[slot] = NoThread;
            __atomic_store_n(&g_in_use[slot], u8{0}, __ATOMIC_RELEASE);
            break;
        }
    }
    return code;
}

} // namespace grove::rt

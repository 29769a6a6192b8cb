// chaos SEED [PEER]
//
// A hostile grove for sweeps (scenarios/sweeps/chaos.toml): from its own PRNG, seeded with SEED (a scenario passes
// the run's seed as "{seed}") mixed with the virtual time of its start (so each incarnation draws anew, the same
// way on every replay), it does one random thing after another, forever:
//   - a syscall of any number (the ABI's, the first unknown ones, and huge ones) with arguments drawn from a pool
//     of boundary values: null, kernel-half, non-canonical, misaligned, page-straddling and huge pointers and
//     lengths, its own buffers, invalid, stale (closed) and foreign (another slot's generation) handles, grant ids
//     it revoked, made up or never had, IRQ lines in and out of range. Timeouts are kept short, so it never
//     blocks for long;
//   - memory churn: MemoryMap and MemoryUnmap of random ranges of its heap, touching what it mapped;
//   - thread churn: threads that do the same as the main thread for a while, joined or left to run;
//   - rarely, a privileged instruction (hlt, cli, mov cr3, wrmsr, in, invlpg...) or a stray access (null, kernel,
//     unmapped, misaligned across unmapped): the kernel must end that incarnation as a crash, and nothing else.
// Exit and ThreadExit are among the syscalls it may draw. PEER (default "echo") is the grove whose endpoint it
// looks up, calls with garbage and grants memory to. 64 on bad arguments.
#include <core/base/prng.hpp>
#include <core/base/units.hpp>
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* Usage = "chaos SEED [PEER]";
constexpr u64 HeapBase = 0x1'0000'0000; // 4 GiB: where it maps memory
constexpr u64 HeapPages = 64;           // the heap span it churns, in pages
constexpr u64 ShortWait = 200'000;      // ticks: the longest timeout or sleep it asks for (200 µs)
constexpr u64 WorkerRounds = 64;        // actions of a worker thread before it ends
constexpr u64 UnknownSyscalls = 8;      // numbers past the ABI's last it tries
constexpr usize Slots = 8;              // handles and grant ids it remembers

// What every thread of the grove shares. Threads run one at a time on one CPU, but may be preempted anywhere:
// the values are only ever hints (stale on purpose), never trusted.
struct Memory {
    char const* peer = "echo";
    u64 seed = 0;
    u64 handles[Slots]{}; // handles it got from Lookup (some closed since)
    u64 grants[Slots]{};  // grant ids it got from GrantCreate (some revoked since)
    u64 peer_id = 0;      // the sender id of a message from the peer, when one came
    alignas(64) u8 buffer[2 * PageSize]{};
    abi::Message message{};
};

Memory g_memory;

u64 pick(Prng& prng, u64 const* values, usize count) { return values[prng.below(count)]; }

// A pointer argument: mostly bad, sometimes good.
u64 pointer(Prng& prng) {
    u64 const own = address_of(g_memory.buffer);
    u64 const values[] = {
        0,                                           // null
        1,                                           // near null, misaligned
        own,                                         // its own buffer
        own + 1,                                     // misaligned
        own + PageSize - 3,                          // straddling two of its pages
        own + 2 * PageSize - 1,                      // straddling its last byte
        HeapBase + prng.below(HeapPages) * PageSize, // its heap, mapped or not
        0x3f'f000,                                   // just below the grove window
        0x0000'7fff'ffff'f000,                       // the top of the lower half
        0x0000'8000'0000'0000,                       // non-canonical
        0xffff'8000'0000'0000,                       // the kernel half
        0xffff'ffff'8000'0000,                       // the kernel image
        ~u64{0} - 7,                                 // wraps around
        prng.next(),                                 // anything
    };
    return pick(prng, values, sizeof values / sizeof values[0]);
}

// A length or count argument.
u64 length(Prng& prng) {
    u64 const values[] = {0,
                          1,
                          7,
                          16,
                          63,
                          64,
                          65,
                          PageSize - 1,
                          PageSize,
                          PageSize + 1,
                          2 * PageSize,
                          u64{1} << 31,
                          u64{1} << 40,
                          ~u64{0},
                          ~u64{0} - PageSize + 2,
                          prng.below(1 << 16)};
    return pick(prng, values, sizeof values / sizeof values[0]);
}

// A handle or grant id: invalid, stale, foreign or (sometimes) good.
u64 handle(Prng& prng) {
    u64 const remembered = g_memory.handles[prng.below(Slots)];
    u64 const grant = g_memory.grants[prng.below(Slots)];
    u64 const values[] = {
        abi::OwnEndpointHandle,
        remembered,                  // perhaps closed since
        remembered ^ (u64{1} << 32), // its slot, another generation
        abi::make_handle(static_cast<u32>(prng.below(8)), static_cast<u32>(prng.below(4))), // another slot
        grant,                                                                              // perhaps revoked
        grant + 1,
        grant ^ (u64{1} << 32),
        abi::make_handle(0xffff'ffff, 0xffff'ffff),
        ~u64{0},
        prng.next(),
    };
    return pick(prng, values, sizeof values / sizeof values[0]);
}

// A word for any other argument: small numbers, flags, rights, lines, ids, boundaries.
u64 word(Prng& prng) {
    u64 const values[] = {0,
                          1,
                          2,
                          3,
                          7,
                          15,
                          16,
                          31,
                          32,
                          255,
                          abi::FlagNonBlocking,
                          abi::WaitForever,
                          g_memory.peer_id,
                          static_cast<u64>(-1) >> 1,
                          u64{1} << 63,
                          prng.next()};
    return pick(prng, values, sizeof values / sizeof values[0]);
}

u64 any_argument(Prng& prng) {
    switch (prng.below(4)) {
    case 0: return pointer(prng);
    case 1: return length(prng);
    case 2: return handle(prng);
    default: return word(prng);
    }
}

u64 short_wait(Prng& prng) { return prng.below(ShortWait); }

// Remembers what a syscall handed out, so later draws can use it again, closed or not.
void remember(abi::Syscall number, long result) {
    if (result < 0) return;
    u64* slots = number == abi::Syscall::Lookup        ? g_memory.handles
                 : number == abi::Syscall::GrantCreate ? g_memory.grants
                                                       : nullptr;
    if (slots == nullptr) return;
    slots[static_cast<u64>(result) % Slots] = static_cast<u64>(result);
}

// One syscall of a random number with random arguments. The arguments that are waits are kept short, and the
// ending syscalls are drawn rarely, so that the grove keeps going.
void random_syscall(Prng& prng, bool worker) {
    u64 const count = static_cast<u64>(abi::Syscall::Count);
    u64 number = prng.below(count + UnknownSyscalls);
    if (prng.below(16) == 0) number = prng.below(4) == 0 ? ~u64{0} : (u64{1} << prng.below(64)) + count;
    auto const call = static_cast<abi::Syscall>(number);
    if ((call == abi::Syscall::Exit || call == abi::Syscall::ThreadExit) && prng.below(worker ? 8 : 64) != 0) return;
    u64 a[6];
    for (u64& value : a) value = any_argument(prng);
    switch (call) {
    case abi::Syscall::Sleep: a[0] = short_wait(prng); break;
    case abi::Syscall::Send:
    case abi::Syscall::Receive:
    case abi::Syscall::Call: a[3] = short_wait(prng); break;
    case abi::Syscall::ThreadJoin:
    case abi::Syscall::IrqWait: a[1] = short_wait(prng); break;
    case abi::Syscall::Lookup:
        if (prng.below(2) == 0) {
            a[0] = address_of(g_memory.peer);
            a[1] = strlen(g_memory.peer);
        }
        break;
    case abi::Syscall::GrantCreate:
        if (prng.below(2) == 0) a[2] = g_memory.peer_id;
        break;
    case abi::Syscall::MemoryMap:
    case abi::Syscall::PhysicalMap:
        if (prng.below(2) == 0) a[0] = HeapBase + prng.below(HeapPages) * PageSize;
        break;
    default: break;
    }
    SyscallResult const result = syscall6(call, a[0], a[1], a[2], a[3], a[4], a[5]);
    remember(call, result.value);
    if (call == abi::Syscall::Receive && result.value >= 0 && a[1] == address_of(&g_memory.message) &&
        (g_memory.message.header.flags & abi::MessageFlagKernel) == 0)
        g_memory.peer_id = g_memory.message.header.sender;
}

// A call to the peer with a well-formed message and garbage payload (or a malformed header): the peer must answer
// or refuse, and stay up.
void call_peer(Prng& prng) {
    long const peer = sys_lookup(g_memory.peer, strlen(g_memory.peer));
    remember(abi::Syscall::Lookup, peer);
    if (peer < 0) return;
    abi::Message request{};
    request.header.tag = static_cast<u32>(prng.next());
    request.header.priority = static_cast<u8>(prng.below(abi::PriorityLevels + 2));
    request.header.length = static_cast<u16>(prng.below(abi::MessagePayloadSize + 8));
    request.header.reserved = static_cast<u16>(prng.below(2));
    for (u8& byte : request.payload) byte = static_cast<u8>(prng.next());
    abi::Message& reply = g_memory.message;
    if (sys_call(static_cast<u64>(peer), &request, &reply, short_wait(prng)) >= 0)
        g_memory.peer_id = reply.header.sender;
    if (prng.below(2) == 0) sys_handle_close(static_cast<u64>(peer)); // stale from now on
}

// Maps or unmaps a random range of the heap and touches what it maps.
void memory_churn(Prng& prng) {
    u64 const first = prng.below(HeapPages);
    u64 const pages = 1 + prng.below(HeapPages - first);
    u64 const address = HeapBase + first * PageSize;
    if (prng.below(2) == 0) {
        sys_memory_unmap(address, pages * PageSize);
        return;
    }
    if (sys_memory_map(address, pages * PageSize, abi::ProtRead | abi::ProtWrite) < 0) return;
    for (u64 page = 0; page < pages; ++page) *reinterpret_cast<u64 volatile*>(address + page * PageSize) = page;
}

// Grants some of its memory to the peer (or to anyone), revokes some.
void grant_churn(Prng& prng) {
    if (prng.below(2) == 0) {
        u64 const grant = g_memory.grants[prng.below(Slots)];
        sys_grant_revoke(grant);
        return;
    }
    u32 const peer = prng.below(2) == 0 ? static_cast<u32>(g_memory.peer_id) : static_cast<u32>(prng.below(70));
    long const grant =
        sys_grant_create(g_memory.buffer + prng.below(PageSize), 1 + prng.below(PageSize), peer, 1 + prng.below(3));
    remember(abi::Syscall::GrantCreate, grant);
}

// The rare ending of an incarnation: a privileged instruction or a stray access. Each must be a crash.
[[noreturn]] void misbehave(Prng& prng) {
    switch (prng.below(10)) {
    case 0: asm volatile("hlt"); break;
    case 1: asm volatile("cli"); break;
    case 2: {
        u64 value = 0;
        asm volatile("mov %%cr3, %0" : "=r"(value));
        break;
    }
    case 3: asm volatile("wrmsr" : : "c"(0xc000'0080u), "a"(0u), "d"(0u) : "memory"); break;
    case 4: {
        u8 value = 0;
        asm volatile("inb $0x60, %0" : "=a"(value));
        break;
    }
    case 5: asm volatile("invlpg (%0)" : : "r"(address_of(g_memory.buffer)) : "memory"); break;
    case 6: *reinterpret_cast<u64 volatile*>(pointer(prng) | 0xffff'8000'0000'0000) = 1; break;
    case 7: (void)*reinterpret_cast<u64 volatile*>(prng.below(PageSize)); break;
    case 8: (void)*reinterpret_cast<u64 volatile*>(HeapBase + HeapPages * PageSize + prng.below(PageSize)); break;
    default: asm volatile("ud2"); break;
    }
    // Whatever did not fault (a pointer that happened to be mapped) ends the incarnation another way.
    __builtin_trap();
}

void act(Prng& prng, bool worker);

long worker(u64 seed) {
    Prng prng(seed);
    for (u64 round = 0; round < WorkerRounds; ++round) act(prng, true);
    return static_cast<long>(seed & 0xff);
}

// Starts a worker, or joins one (perhaps one that is gone, or never was).
void thread_churn(Prng& prng) {
    static u64 threads[Slots]{};
    u64& slot = threads[prng.below(Slots)];
    if (prng.below(2) == 0) {
        long const id = thread_create(worker, prng.next());
        if (id >= 0) slot = static_cast<u64>(id);
        return;
    }
    thread_join(slot, short_wait(prng));
}

void act(Prng& prng, bool worker) {
    u64 const choice = prng.below(1000);
    if (choice < 700) return random_syscall(prng, worker);
    if (choice < 800) return call_peer(prng);
    if (choice < 880) return memory_churn(prng);
    if (choice < 940) return grant_churn(prng);
    if (choice < 995) return worker ? random_syscall(prng, worker) : thread_churn(prng);
    misbehave(prng);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3 || !parse_unsigned(argv[1], g_memory.seed)) usage(Usage);
    g_memory.peer = argument(argc, argv, 2, g_memory.peer);
    Prng prng(g_memory.seed ^ static_cast<u64>(sys_clock()));
    for (;;) act(prng, false);
}

#pragma once
#include <core/abi/status.hpp>
#include <core/abi/syscall.hpp>
#include <sim/runner/grove_images.hpp>

#include <array>
#include <string>
#include <vector>

struct uc_struct;

namespace grove::bench {

// Two grove images in two bare Unicorn engines that run free (no block hook, no memory hook: nothing is called
// while guest code runs), the reference of the sim_ipc floor rows. Each engine has one interrupt hook, which Unicorn
// calls only at `int 0x80` and which stops the engine; a minimal host loop then does what the kernel does for the
// syscalls a client and an echo server make, and nothing else: ConsoleWrite (answers the length), Clock (0),
// Lookup (handle 1), Send (into a FIFO of 64 messages, or straight to a waiting Receive; the sender waits while the
// FIFO is full), Receive (from the FIFO, letting a waiting sender in; waits while it is empty), Call (a Send, then
// a wait for the Reply) and Reply; each message is 64 bytes copied out of one engine and into the other, with the
// header fields the kernel fills (sender, its generation, the Call flag). Any other syscall is an error. So the
// groves run the very instructions they run under the simulator's kernel, at free-running Unicorn speed, and each
// of their traps costs only a return from uc_emu_start and the copy.
//
// With `count`, a code hook counts every instruction and a memory hook every store (slow, and a memory hook sends
// every load and store through Unicorn's slow path: for a calibration pass, never timed).
// Owns both engines.
class FreeIpcPair {
public:
    struct Grove {
        std::string name; // argv[0], as the grove is named in the machine
        std::string image;
        std::vector<std::string> arguments;
    };

    // `sender` makes the Sends or Calls that are counted; `server` receives them.
    FreeIpcPair(Grove const& sender, Grove const& server, bool count = false);
    ~FreeIpcPair();
    FreeIpcPair(FreeIpcPair const&) = delete;
    FreeIpcPair& operator=(FreeIpcPair const&) = delete;

    // Runs both groves until `messages` more of the sender's Sends or Calls have been delivered to the server.
    // False when a grove stopped for any reason but a syscall this loop answers; error() says why.
    bool run(u64 messages);
    u64 delivered() const { return m_delivered; }
    u64 traps() const { return m_traps; }
    // Instructions retired and stores made by the groves so far (with `count` only).
    u64 instructions() const { return m_instructions; }
    u64 stores() const { return m_stores; }
    std::string const& error() const { return m_error; }

private:
    enum class Wait : u8 { None, Receive, Send, Reply };
    struct Side {
        uc_struct* engine = nullptr;
        u32 serial = 0; // the sender id the kernel writes into its messages
        u64 pc = 0;
        Wait wait = Wait::None;
        u64 buffer = 0; // where a waiting Receive or Call puts its message
        bool trapped = false;
        abi::Message blocked{}; // the message of a waiting Send or Call
        bool blocked_is_call = false;
    };

    bool fail(std::string what);
    bool open(Side& side, Grove const& grove, u32 serial);
    // Runs `side` to its next syscall; false on anything else.
    bool run_to_syscall(Side& side);
    // Answers the syscall `side` stopped at; the side to run next (null: nothing can run).
    Side* answer(Side& side);
    void set_result(Side& side, i64 value);
    bool read_message(Side& side, u64 address, abi::Message& message);
    bool deliver(Side& receiver, abi::Message const& message);
    Side& other(Side& side) { return &side == &m_sides[0] ? m_sides[1] : m_sides[0]; }

    static constexpr usize QueueCapacity = 64;
    runner::GroveImages m_images;
    std::array<Side, 2> m_sides; // [0] the sender, [1] the server
    std::array<abi::Message, QueueCapacity> m_queue{};
    usize m_queue_head = 0, m_queue_size = 0;
    Side* m_running = nullptr;
    u64 m_delivered = 0;
    u64 m_traps = 0;
    u64 m_instructions = 0;
    u64 m_stores = 0;
    std::string m_error;
};

} // namespace grove::bench

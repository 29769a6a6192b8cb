#pragma once
// The GDB remote serial protocol as bytes: packet framing ($payload#checksum), acknowledgements, the interrupt byte,
// escaping, hex, and the arguments of the packets the simulator's stub serves (gdb_stub.hpp). Nothing here knows
// the machine: every function takes text and gives text or a parsed value, and refuses malformed input with
// nothing (never a crash, never a partial value).
#include <core/base/std.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grove::gdb {

// The modulo-256 sum of the bytes, as a packet's checksum.
u8 checksum(std::string_view bytes);
// A packet as sent: '$', the payload with '#', '$', '}' and '*' escaped, '#', two hex digits of the checksum of
// what was sent between them.
std::string frame(std::string_view payload);
// The payload of a received packet with its escapes ('}' then the byte xor 0x20) undone; nothing when the last
// escape is cut short. (gdb run-length encodes nothing it sends, and escapes a '*' in binary data.)
std::optional<std::string> unescape(std::string_view escaped);

// Turns the bytes gdb sends into what they mean, in order. Bytes between packets other than acknowledgements and
// the interrupt are dropped, as gdb's stubs do; a packet whose checksum does not match is reported so that the
// caller answers '-' (gdb sends it again).
class PacketReader {
public:
    enum class Kind : u8 {
        Packet,      // `payload` holds the unescaped payload
        Interrupt,   // 0x03: stop the target
        Ack,         // '+'
        Nack,        // '-': send the last packet again
        BadChecksum, // a framed packet whose checksum did not match, or whose escapes were broken
    };
    struct Event {
        Kind kind = Kind::Packet;
        std::string payload;
    };
    // Longest payload accepted (the PacketSize the stub announces); a longer one is dropped as BadChecksum once
    // its end arrives, and its bytes are not kept meanwhile beyond this.
    static constexpr usize MaxPayload = 0x4000;

    void feed(std::string_view bytes);
    std::optional<Event> next();

private:
    std::string m_buffer;
    usize m_scanned = 0;     // bytes of m_buffer before this are known to hold no '#' of the packet under way
    bool m_overlong = false; // the packet under way was cut to MaxPayload: it is refused when it ends
};

// Hex: two lowercase digits per byte, in order.
std::string to_hex(void const* bytes, usize length);
inline std::string to_hex(std::string_view bytes) { return to_hex(bytes.data(), bytes.size()); }
// Nothing when the length is odd or a character is not a hex digit.
std::optional<std::string> from_hex(std::string_view hex);
// A little-endian value of `bytes` bytes (1..8), as registers travel.
std::string to_hex_le(u64 value, usize bytes);
// At most `bytes` bytes (1..8) of little-endian hex, exactly that many digits.
std::optional<u64> from_hex_le(std::string_view hex, usize bytes);
// A big-endian hex number (addresses, lengths, register numbers): 1 to 16 digits.
std::optional<u64> parse_number(std::string_view hex);

// m<addr>,<length>
struct MemoryRange {
    u64 address = 0;
    u64 length = 0;
};
std::optional<MemoryRange> parse_memory_read(std::string_view arguments);
// M<addr>,<length>:<hex bytes>: the bytes must be exactly `length`.
struct MemoryWrite {
    u64 address = 0;
    std::string bytes;
};
std::optional<MemoryWrite> parse_memory_write(std::string_view arguments);
// Z<type>,<addr>,<kind> and z...: type 0 software, 1 hardware (execution); 2..4 watchpoints.
struct BreakpointRequest {
    u8 type = 0;
    u64 address = 0;
    u64 kind = 0;
};
std::optional<BreakpointRequest> parse_breakpoint(std::string_view arguments);
// A thread id as gdb writes it without multiprocess: hex, "0" (any) or "-1" (all).
struct ThreadRef {
    enum class Which : u8 { One, Any, All };
    Which which = Which::Any;
    u64 id = 0; // for One
};
std::optional<ThreadRef> parse_thread(std::string_view text);
// P<register>=<value hex>
struct RegisterWrite {
    u64 number = 0;
    std::string bytes;
};
std::optional<RegisterWrite> parse_register_write(std::string_view arguments);
// vCont;<action>[:<thread>]...: c and s (C and S with a signal, which the stub does not deliver, count as c and s).
struct ResumeAction {
    enum class Kind : u8 { Continue, Step };
    Kind kind = Kind::Continue;
    ThreadRef thread; // Which::All when the action names no thread
};
std::optional<std::vector<ResumeAction>> parse_vcont(std::string_view arguments);
// qXfer:<object>:read:<annex>:<offset>,<length>
struct TransferRead {
    std::string object;
    std::string annex;
    u64 offset = 0;
    u64 length = 0;
};
std::optional<TransferRead> parse_transfer_read(std::string_view arguments);
// The reply to a qXfer read of `document` from `offset` with at most `length` bytes: 'm' and a part, or 'l' and
// the last part (escaped for binary transfer).
std::string transfer_reply(std::string_view document, u64 offset, u64 length);

} // namespace grove::gdb

#pragma once
// The syscall ABI between groves and the kernel. This header is shared verbatim by core/ and by grove programs
// (groves/), and it is the whole contract: the same grove binary runs in the simulator and on bare metal.
//
// Register convention (x86_64):
//   instruction   int 0x80   (an interrupt gate of DPL 1: reachable from ring 1 on bare metal, trapped by the
//                            simulator's interrupt hook; chosen over `syscall`, which cannot switch stacks)
//   number        rax
//   arguments     rdi, rsi, rdx, r10, r8, r9   (the System V order, with r10 in place of rcx)
//   results       rax: >= 0 on success, -(status) on failure (core/abi/status.hpp); rdx: a second value
//   preserved     every other register, the flags excepted
#include <cstdint>
#include <core/abi/status.hpp>

namespace grove::abi {

inline constexpr std::uint8_t SyscallVector = 0x80;

enum class Syscall : std::uint64_t {
    Exit = 0,              // (code)                              ends the grove, every thread; never returns
    Yield = 1,             // ()
    Sleep = 2,             // (ticks)
    Clock = 3,             // () -> ticks of virtual time since boot
    ConsoleWrite = 4,      // (ptr, len) -> bytes written
    Send = 5,              // (handle, message*, flags, timeout)
    Receive = 6,           // (handle, message*, flags, timeout)  message* receives header and payload
    Call = 7,              // (handle, request*, reply*, timeout) send, then wait for the reply to this request
    Reply = 8,             // (message*)                          answers the last Call this thread received
    Lookup = 9,            // (name*, name_len) -> send handle to that grove's endpoint
    MemoryMap = 10,        // (addr, len, prot)                   MemoryManage
    MemoryUnmap = 11,      // (addr, len)                         MemoryManage
    ThreadCreate = 12,     // (entry, stack_top, arg) -> thread id ThreadCreate
    ThreadExit = 13,       // (code)                              never returns
    ThreadJoin = 14,       // (thread id, timeout) -> exit code
    PhysicalMap = 15,      // (addr, phys, len, prot)             PhysicalMemory
    HandleClose = 16,      // (handle)
    SubscribeCrashes = 17, // ()                                crash and give-up events of the groves the CrashWatch
                           //                                   capability names arrive on the own endpoint; without
                           //                                   it AccessDenied
    Heartbeat = 18,        // ()                                  feeds the watchdog
    // Copy grants (MINIX 3's safecopies; DESIGN.md §7): a grove grants [addr, addr + len) of its own memory to one
    // peer, named by its grove id (the serial a message header carries as `sender`; any incarnation of that grove),
    // with GrantRead and/or GrantWrite; the peer asks the kernel to copy from or to it. The kernel checks the grant
    // (id, granter alive, caller is the peer, rights, offset + len inside the grant) and both ranges, every page,
    // at copy time; a failure is a status and copies nothing. A grant id is unforgeable in effect: only the named
    // peer can use it, and a revoked grant's id never works again. Grants are bounded per grove by its `grants`
    // limit (LimitExceeded past it) and end with the granter's incarnation. A copy costs GrantByteCost ticks of
    // virtual time per byte (core/kernel/syscall_decode.hpp), which the caller waits, as for a device.
    GrantCreate = 19,   // (addr, len, peer, rights) -> grant  InvalidArgument: empty or outside the window, rights
                        //                                     unknown or none, range not mapped with the rights;
                        //                                     NotFound: no such grove; LimitExceeded: the limit;
                        //                                     NoCapacity: the kernel's table is full
    GrantRevoke = 20,   // (grant)                             BadHandle unless a live grant of the caller
    GrantCopyFrom = 21, // (grant, offset, dst, len) -> len    granted memory -> the caller's [dst, dst + len)
    GrantCopyTo = 22,   // (grant, offset, src, len) -> len    the caller's [src, src + len) -> granted memory
                        // Copy statuses: BadHandle (unknown, forged or revoked id), PeerClosed (the granter's
                        // incarnation ended), AccessDenied (not the peer, or the right missing), InvalidArgument
                        // (len 0, offset + len past the grant or overflowing, own range unmapped or outside the
                        // window), InvalidState (granted pages unmapped since). Source and destination may
                        // overlap (a grove granting to itself): the copy is as if the source were read first.
    IrqWait = 23,       // (line, timeout) -> interrupts taken  Irq (that line); see "Interrupts" below
    IrqAck = 24,        // (line)                              Irq (that line): unmasks the line
    // Service control (the origin's start/stop/restart/list services; DESIGN.md §7): a grove whose ServiceManage
    // capability names another grove (or "*") may control it, named by its name (1..31 bytes, as Lookup). The
    // capability is checked before the name is looked up, so a grove cannot probe names it may not control:
    // AccessDenied (and `capability_denied`, capability service_manage) for a name it does not hold, NotFound for a
    // held name no grove has, InvalidArgument for a malformed name. Each start, stop and restart the kernel takes
    // up, refused or not, is a `service_control` event (target, action, status), followed by the lifecycle events
    // the action causes, the same as for the scenario's scripted stop and restart.
    ServiceStart = 25,   // (name*, len) -> grove id            Loading: started; Stopped or Faulted: a new
                         //                                     incarnation loaded and started at once (the
                         //                                     backend's or admission's error when it cannot be);
                         //                                     InvalidState when Running, Stopping or Quarantined
    ServiceStop = 26,    // (name*, len)                        a graceful stop (the stop request, a kill at the
                         //                                     deadline); InvalidState unless Loading or Running,
                         //                                     or down with a respawn pending (then cancelled)
    ServiceRestart = 27, // (name*, len) -> grove id            a graceful stop, then a start (as a scripted
                         //                                     restart); InvalidState from Loading or Quarantined
    ServiceStatus = 28,  // (name*, len) -> GroveStatus         rdx: the grove id of its latest incarnation
    ServiceList = 29,    // (records*, capacity) -> count       a ServiceRecord for each registered grove the
                         //                                     capability names, in serial order, at most
                         //                                     `capacity` (1..MaxServiceRecords) written; returns
                         //                                     how many there are (maybe more than written)
    ServiceLoad = 30,    // (spec*, authority*) -> grove id     spawns a grove from ELF bytes granted to the
                         //                                     caller, as a ServiceSpec asks, with the device and
                         //                                     control capabilities a ServiceAuthority passes on
                         //                                     (0: none); see below
    // Issued handles (file handles; DESIGN.md §2): a service holds a client's open objects as handles in the
    // client's own table, charged against the client's `file_handles` limit by the kernel, so neither side can make
    // the count lie: the service can issue one only while it serves a Call of that client, only the kernel fills
    // the table, and a handle ends when the client closes it (HandleClose), when the service revokes it, when
    // either grove's incarnation ends. The handle is a Send handle to the issuer's endpoint.
    HandleIssue = 31,  // () -> handle                         a handle in the table of the grove whose Call this
                       //                                      thread received and has not answered yet: InvalidState
                       //                                      without one; LimitExceeded (and `limit_exceeded` for
                       //                                      that grove, with its violation policy) at its limit;
                       //                                      NoCapacity when its table is full
    HandleIssued = 32, // (grove, handle, revoke) -> 0         whether grove `grove` (a serial) still holds `handle`
                       //                                      as this incarnation issued it: 0, or NotFound (closed,
                       //                                      revoked, issued by another grove or incarnation, or the
                       //                                      grove's incarnation ended); revoke 1 closes it as well,
                       //                                      giving the grove its handle back; InvalidArgument for a
                       //                                      serial above 32 bits or revoke other than 0 or 1
    Count = 33,
};

// A grove id as service control returns it: the serial in the low 32 bits, the generation in the high 32.
inline constexpr std::uint64_t make_grove_id(std::uint32_t serial, std::uint32_t generation) {
    return (std::uint64_t{generation} << 32) | serial;
}

// The states ServiceStatus returns and ServiceRecord holds (the Grove Manager's, core/grove/grove_state.hpp).
enum class GroveStatus : std::uint8_t {
    Loading = 0,
    Running = 1,
    Stopping = 2,
    Stopped = 3,
    Faulted = 4,
    Quarantined = 5
};

// One grove of ServiceList.
struct ServiceRecord {
    std::uint32_t grove;      // serial
    std::uint32_t generation; // of its latest incarnation
    std::uint8_t state;       // GroveStatus
    std::uint8_t name_length;
    std::uint8_t reserved[6]; // zero
    char name[32];            // name_length bytes, then zeros
};
static_assert(sizeof(ServiceRecord) == 48);
inline constexpr std::uint64_t MaxServiceRecords = 64;

// ServiceLoad(spec*): a grove holding ServiceManage spawns a new grove from ELF bytes another grove (or itself) granted
// it for reading: the kernel copies the first `image_length` bytes of the grant into an image slot of its own (the
// checked path of GrantCopyFrom: a `grant_copied` or `grant_refused` event, GrantByteCost ticks per byte, which the
// caller waits), validates them with the loader every image goes through, and loads and starts the grove (`loaded`,
// `started`), which joins the caller's ServiceManage set. The spec can only narrow what the caller holds: each
// flag and peer a capability the caller has (AccessDenied and `capability_denied` for the first it lacks), each
// limit at most the caller's (LimitExceeded); the limits the spec does not carry are the caller's. In order:
// AccessDenied without ServiceManage; InvalidArgument for a malformed spec (a name, a count or a length out of
// range, reserved bytes not zero, an unknown respawn mode); AlreadyExists for a name a grove has; the capability
// and limit checks; NoCapacity when the kernel's image slots or the caller's ServiceManage list are full;
// LimitExceeded for an image longer than a slot (MaxServiceImage); the grant's refusal as GrantCopyFrom gives it
// (BadHandle: revoked or forged, PeerClosed, AccessDenied, InvalidArgument: past the grant's end); InvalidArgument
// when the loader rejects the bytes (the `service_control` event's `elf_check` names the check); then the Grove
// Manager's errors (OverCommitted when admission's budgets cannot hold the limits, LimitExceeded when the image
// exceeds the memory limit). Every ServiceLoad taken up is a `service_control` event (action load).
// The optional ServiceAuthority narrows the same way: each port range, physical range, interrupt line, crash-watch
// and service-manage name one the caller holds itself (a range inside one of its ranges; "*" only from "*"),
// AccessDenied and `capability_denied` for the first it lacks; InvalidArgument when malformed (counts out of range,
// reserved bytes not zero, an empty or wrapping range) or not readable at its address (checked after ServiceManage,
// so a caller without it learns nothing from it). Checked with the flags and peers. A line passes the check
// when the caller holds it, but a line has one owner while its holder runs: a grove spawned with a line its running
// caller owns cannot start (AlreadyExists, as for any line another grove owns).
// The image slot belongs to the spawned grove until it is removed or quarantined (it never loads again): then it
// is free for the next load. A stopped grove keeps its slot, since ServiceStart loads it again from those bytes.
inline constexpr std::uint64_t MaxServiceImage = 64 * 1024;
inline constexpr std::uint64_t MaxServiceArguments = 4;
inline constexpr std::uint64_t MaxServicePeers = 4;

// A name or argument of a ServiceSpec: `length` bytes of `text` (1..31), the rest zero.
struct ServiceText {
    std::uint8_t length;
    char text[31];
};
static_assert(sizeof(ServiceText) == 32);

// Respawn modes of a ServiceSpec (the Grove Manager's RespawnMode, core/grove/respawn.hpp).
enum class ServiceRespawn : std::uint8_t { Never = 0, Always = 1, OnFailure = 2, Limited = 3 };

// What ServiceLoad spawns.
struct ServiceSpec {
    std::uint64_t grant;        // a grant to the caller with the Read right
    std::uint64_t image_length; // the image: the grant's bytes [0, image_length), 1..MaxServiceImage
    std::uint64_t memory;       // limits: memory (bytes), threads, CPU percent of each period, live grants
    std::uint32_t threads;
    std::uint32_t cpu_percent;
    std::uint32_t grants;
    std::uint32_t respawn_limit; // Limited only
    std::uint16_t flags;         // flag capabilities, bit (1 << CapabilityKind): ThreadCreate, MemoryManage, ...
    std::uint8_t respawn;        // ServiceRespawn
    std::uint8_t argument_count; // 0..MaxServiceArguments
    std::uint8_t send_count;     // 0..MaxServicePeers: IpcSend peers
    std::uint8_t receive_count;  // 0..MaxServicePeers: IpcReceive peers
    std::uint8_t reserved[2];    // zero
    ServiceText name;
    ServiceText arguments[MaxServiceArguments]; // argv[1..]
    ServiceText send_to[MaxServicePeers];       // a name, or "*" for any grove
    ServiceText receive_from[MaxServicePeers];
};
static_assert(sizeof(ServiceSpec) == 48 + 32 * (1 + MaxServiceArguments + 2 * MaxServicePeers));

inline constexpr std::uint64_t MaxServicePortRanges = 4;
inline constexpr std::uint64_t MaxServicePhysicalRanges = 4;

// Ports [first, last] of a ServiceAuthority.
struct ServicePortRange {
    std::uint16_t first;
    std::uint16_t last;
};
// Physical addresses [base, base + length) of a ServiceAuthority.
struct ServicePhysicalRange {
    std::uint64_t base;
    std::uint64_t length;
};

// ServiceLoad's second argument: the device and control capabilities the spawned grove gets, each a part of the
// caller's own (see ServiceLoad above).
struct ServiceAuthority {
    std::uint16_t irq_lines;     // bit n: interrupt line n
    std::uint8_t port_count;     // 0..MaxServicePortRanges
    std::uint8_t physical_count; // 0..MaxServicePhysicalRanges
    std::uint8_t watch_count;    // 0..MaxServicePeers: CrashWatch names
    std::uint8_t manage_count;   // 0..MaxServicePeers: ServiceManage names
    std::uint8_t reserved[2];    // zero
    ServicePortRange ports[MaxServicePortRanges];
    ServicePhysicalRange physical[MaxServicePhysicalRanges];
    ServiceText watch[MaxServicePeers];  // a name, or "*" for any grove
    ServiceText manage[MaxServicePeers]; // a name, or "*" for any grove
};
static_assert(sizeof(ServiceAuthority) ==
              8 + 4 * MaxServicePortRanges + 16 * MaxServicePhysicalRanges + 32 * 2 * MaxServicePeers);

// Rights of GrantCreate.
inline constexpr std::uint64_t GrantRead = 1u << 0;  // the peer may GrantCopyFrom
inline constexpr std::uint64_t GrantWrite = 1u << 1; // the peer may GrantCopyTo

// Interrupts. A grove whose Irq capability names a line owns that line while it runs (at most one grove owns a
// line; a grove cannot start while another owns a line it names) and takes its interrupts with a wait syscall:
//   IrqWait(line, timeout)  blocks until the line has fired, then returns how many interrupts it took since the last
//                           IrqWait returned (at least 1); at once when one is pending; TimedOut after `timeout`
//                           ticks (WaitForever: no limit). AccessDenied for a line the capability does not name,
//                           InvalidArgument for a line >= IrqLines.
//   IrqAck(line)            the driver has served the device: the line is unmasked again.
// A line is masked by the machine when it fires (the interrupt entry masks it before anything else runs) and stays
// masked until IrqAck, so a level-triggered device cannot storm the kernel; an interrupt raised while the line is
// masked is latched by the controller and taken at the unmask. Every interrupt the kernel takes is an `interrupt`
// event of the trace: delivered (a waiter woke), pending (counted until the next IrqWait), unowned (no grove owns
// the line: counted, the line stays masked) or dropped (its owner ended with interrupts pending: counted).
// When the owner ends, its lines are masked and released. The lines are the 16 legacy ISA lines (IRQ 0-15): the
// simulator's interrupt controller on its device bus; on metal the 8259 PIC pair (arch_x86_64/platform/pic.hpp).
inline constexpr std::uint8_t IrqLines = 16;

// Flags of Send, Receive and Call.
inline constexpr std::uint64_t FlagNonBlocking = 1u << 0;

// A timeout argument: ticks of virtual time to wait, or this value to wait without limit.
inline constexpr std::uint64_t WaitForever = ~std::uint64_t{0};

// Protection bits of MemoryMap and PhysicalMap.
inline constexpr std::uint64_t ProtRead = 1u << 0;
inline constexpr std::uint64_t ProtWrite = 1u << 1;
inline constexpr std::uint64_t ProtExecute = 1u << 2;

// Every grove starts with a receive handle to its own endpoint in this slot of its handle table.
inline constexpr std::uint64_t OwnEndpointHandle = 0;

// A handle as groves see it: slot index in the low 32 bits, generation in the high 32. Unforgeable because the
// kernel checks both against the grove's own table.
inline constexpr std::uint64_t make_handle(std::uint32_t index, std::uint32_t generation) {
    return (std::uint64_t{generation} << 32) | index;
}

// A message is 64 bytes: one cache line, copied whole, never allocated. 16 bytes of header leave 48 of payload:
// six machine words, enough for the small requests and replies of service protocols, while a queue of 64
// messages fits in 4 KiB. Bulk data belongs in shared memory, not in messages.
inline constexpr std::uint32_t MessageSize = 64;
inline constexpr std::uint32_t MessageHeaderSize = 16;
inline constexpr std::uint32_t MessagePayloadSize = MessageSize - MessageHeaderSize;
inline constexpr std::uint8_t PriorityLevels = 32; // 0 lowest .. 31 highest

struct MessageHeader {
    std::uint32_t sender;            // filled by the kernel: the sending grove's id
    std::uint16_t sender_generation; // filled by the kernel: its incarnation (low 16 bits)
    std::uint8_t priority;           // set by the sender, 0 .. PriorityLevels-1
    std::uint8_t flags;              // filled by the kernel: MessageFlag*
    std::uint32_t tag;               // free for the protocol
    std::uint16_t length;            // payload bytes in use, <= MessagePayloadSize
    std::uint16_t reserved;          // must be zero
};

inline constexpr std::uint8_t MessageFlagCall = 1u << 0;   // the sender waits for a Reply
inline constexpr std::uint8_t MessageFlagKernel = 1u << 1; // sent by the kernel (crash and give-up events)

struct Message {
    MessageHeader header;
    std::uint8_t payload[MessagePayloadSize];
};

static_assert(sizeof(MessageHeader) == MessageHeaderSize);
static_assert(sizeof(Message) == MessageSize);

// Tags of the kernel's own messages (header.flags has MessageFlagKernel, sender 0). Crash and give-up notices carry
// a CrashNotice; a stop request has no payload: the grove should exit (code 0) before its stop deadline.
inline constexpr std::uint32_t NotifyCrashed = 0x43525348; // "CRSH"
inline constexpr std::uint32_t NotifyGaveUp = 0x47495645;  // "GIVE"
inline constexpr std::uint32_t NotifyStop = 0x53544F50;    // "STOP"

struct CrashNotice {
    std::uint32_t grove;
    std::uint32_t generation;
    std::uint32_t kind; // grove::CrashKind
    std::int32_t exit_code;
    std::uint64_t pc;
    std::uint64_t address;
    std::uint64_t time;
};
static_assert(sizeof(CrashNotice) <= MessagePayloadSize);

} // namespace grove::abi

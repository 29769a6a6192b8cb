// ata
//
// The driver of the ATA disk on the primary channel, with nothing but its ports (io_port 0x1F0-0x1F7 and 0x3F6) and
// its interrupt (irq 14): serves block READ, WRITE and FLUSH requests over IPC, the data moved through copy grants
// (block_protocol.hpp). At start it resets the drive (SRST, with the interrupt off: a drive left mid-command by an
// earlier incarnation starts afresh) and reads its size with IDENTIFY DEVICE. Every request is checked before the
// drive is touched (op, count, bounds against the IDENTIFY sector count) and the grant's copy may be refused by the
// kernel (wrong peer, revoked, too short, granter gone): each is answered with its status, never a crash. The drive's
// interrupt is taken with IrqWait and acknowledged with IrqAck after the status register was read; the only polls
// are ATA's bounded ones (BSY clear before a command, DRQ before the first sector of a write). A stop request of the
// kernel makes it exit 0; it exits 1 when the drive cannot be identified.
#include <groves/programs/block_protocol.hpp>
#include <groves/runtime/port_io.hpp>

using namespace grove;
using namespace grove::rt;
using grove::block::Reply;
using grove::block::Request;

namespace {

constexpr u16 Data = 0x1F0, ErrorRegister = 0x1F1, Count = 0x1F2, LbaLow = 0x1F3, LbaMid = 0x1F4, LbaHigh = 0x1F5,
              Device = 0x1F6, Command = 0x1F7, Control = 0x3F6;
constexpr u8 Busy = 0x80, DataRequest = 0x08, Failed = 0x01;
constexpr u8 ControlNoInterrupt = 0x02, ControlReset = 0x04;
constexpr u8 CommandIdentify = 0xEC, CommandRead = 0x20, CommandWrite = 0x30, CommandFlush = 0xE7;
constexpr u64 Line = 14;
// How long ata waits for one interrupt: the simulated drive takes microseconds, but QEMU's drive completes a write
// in host time (while the guest halts, virtual time runs at host speed), which a loaded host can stretch to
// milliseconds.
constexpr u64 DeviceTimeout = 100'000'000; // 100 ms of virtual time
constexpr u64 SettlePolls = 1'000'000;
constexpr u64 WordsPerSector = block::SectorSize / 2;

u16 g_buffer[block::MaxSectors][WordsPerSector];
u64 g_sectors = 0; // the disk's, from IDENTIFY

// What a step of the drive came to: its status register, or the failure of the step as -(status).
struct Step {
    long failure;
    u8 status;
};

// The status once BSY is clear, polled on the alternate status port (which leaves INTRQ as it is); TimedOut when
// the drive stays busy for SettlePolls reads.
Step settle() {
    for (u64 i = 0; i < SettlePolls; ++i) {
        u8 const status = in8(Control);
        if ((status & Busy) == 0) return {0, status};
    }
    return {-abi::StatusTimedOut, in8(Control)};
}

// Waits for the drive's interrupt, reads the status (lowering INTRQ) and unmasks the line.
Step interrupt() {
    long const taken = sys_irq_wait(Line, DeviceTimeout);
    if (taken < 0) return {taken, 0};
    u8 const status = in8(Command);
    long const acked = sys_irq_ack(Line);
    return {acked < 0 ? acked : 0, status};
}

// Resets the drive (SRST) with its interrupt off, lowers INTRQ and turns the interrupt on again.
void reset() {
    out8(Control, ControlReset | ControlNoInterrupt);
    out8(Control, ControlNoInterrupt);
    settle();
    in8(Command);
    out8(Device, 0xE0); // master, LBA
    out8(Control, 0);
}

// Issues a command once the drive is not busy: `sectors` from `lba` (LBA28, master).
long command(u8 code, u64 lba, u64 sectors) {
    Step const ready = settle();
    if (ready.failure < 0) return ready.failure;
    out8(Count, static_cast<u8>(sectors));
    out8(LbaLow, static_cast<u8>(lba));
    out8(LbaMid, static_cast<u8>(lba >> 8));
    out8(LbaHigh, static_cast<u8>(lba >> 16));
    out8(Device, static_cast<u8>(0xE0 | ((lba >> 24) & 0x0F)));
    out8(Command, code);
    return 0;
}

// A step that failed or a status with ERR, as the Reply of the request; ata resets the drive after a timeout.
Reply failed(Step const& step) {
    if (step.failure < 0) {
        if (step.failure == -abi::StatusTimedOut) reset();
        return {step.failure, 0};
    }
    return {-abi::StatusInvalidState, in8(ErrorRegister)};
}

bool has_failed(Step const& step, u8 wanted_bits, u8 wanted) {
    return step.failure < 0 || (step.status & (wanted_bits | Failed)) != wanted;
}

Reply read(Request const& r) {
    if (long const issued = command(CommandRead, r.lba, r.count); issued < 0) return {issued, 0};
    for (u64 s = 0; s < r.count; ++s) {
        Step const step = interrupt();
        if (has_failed(step, DataRequest, DataRequest)) return failed(step);
        in_words(Data, g_buffer[s], WordsPerSector);
    }
    long const copied = sys_grant_copy_to(r.grant, 0, g_buffer, u64{r.count} * block::SectorSize);
    if (copied < 0) return {copied, 0};
    return {0, r.count};
}

Reply write(Request const& r) {
    long const copied = sys_grant_copy_from(r.grant, 0, g_buffer, u64{r.count} * block::SectorSize);
    if (copied < 0) return {copied, 0};
    if (long const issued = command(CommandWrite, r.lba, r.count); issued < 0) return {issued, 0};
    Step step = settle(); // DRQ for the first sector comes without an interrupt
    for (u64 s = 0; s < r.count; ++s) {
        if (has_failed(step, DataRequest, DataRequest)) return failed(step);
        out_words(Data, g_buffer[s], WordsPerSector);
        step = interrupt();
    }
    if (has_failed(step, Busy | DataRequest, 0)) return failed(step);
    return {0, r.count};
}

Reply flush() {
    if (long const issued = command(CommandFlush, 0, 0); issued < 0) return {issued, 0};
    Step const step = interrupt();
    if (has_failed(step, Busy | DataRequest, 0)) return failed(step);
    return {0, 0};
}

// Checks a request (nothing is done with a bad one) and serves it.
Reply serve(Request const& r) {
    if (r.op == block::OpInfo) return {0, g_sectors};
    if (r.op == block::OpFlush) return flush();
    if (r.op != block::OpRead && r.op != block::OpWrite) return {-abi::StatusInvalidArgument, 0};
    if (r.count == 0 || r.count > block::MaxSectors) return {-abi::StatusInvalidArgument, 0};
    if (r.lba >= g_sectors || r.count > g_sectors - r.lba) return {-abi::StatusInvalidArgument, 0};
    return r.op == block::OpRead ? read(r) : write(r);
}

// IDENTIFY DEVICE: the number of LBA28 sectors, 0 when the drive does not answer as an ATA disk with LBA.
u64 identify() {
    if (command(CommandIdentify, 0, 0) < 0) return 0;
    Step const step = interrupt();
    if (has_failed(step, DataRequest, DataRequest)) return 0;
    u16 words[WordsPerSector];
    in_words(Data, words, WordsPerSector);
    if ((words[49] & 0x0200) == 0) return 0;
    return words[60] | (u64{words[61]} << 16);
}

} // namespace

int main(int argc, char**) {
    if (argc > 1) usage("ata");
    reset();
    g_sectors = identify();
    if (g_sectors == 0) {
        print("ata: no ATA disk with LBA on the primary channel\n");
        return 1;
    }
    print("ata: %lu sectors, serving\n", g_sectors);
    for (;;) {
        abi::Message message;
        long const received = sys_receive(abi::OwnEndpointHandle, &message, 0, abi::WaitForever);
        if (received < 0) {
            print("ata: receive failed: %s\n", status_name(received));
            sys_yield();
            continue;
        }
        if ((message.header.flags & abi::MessageFlagKernel) != 0) {
            if (message.header.tag == abi::NotifyStop) return 0;
            continue;
        }
        if ((message.header.flags & abi::MessageFlagCall) == 0) continue; // nobody to answer
        abi::Message reply{};
        reply.header.tag = block::TagBlock;
        Reply const answer = message.header.tag == block::TagBlock ? serve(payload_of<Request>(message))
                                                                   : Reply{-abi::StatusInvalidArgument, 0};
        set_payload(reply, answer);
        long const replied = sys_reply(&reply);
        if (replied < 0) print("ata: reply failed: %s\n", status_name(replied));
    }
}

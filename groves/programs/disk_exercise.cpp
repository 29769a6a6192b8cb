// disk_exercise [SECTORS]
//
// A driver-level test of the ATA disk on the primary channel, through nothing but its ports (io_port 0x1F0-0x1F7
// and 0x3F6) and its interrupt (irq 14): IDENTIFY DEVICE, then WRITE SECTORS of SECTORS sectors (default 8) from
// LBA 1 with a pattern, FLUSH CACHE, READ SECTORS of the same range compared with the pattern, and a READ past the
// last sector, which the drive must refuse (ERR, ABRT). Every step waits for the drive's interrupt (IrqWait),
// reads the status register (which lowers it) and acknowledges the line (IrqAck).
// Exits 0 when every step did what the ATA standard says, 1 at the first that did not (with a line saying which),
// 64 on bad arguments.
#include <groves/runtime/port_io.hpp>
#include <groves/runtime/runtime.hpp>

using namespace grove;
using namespace grove::rt;

namespace {

constexpr char const* Usage = "disk_exercise [SECTORS]";
constexpr u16 Data = 0x1F0, Error = 0x1F1, Count = 0x1F2, LbaLow = 0x1F3, LbaMid = 0x1F4, LbaHigh = 0x1F5,
              Device = 0x1F6, Command = 0x1F7, Control = 0x3F6;
constexpr u8 Busy = 0x80, DataRequest = 0x08, Failed = 0x01, Abort = 0x04;
constexpr u64 Line = 14;
constexpr u64 IrqTimeout = 10'000'000; // 10 ms of virtual time
constexpr u64 MaxSectors = 64;

u16 g_buffer[MaxSectors][256];

[[noreturn]] void fail(char const* what, u64 detail) {
    print("disk_exercise: FAILED: %s (0x%lx)\n", what, detail);
    sys_exit(1);
}

// The drive's status once BSY is clear, polled on the alternate status port (which leaves INTRQ as it is).
u8 settle() {
    for (u64 i = 0; i < 1'000'000; ++i) {
        u8 const status = in8(Control);
        if ((status & Busy) == 0) return status;
    }
    fail("the drive stays busy", in8(Control));
}

// Waits for the drive's interrupt, reads the status (lowering INTRQ) and unmasks the line.
u8 interrupt(char const* step) {
    long const taken = sys_irq_wait(Line, IrqTimeout);
    if (taken <= 0) fail(step, static_cast<u64>(-taken));
    u8 const status = in8(Command);
    long const acked = sys_irq_ack(Line);
    if (acked < 0) fail("IrqAck", static_cast<u64>(-acked));
    return status;
}

void command(u8 code, u64 lba, u64 sectors) {
    settle();
    out8(Count, static_cast<u8>(sectors));
    out8(LbaLow, static_cast<u8>(lba));
    out8(LbaMid, static_cast<u8>(lba >> 8));
    out8(LbaHigh, static_cast<u8>(lba >> 16));
    out8(Device, static_cast<u8>(0xE0 | ((lba >> 24) & 0x0F))); // master, LBA
    out8(Command, code);
}

u16 pattern(u64 lba, u64 word) { return static_cast<u16>((lba * 0x9E37u) ^ (word * 0x2545u) ^ 0x5A5Au); }

} // namespace

int main(int argc, char** argv) {
    u64 sectors = 8;
    if (argc > 2 || (argc == 2 && (!parse_unsigned(argv[1], sectors) || sectors == 0 || sectors > MaxSectors)))
        usage(Usage);
    out8(Device, 0xE0);
    out8(Control, 0x00); // nIEN clear: the drive interrupts

    command(0xEC, 0, 0); // IDENTIFY DEVICE
    u8 status = interrupt("IDENTIFY: no interrupt");
    if ((status & (DataRequest | Failed)) != DataRequest) fail("IDENTIFY: status", status);
    u16 identify[256];
    in_words(Data, identify, 256);
    if ((identify[49] & 0x0200) == 0) fail("IDENTIFY: no LBA", identify[49]);
    u64 const total = identify[60] | (u64{identify[61]} << 16);
    if (total < sectors + 1) fail("IDENTIFY: the disk is too small", total);
    print("disk_exercise: %lu sectors\n", total);

    command(0x30, 1, sectors); // WRITE SECTORS: DRQ for the first sector without an interrupt
    for (u64 s = 0; s < sectors; ++s) {
        for (u64 w = 0; w < 256; ++w) g_buffer[s][w] = pattern(1 + s, w);
        status = s == 0 ? settle() : status;
        if ((status & (DataRequest | Failed)) != DataRequest) fail("WRITE: no DRQ", status);
        out_words(Data, g_buffer[s], 256);
        status = interrupt("WRITE: no interrupt");
    }
    if ((status & (Busy | DataRequest | Failed)) != 0) fail("WRITE: status at the end", status);

    command(0xE7, 0, 0); // FLUSH CACHE
    status = interrupt("FLUSH: no interrupt");
    if ((status & (Busy | DataRequest | Failed)) != 0) fail("FLUSH: status", status);

    command(0x20, 1, sectors); // READ SECTORS
    for (u64 s = 0; s < sectors; ++s) {
        status = interrupt("READ: no interrupt");
        if ((status & (DataRequest | Failed)) != DataRequest) fail("READ: status", status);
        in_words(Data, g_buffer[s], 256);
        for (u64 w = 0; w < 256; ++w)
            if (g_buffer[s][w] != pattern(1 + s, w)) fail("READ: data differs at sector", 1 + s);
    }
    if ((settle() & (DataRequest | Failed)) != 0) fail("READ: status at the end", in8(Control));

    command(0x20, total, 1); // past the last sector
    status = interrupt("READ past the end: no interrupt");
    if ((status & Failed) == 0 || (in8(Error) & Abort) == 0) fail("READ past the end: not refused", status);

    print("disk_exercise: wrote, flushed and read back %lu sectors\n", sectors);
    return 0;
}

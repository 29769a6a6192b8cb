#pragma once
#include <core/base/prng.hpp>
#include <sim/devices/device.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace grove::sim {

// An ATA disk on the primary channel of a PC (the model of QEMU's `-device isa-ide` with one drive, the master),
// driven by PIO: command block 0x1F0-0x1F7, control block 0x3F6, IRQ 14. Backed by a copy of an image in memory.
//
// Commands: IDENTIFY DEVICE (0xEC), READ SECTORS (0x20, 0x21), WRITE SECTORS (0x30, 0x31), both LBA28 only (bit 6 of
// the device register set; CHS is refused), and FLUSH CACHE (0xE7). Any other command, a transfer that runs past
// the last sector, or CHS addressing ends with ERR in the status and ABRT in the error register. A sector count of
// 0 means 256. Selecting the slave (bit 4 of the device register) selects no drive: its status reads 0 and
// commands to it are ignored.
//
// Status: BSY while a command works, DRDY when the drive can take a command, DRQ while the data port expects or
// holds a sector, ERR when the last command failed. Timing is virtual: a command is BSY for CommandTime before its
// first sector (or its completion), each further sector for SectorTime, a flush for FlushTime plus FlushSectorTime
// per sector it commits. With a timing seed (seeded timing), each of these latencies is drawn instead, every time
// it is used, uniformly from its bounds (Seek, Transfer, Flush and FlushSector below) by a generator of the disk's
// own, so that the seed governs the disk as it governs the rest of the run. The drive raises INTRQ (IRQ 14) when a sector is ready to read, when a written sector was
// taken and the next may come, and when a command ends (not before the first sector of a write, as the standard
// says); reading the status register (0x1F7) clears it, the alternate status (0x3F6) does not; nIEN (bit 1 of the
// device control register, 0x3F6) keeps it off the line. SRST (bit 2) resets the drive.
//
// Write cache: a written sector goes to the drive's cache; reads see it; FLUSH CACHE commits the cache to the
// image, sector after sector in ascending LBA order once its fixed latency has passed (FlushSector apiece). The image
// the run keeps (committed()) holds only flushed sectors: power is cut at the end of the run, and whatever was never
// flushed is lost. cut_power() cuts it during the run (the power-cut fault): the cache is lost, a flush under way
// has put the sectors whose time has passed on the medium and tears the one it is writing, and the drive comes back
// as at power-on.
class AtaDisk final : public Device {
public:
    static constexpr u16 CommandBlock = 0x1F0; // .. 0x1F7
    static constexpr u16 ControlBlock = 0x3F6;
    static constexpr u8 Line = 14;
    static constexpr u32 SectorSize = 512;
    static constexpr u64 MaxSectors = u64{1} << 28; // LBA28

    static constexpr Ticks CommandTime = Ticks(20'000);
    static constexpr Ticks SectorTime = Ticks(5'000);
    static constexpr Ticks FlushTime = Ticks(50'000);
    static constexpr Ticks FlushSectorTime = Ticks(2'000);

    // The bounds of the seeded latencies (inclusive; each holds the fixed one above): the seek before a command's
    // first sector, the transfer of each further sector, a flush and its cost per committed sector.
    struct LatencyBounds {
        Ticks least;
        Ticks most;
    };
    static constexpr LatencyBounds Seek{Ticks(5'000), Ticks(100'000)};
    static constexpr LatencyBounds Transfer{Ticks(2'000), Ticks(10'000)};
    static constexpr LatencyBounds Flush{Ticks(20'000), Ticks(200'000)};
    static constexpr LatencyBounds FlushSector{Ticks(1'000), Ticks(4'000)};

    // Status and error bits.
    static constexpr u8 StatusBusy = 0x80, StatusReady = 0x40, StatusSeekDone = 0x10, StatusDataRequest = 0x08,
                        StatusError = 0x01;
    static constexpr u8 ErrorAbort = 0x04;
    static constexpr u8 ControlNoInterrupt = 0x02, ControlReset = 0x04;
    static constexpr u8 DeviceLba = 0x40, DeviceSlave = 0x10;
    static constexpr u8 CommandIdentify = 0xEC, CommandRead = 0x20, CommandReadNoRetry = 0x21, CommandWrite = 0x30,
                        CommandWriteNoRetry = 0x31, CommandFlush = 0xE7;

    // `image`: a whole number of sectors, at least one and at most MaxSectors (the caller checked). Without
    // `timing_seed` the latencies are the fixed ones; with it they are drawn from their bounds by a generator
    // seeded with it.
    AtaDisk(std::vector<std::uint8_t> image, InterruptController& interrupts,
            std::optional<u64> timing_seed = std::nullopt);

    char const* name() const override { return "ata"; }
    std::vector<IoPortRange> ports() const override;
    u32 read_port(u16 port, u8 size, Ticks now) override;
    void write_port(u16 port, u8 size, u32 value, Ticks now) override;
    Ticks next_event() const override { return m_event_at; }
    void advance_to(Ticks now) override;

    u64 sectors() const { return m_image.size() / SectorSize; }
    // The image as flushed: what survives a power cut.
    std::vector<std::uint8_t> const& committed() const { return m_image; }
    // Sectors written but not flushed.
    usize dirty_sectors() const { return m_cache.size(); }
    // Power fails at `now`: what was due before happens first; a flush under way has put every sector whose
    // FlushSector time has passed on the medium, and the sector it is writing gets its first `tear` bytes (at most
    // SectorSize) over the old ones; the rest of the cache is lost. Then the drive is as at power-on: idle, no
    // interrupt pending, the device control register 0.
    void cut_power(u32 tear, Ticks now);
    // The 256 words IDENTIFY DEVICE returns.
    std::array<std::uint16_t, 256> identify() const;

private:
    enum class Step : u8 { None, IdentifyReady, ReadReady, WriteReady, WriteStored, FlushDone, Abort };
    enum class Phase : u8 { Idle, DataIn, DataOut };
    using Sector = std::array<std::uint8_t, SectorSize>;

    void command(u8 code, Ticks now);
    // The next latency of each kind: the fixed one, or one drawn from its bounds under seeded timing.
    Ticks latency(Ticks fixed, LatencyBounds bounds);
    Ticks seek_time() { return latency(CommandTime, Seek); }
    Ticks transfer_time() { return latency(SectorTime, Transfer); }
    void schedule(Step step, Ticks at);
    void run_step(Step step, Ticks at);
    void finish(u8 status);
    void interrupt();
    void reset();
    void load_sector(u32 lba);
    bool slave_selected() const { return (m_device & DeviceSlave) != 0; }
    u8 data_byte_in(Ticks now);
    void data_byte_out(std::uint8_t byte, Ticks now);

    std::vector<std::uint8_t> m_image;
    std::map<u32, Sector> m_cache;
    InterruptController& m_interrupts;
    std::optional<Prng> m_timing; // the draws of seeded timing; empty for the fixed latencies

    u8 m_features = 0, m_count = 0, m_lba_low = 0, m_lba_mid = 0, m_lba_high = 0, m_device = 0, m_control = 0;
    u8 m_status = StatusReady | StatusSeekDone;
    u8 m_error = 0;
    bool m_intrq = false;

    u8 m_command = 0;
    u32 m_lba = 0;       // the sector being transferred
    u32 m_remaining = 0; // sectors left, that one included
    Phase m_phase = Phase::Idle;
    Sector m_buffer{};
    u32 m_position = 0; // bytes of m_buffer transferred
    Step m_step = Step::None;
    Ticks m_event_at = Ticks::max();
    Ticks m_flush_writes_from{};  // a flush under way: when its first sector reaches the medium
    Ticks m_flush_sector_time{1}; // and how long each one takes
};

} // namespace grove::sim

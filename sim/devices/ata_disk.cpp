#include <sim/devices/ata_disk.hpp>

#include <core/base/assert.hpp>
#include <sim/devices/interrupt_controller.hpp>

#include <cstring>

namespace grove::sim {

namespace {

// ATA strings: two characters per word, the first in the high byte, padded with spaces.
void put_string(std::array<std::uint16_t, 256>& words, usize first, usize count, char const* text) {
    usize const length = std::strlen(text);
    for (usize i = 0; i < count; ++i) {
        auto const high = static_cast<std::uint8_t>(2 * i < length ? text[2 * i] : ' ');
        auto const low = static_cast<std::uint8_t>(2 * i + 1 < length ? text[2 * i + 1] : ' ');
        words[first + i] = static_cast<std::uint16_t>((high << 8) | low);
    }
}

} // namespace

AtaDisk::AtaDisk(std::vector<std::uint8_t> image, InterruptController& interrupts, std::optional<u64> timing_seed)
    : m_image(std::move(image)), m_interrupts(interrupts) {
    GROVE_ASSERT(!m_image.empty() && m_image.size() % SectorSize == 0 && sectors() <= MaxSectors);
    if (timing_seed) m_timing.emplace(*timing_seed);
    reset();
}

Ticks AtaDisk::latency(Ticks fixed, LatencyBounds bounds) {
    if (!m_timing) return fixed;
    return Ticks(bounds.least.value + m_timing->below(bounds.most.value - bounds.least.value + 1));
}

std::vector<IoPortRange> AtaDisk::ports() const {
    return {IoPortRange{CommandBlock, CommandBlock + 7}, IoPortRange{ControlBlock, ControlBlock}};
}

std::array<std::uint16_t, 256> AtaDisk::identify() const {
    std::array<std::uint16_t, 256> w{};
    auto const total = static_cast<u32>(sectors());
    w[0] = 0x0040; // fixed disk
    w[1] = static_cast<std::uint16_t>(total / (16 * 63) > 16383 ? 16383 : total / (16 * 63));
    w[3] = 16;
    w[6] = 63;
    put_string(w, 10, 10, "GROVE-SIM-0001");
    put_string(w, 23, 4, "1.0");
    put_string(w, 27, 20, "GROVE SIMULATED ATA DISK");
    w[47] = 0x8000;
    w[49] = 0x0200; // LBA
    w[60] = static_cast<std::uint16_t>(total & 0xFFFF);
    w[61] = static_cast<std::uint16_t>(total >> 16);
    w[80] = 0x007E;          // ATA-1 .. ATA-6
    w[82] = 0x0020;          // write cache
    w[83] = 0x4000 | 0x1000; // FLUSH CACHE
    w[84] = 0x4000;
    w[85] = 0x0020; // write cache enabled
    w[86] = 0x1000;
    w[87] = 0x4000;
    return w;
}

void AtaDisk::reset() {
    // The write cache survives a reset: only power loses it.
    m_error = 0x01; // diagnostic: no error
    m_count = 1;
    m_lba_low = 1;
    m_lba_mid = 0;
    m_lba_high = 0;
    m_device = 0;
    m_status = StatusReady | StatusSeekDone;
    m_phase = Phase::Idle;
    m_position = 0;
    m_remaining = 0;
    m_step = Step::None;
    m_event_at = Ticks::max();
    m_intrq = false;
}

void AtaDisk::interrupt() {
    m_intrq = true;
    if ((m_control & ControlNoInterrupt) == 0) m_interrupts.raise(Line);
}

void AtaDisk::schedule(Step step, Ticks at) {
    m_step = step;
    m_event_at = at;
}

void AtaDisk::finish(u8 status) {
    m_status = status;
    m_phase = Phase::Idle;
    interrupt();
}

void AtaDisk::load_sector(u32 lba) {
    auto const cached = m_cache.find(lba);
    if (cached != m_cache.end()) m_buffer = cached->second;
    else std::memcpy(m_buffer.data(), m_image.data() + u64{lba} * SectorSize, SectorSize);
    m_position = 0;
}

void AtaDisk::command(u8 code, Ticks now) {
    if (slave_selected() || (m_status & StatusBusy) != 0) return; // no drive there; a busy drive ignores it
    m_command = code;
    m_error = 0;
    m_intrq = false;
    m_phase = Phase::Idle;
    m_status = StatusBusy;
    switch (code) {
    case CommandIdentify: schedule(Step::IdentifyReady, now + seek_time()); return;
    case CommandRead:
    case CommandReadNoRetry:
    case CommandWrite:
    case CommandWriteNoRetry: {
        m_lba =
            (u32{static_cast<u8>(m_device & 0x0F)} << 24) | (u32{m_lba_high} << 16) | (u32{m_lba_mid} << 8) | m_lba_low;
        m_remaining = m_count == 0 ? 256 : m_count;
        bool const fits = u64{m_lba} + m_remaining <= sectors();
        if ((m_device & DeviceLba) == 0 || !fits) {
            schedule(Step::Abort, now + seek_time());
            return;
        }
        bool const is_read = code == CommandRead || code == CommandReadNoRetry;
        schedule(is_read ? Step::ReadReady : Step::WriteReady, now + (is_read ? seek_time() : transfer_time()));
        return;
    }
    case CommandFlush: {
        Ticks const flush = latency(FlushTime, Flush);
        m_flush_writes_from = now + flush;
        m_flush_sector_time = latency(FlushSectorTime, FlushSector);
        schedule(Step::FlushDone, m_flush_writes_from + Ticks(m_flush_sector_time.value * m_cache.size()));
        return;
    }
    default: schedule(Step::Abort, now + transfer_time()); return;
    }
}

void AtaDisk::advance_to(Ticks now) {
    while (m_event_at <= now) {
        Step const step = m_step;
        Ticks const at = m_event_at;
        m_step = Step::None;
        m_event_at = Ticks::max();
        run_step(step, at);
    }
}

void AtaDisk::run_step(Step step, Ticks) {
    switch (step) {
    case Step::None: return;
    case Step::IdentifyReady: {
        std::array<std::uint16_t, 256> const words = identify();
        for (usize i = 0; i < words.size(); ++i) {
            m_buffer[2 * i] = static_cast<std::uint8_t>(words[i] & 0xFF);
            m_buffer[2 * i + 1] = static_cast<std::uint8_t>(words[i] >> 8);
        }
        m_position = 0;
        m_remaining = 1;
        m_phase = Phase::DataIn;
        m_status = StatusReady | StatusSeekDone | StatusDataRequest;
        interrupt();
        return;
    }
    case Step::ReadReady:
        load_sector(m_lba);
        m_phase = Phase::DataIn;
        m_status = StatusReady | StatusSeekDone | StatusDataRequest;
        interrupt();
        return;
    case Step::WriteReady: // the first sector of a write: DRQ without an interrupt
        m_position = 0;
        m_phase = Phase::DataOut;
        m_status = StatusReady | StatusSeekDone | StatusDataRequest;
        return;
    case Step::WriteStored:
        m_cache[m_lba] = m_buffer;
        ++m_lba;
        --m_remaining;
        if (m_remaining == 0) {
            finish(StatusReady | StatusSeekDone);
            return;
        }
        m_position = 0;
        m_phase = Phase::DataOut;
        m_status = StatusReady | StatusSeekDone | StatusDataRequest;
        interrupt();
        return;
    case Step::FlushDone:
        for (auto const& [lba, sector] : m_cache)
            std::memcpy(m_image.data() + u64{lba} * SectorSize, sector.data(), SectorSize);
        m_cache.clear();
        finish(StatusReady | StatusSeekDone);
        return;
    case Step::Abort:
        m_error = ErrorAbort;
        finish(StatusReady | StatusSeekDone | StatusError);
        return;
    }
}

void AtaDisk::cut_power(u32 tear, Ticks now) {
    advance_to(now);
    if (m_step == Step::FlushDone && now >= m_flush_writes_from) {
        u64 const written = (now - m_flush_writes_from).value / m_flush_sector_time.value;
        auto sector = m_cache.begin();
        for (u64 i = 0; i < written && sector != m_cache.end(); ++i, ++sector)
            std::memcpy(m_image.data() + u64{sector->first} * SectorSize, sector->second.data(), SectorSize);
        if (sector != m_cache.end())
            std::memcpy(m_image.data() + u64{sector->first} * SectorSize, sector->second.data(),
                        tear < SectorSize ? tear : SectorSize);
    }
    m_cache.clear();
    m_control = 0;
    reset();
}

u8 AtaDisk::data_byte_in(Ticks now) {
    if (m_phase != Phase::DataIn) return 0xFF;
    u8 const byte = m_buffer[m_position++];
    if (m_position < SectorSize) return byte;
    --m_remaining;
    if (m_command == CommandIdentify || m_remaining == 0) {
        m_status = StatusReady | StatusSeekDone;
        m_phase = Phase::Idle;
        return byte;
    }
    ++m_lba;
    m_phase = Phase::Idle;
    m_status = StatusBusy;
    schedule(Step::ReadReady, now + transfer_time());
    return byte;
}

void AtaDisk::data_byte_out(std::uint8_t byte, Ticks now) {
    if (m_phase != Phase::DataOut) return;
    m_buffer[m_position++] = byte;
    if (m_position < SectorSize) return;
    m_phase = Phase::Idle;
    m_status = StatusBusy;
    schedule(Step::WriteStored, now + transfer_time());
}

u32 AtaDisk::read_port(u16 port, u8 size, Ticks now) {
    if (port == CommandBlock) {
        u32 value = 0;
        for (u8 i = 0; i < size; ++i) value |= u32{data_byte_in(now)} << (8 * i);
        return value;
    }
    u32 const ones_above = size == 1 ? 0 : (size >= 4 ? ~u32{0xFF} : 0xFF00); // an 8-bit register on a wider read
    switch (port) {
    case CommandBlock + 1: return ones_above | m_error;
    case CommandBlock + 2: return ones_above | m_count;
    case CommandBlock + 3: return ones_above | m_lba_low;
    case CommandBlock + 4: return ones_above | m_lba_mid;
    case CommandBlock + 5: return ones_above | m_lba_high;
    case CommandBlock + 6: return ones_above | m_device;
    case CommandBlock + 7:
        if (slave_selected()) return ones_above;
        m_intrq = false;
        return ones_above | m_status;
    case ControlBlock: return ones_above | (slave_selected() ? 0 : m_status);
    default: return (size >= 4) ? ~u32{0} : (u32{1} << (8 * size)) - 1;
    }
}

void AtaDisk::write_port(u16 port, u8 size, u32 value, Ticks now) {
    auto const byte = static_cast<u8>(value & 0xFF);
    if (port == CommandBlock) {
        for (u8 i = 0; i < size; ++i) data_byte_out(static_cast<std::uint8_t>(value >> (8 * i)), now);
        return;
    }
    if (port == ControlBlock) {
        bool const was_resetting = (m_control & ControlReset) != 0;
        m_control = byte;
        if ((byte & ControlReset) != 0) m_status = StatusBusy;
        else if (was_resetting) reset();
        return;
    }
    if ((m_status & StatusBusy) != 0 && port != CommandBlock + 7) return; // registers are the drive's while busy
    switch (port) {
    case CommandBlock + 1: m_features = byte; return;
    case CommandBlock + 2: m_count = byte; return;
    case CommandBlock + 3: m_lba_low = byte; return;
    case CommandBlock + 4: m_lba_mid = byte; return;
    case CommandBlock + 5: m_lba_high = byte; return;
    case CommandBlock + 6: m_device = byte; return;
    case CommandBlock + 7: command(byte, now); return;
    default: return;
    }
}

} // namespace grove::sim

#pragma once
#include <worldtree/format/block_device.hpp>

#include <cstring>
#include <vector>

namespace grove::worldtree::testing {

// A disk with a volatile write cache: writes are visible to reads at once but reach the medium only at a flush.
// power_cut_at(n) makes the n-th write call (counted from then) the one during which power fails: every unflushed
// write is lost, the sectors of that call before its last reach the medium, and its last sector is torn (its first
// `tear` bytes new, the rest old). After a cut every call fails until restart(), which keeps only the medium.
class SimulatedDisk final : public BlockDevice {
public:
    explicit SimulatedDisk(u64 sectors) : m_medium(sectors * SectorSize), m_view(m_medium) {}

    u64 sector_count() const override { return m_medium.size() / SectorSize; }
    bool read(u64 lba, u32 count, void* buffer) override {
        if (m_dead || !in_range(lba, count)) return false;
        std::memcpy(buffer, m_view.data() + lba * SectorSize, usize(count) * SectorSize);
        return true;
    }
    bool write(u64 lba, u32 count, void const* buffer) override {
        if (m_dead || !in_range(lba, count)) return false;
        ++m_writes;
        if (m_cut_at != 0 && m_writes == m_cut_at) {
            auto const* bytes = static_cast<u8 const*>(buffer);
            std::memcpy(m_medium.data() + lba * SectorSize, bytes, usize(count - 1) * SectorSize);
            u64 last = (lba + count - 1) * SectorSize;
            std::memcpy(m_medium.data() + last, bytes + usize(count - 1) * SectorSize, m_tear);
            m_view = m_medium;
            m_dead = true;
            return false;
        }
        std::memcpy(m_view.data() + lba * SectorSize, buffer, usize(count) * SectorSize);
        return true;
    }
    bool flush() override {
        if (m_dead) return false;
        m_medium = m_view;
        return true;
    }

    void power_cut_at(u64 write_number, usize tear) {
        m_cut_at = m_writes + write_number;
        m_tear = tear;
    }
    void restart() {
        m_view = m_medium;
        m_dead = false;
        m_cut_at = 0;
    }
    bool is_dead() const { return m_dead; }
    u64 writes() const { return m_writes; }
    std::vector<u8>& medium() { return m_medium; }
    // Replaces medium and view, as a fresh disk holding `image`.
    void load(std::vector<u8> image) {
        m_medium = std::move(image);
        m_view = m_medium;
    }

private:
    bool in_range(u64 lba, u32 count) const { return lba <= sector_count() && count <= sector_count() - lba; }

    std::vector<u8> m_medium;
    std::vector<u8> m_view;
    u64 m_writes = 0;
    u64 m_cut_at = 0;
    usize m_tear = 0;
    bool m_dead = false;
};

} // namespace grove::worldtree::testing

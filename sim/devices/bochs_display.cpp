#include <sim/devices/bochs_display.hpp>

#include <algorithm>

namespace grove::sim {

using x86::bochs::Register;

namespace {
constexpr u16 index_of(Register r) { return static_cast<u16>(r); }
} // namespace

BochsDisplay::BochsDisplay() {
    m_registers[index_of(Register::Id)] = x86::bochs::IdLatest;
    m_registers[index_of(Register::Bpp)] = 8;
    m_registers[index_of(Register::VideoMemory64K)] = static_cast<u16>(x86::bochs::FramebufferSize >> 16);
}

std::vector<IoPortRange> BochsDisplay::ports() const {
    return {IoPortRange{x86::bochs::IndexPort, x86::bochs::DataPortAlias}};
}

std::vector<PhysicalRange> BochsDisplay::regions() const {
    return {PhysicalRange{PhysAddr{x86::bochs::LegacyWindowBase}, Bytes(x86::bochs::LegacyWindowSize)},
            PhysicalRange{PhysAddr{x86::bochs::FramebufferBase}, Bytes(x86::bochs::FramebufferSize)}};
}

u32 BochsDisplay::read_port(u16 port, u8 size, Ticks) {
    u16 const value = port == x86::bochs::IndexPort ? m_index : m_index < m_registers.size() ? m_registers[m_index] : 0;
    return size == 1 ? value & 0xFFu : value;
}

void BochsDisplay::write_port(u16 port, u8 size, u32 value, Ticks) {
    u16 const word = static_cast<u16>(size == 1 ? value & 0xFFu : value & 0xFFFFu);
    if (port == x86::bochs::IndexPort) m_index = word;
    else write_register(m_index, word);
}

void BochsDisplay::write_register(u16 index, u16 value) {
    switch (static_cast<Register>(index)) {
    case Register::Id:
    case Register::VideoMemory64K: return; // read-only here
    case Register::Bpp:
        m_registers[index] = (value == 8 || value == 15 || value == 16 || value == 24 || value == 32) ? value : 8;
        return;
    case Register::Enable: {
        bool const was_on = (m_registers[index] & x86::bochs::EnableOn) != 0;
        m_registers[index] = value;
        if ((value & x86::bochs::EnableOn) == 0 || was_on) return;
        m_registers[index_of(Register::VirtWidth)] = m_registers[index_of(Register::XRes)];
        m_registers[index_of(Register::XOffset)] = 0;
        m_registers[index_of(Register::YOffset)] = 0;
        if ((value & x86::bochs::EnableNoClear) != 0) return;
        x86::bochs::Picture const p{0, 0, m_registers[index_of(Register::Bpp)], m_registers[index_of(Register::XRes)]};
        u64 const cleared =
            std::min<u64>(u64{m_registers[index_of(Register::YRes)]} * p.line_bytes(), m_framebuffer.size());
        std::fill(m_framebuffer.begin(), m_framebuffer.begin() + static_cast<std::ptrdiff_t>(cleared), 0);
        return;
    }
    case Register::XRes:
    case Register::YRes:
    case Register::Bank:
    case Register::VirtWidth:
    case Register::VirtHeight:
    case Register::XOffset:
    case Register::YOffset: m_registers[index] = value; return;
    }
    // An index past the registers: ignored.
}

BochsDisplay::Memory BochsDisplay::memory_at(u64 address) {
    if (address >= x86::bochs::FramebufferBase)
        return {&m_framebuffer, address - x86::bochs::FramebufferBase, x86::bochs::FramebufferSize};
    return {&m_legacy, address - x86::bochs::LegacyWindowBase, x86::bochs::LegacyWindowSize};
}

u64 BochsDisplay::read_memory(u64 address, u8 size, Ticks) {
    Memory const m = memory_at(address);
    u64 value = 0;
    for (u8 i = 0; i < size; ++i) {
        u64 const at = m.offset + i;
        value |= u64{at < m.bytes->size() ? (*m.bytes)[at] : u8{0}} << (8 * i);
    }
    return value;
}

void BochsDisplay::write_memory(u64 address, u8 size, u64 value, Ticks) {
    Memory const m = memory_at(address);
    if (m.offset + size > m.size) return;
    if (m.bytes->size() < m.offset + size) m.bytes->resize(m.offset + size, 0);
    for (u8 i = 0; i < size; ++i) (*m.bytes)[m.offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

std::optional<x86::bochs::Picture> BochsDisplay::picture() const {
    u16 const enable = m_registers[index_of(Register::Enable)];
    u16 constexpr Needed = x86::bochs::EnableOn | x86::bochs::EnableLinearFramebuffer;
    if ((enable & Needed) != Needed) return std::nullopt;
    x86::bochs::Picture const p{m_registers[index_of(Register::XRes)],    m_registers[index_of(Register::YRes)],
                                m_registers[index_of(Register::Bpp)],     m_registers[index_of(Register::VirtWidth)],
                                m_registers[index_of(Register::XOffset)], m_registers[index_of(Register::YOffset)]};
    if (!p.is_shown()) return std::nullopt;
    return p;
}

std::optional<u64> BochsDisplay::picture_hash() const {
    std::optional<x86::bochs::Picture> const p = picture();
    if (!p) return std::nullopt;
    return x86::bochs::picture_hash(*p, [this](u64 offset) { return byte_at(offset); });
}

} // namespace grove::sim

#pragma once
#include <core/base/std.hpp>

// The ELF64 file format as far as grove images need it (System V gABI and the x86_64 psABI): constants, the
// decoded forms of the header, program header, section header and symbol, and little-endian decoding. Decoding
// reads byte by byte, so it neither depends on the host's byte order nor on the alignment of the file in memory.
namespace grove::elf {

inline constexpr u8 Magic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr usize IdentClass = 4;
inline constexpr usize IdentData = 5;
inline constexpr usize IdentVersion = 6;
inline constexpr usize IdentOsAbi = 7;
inline constexpr usize IdentSize = 16;

inline constexpr u8 Class64 = 2;
inline constexpr u8 DataLittleEndian = 1;
inline constexpr u8 CurrentVersion = 1;
inline constexpr u8 OsAbiSystemV = 0;
inline constexpr u8 OsAbiGnu = 3;

inline constexpr u16 TypeExecutable = 2; // ET_EXEC
inline constexpr u16 TypeShared = 3;     // ET_DYN
inline constexpr u16 MachineX86_64 = 62; // EM_X86_64

inline constexpr usize HeaderSize = 64;
inline constexpr usize ProgramHeaderSize = 56;
inline constexpr usize SectionHeaderSize = 64;
inline constexpr usize SymbolSize = 24;

inline constexpr u32 SegmentLoad = 1;        // PT_LOAD
inline constexpr u32 SegmentDynamic = 2;     // PT_DYNAMIC
inline constexpr u32 SegmentInterpreter = 3; // PT_INTERP

inline constexpr u32 FlagExecute = 1; // PF_X
inline constexpr u32 FlagWrite = 2;   // PF_W
inline constexpr u32 FlagRead = 4;    // PF_R

inline constexpr u32 SectionSymbolTable = 2; // SHT_SYMTAB
inline constexpr u32 SectionStringTable = 3; // SHT_STRTAB

inline constexpr u16 SectionUndefined = 0; // SHN_UNDEF
inline constexpr u8 SymbolNoType = 0;      // STT_NOTYPE
inline constexpr u8 SymbolObject = 1;      // STT_OBJECT
inline constexpr u8 SymbolFunction = 2;    // STT_FUNC

struct Header {
    u8 ident[IdentSize]{};
    u16 type = 0;
    u16 machine = 0;
    u32 version = 0;
    u64 entry = 0;
    u64 program_header_offset = 0;
    u64 section_header_offset = 0;
    u32 flags = 0;
    u16 header_size = 0;
    u16 program_header_size = 0;
    u16 program_header_count = 0;
    u16 section_header_size = 0;
    u16 section_header_count = 0;
    u16 section_names_index = 0;
};

struct ProgramHeader {
    u32 type = 0;
    u32 flags = 0;
    u64 offset = 0;
    u64 virtual_address = 0;
    u64 physical_address = 0;
    u64 file_size = 0;
    u64 memory_size = 0;
    u64 alignment = 0;
};

struct SectionHeader {
    u32 name = 0;
    u32 type = 0;
    u64 flags = 0;
    u64 address = 0;
    u64 offset = 0;
    u64 size = 0;
    u32 link = 0;
    u32 info = 0;
    u64 alignment = 0;
    u64 entry_size = 0;
};

struct Symbol {
    u32 name = 0;
    u8 info = 0;
    u8 other = 0;
    u16 section = 0;
    u64 value = 0;
    u64 size = 0;

    constexpr u8 type() const { return static_cast<u8>(info & 0xf); }
};

// `width` little-endian bytes at `offset`. The caller guarantees offset + width <= bytes.size and width <= 8.
constexpr u64 read_le(Span<u8 const> bytes, usize offset, usize width) {
    u64 value = 0;
    for (usize i = 0; i < width; ++i) value |= u64{bytes[offset + i]} << (8 * i);
    return value;
}
constexpr u16 read_u16(Span<u8 const> bytes, usize offset) { return static_cast<u16>(read_le(bytes, offset, 2)); }
constexpr u32 read_u32(Span<u8 const> bytes, usize offset) { return static_cast<u32>(read_le(bytes, offset, 4)); }
constexpr u64 read_u64(Span<u8 const> bytes, usize offset) { return read_le(bytes, offset, 8); }

// Whether `count` entries of `entry_size` bytes from `offset` lie inside a file of `file_size` bytes, with every
// product and sum checked for overflow.
constexpr bool table_in_file(u64 file_size, u64 offset, u64 count, u64 entry_size) {
    u64 length = 0;
    u64 end = 0;
    if (__builtin_mul_overflow(count, entry_size, &length)) return false;
    if (__builtin_add_overflow(offset, length, &end)) return false;
    return end <= file_size;
}

// The decoders: the caller guarantees the whole structure at `offset` lies inside `bytes`.
constexpr Header decode_header(Span<u8 const> bytes) {
    Header h;
    for (usize i = 0; i < IdentSize; ++i) h.ident[i] = bytes[i];
    h.type = read_u16(bytes, 16);
    h.machine = read_u16(bytes, 18);
    h.version = read_u32(bytes, 20);
    h.entry = read_u64(bytes, 24);
    h.program_header_offset = read_u64(bytes, 32);
    h.section_header_offset = read_u64(bytes, 40);
    h.flags = read_u32(bytes, 48);
    h.header_size = read_u16(bytes, 52);
    h.program_header_size = read_u16(bytes, 54);
    h.program_header_count = read_u16(bytes, 56);
    h.section_header_size = read_u16(bytes, 58);
    h.section_header_count = read_u16(bytes, 60);
    h.section_names_index = read_u16(bytes, 62);
    return h;
}

constexpr ProgramHeader decode_program_header(Span<u8 const> bytes, usize offset) {
    ProgramHeader p;
    p.type = read_u32(bytes, offset + 0);
    p.flags = read_u32(bytes, offset + 4);
    p.offset = read_u64(bytes, offset + 8);
    p.virtual_address = read_u64(bytes, offset + 16);
    p.physical_address = read_u64(bytes, offset + 24);
    p.file_size = read_u64(bytes, offset + 32);
    p.memory_size = read_u64(bytes, offset + 40);
    p.alignment = read_u64(bytes, offset + 48);
    return p;
}

constexpr SectionHeader decode_section_header(Span<u8 const> bytes, usize offset) {
    SectionHeader s;
    s.name = read_u32(bytes, offset + 0);
    s.type = read_u32(bytes, offset + 4);
    s.flags = read_u64(bytes, offset + 8);
    s.address = read_u64(bytes, offset + 16);
    s.offset = read_u64(bytes, offset + 24);
    s.size = read_u64(bytes, offset + 32);
    s.link = read_u32(bytes, offset + 40);
    s.info = read_u32(bytes, offset + 44);
    s.alignment = read_u64(bytes, offset + 48);
    s.entry_size = read_u64(bytes, offset + 56);
    return s;
}

constexpr Symbol decode_symbol(Span<u8 const> bytes, usize offset) {
    Symbol s;
    s.name = read_u32(bytes, offset + 0);
    s.info = bytes[offset + 4];
    s.other = bytes[offset + 5];
    s.section = read_u16(bytes, offset + 6);
    s.value = read_u64(bytes, offset + 8);
    s.size = read_u64(bytes, offset + 16);
    return s;
}

} // namespace grove::elf

#pragma once
// Builds ELF64 files in memory for the loader's tests: a header, a program header table, the segments' bytes and,
// when symbols are added, a symbol table with its string table and a section header table at the end (where GNU ld
// puts it). Every field is a public member so that a test can break exactly one thing before build().
#include <core/base/units.hpp>
#include <core/elf/elf_format.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grove::testing {

class ElfBuilder {
public:
    struct Segment {
        u32 type = elf::SegmentLoad;
        u32 flags = elf::FlagRead;
        u64 address = 0;
        std::vector<u8> bytes; // the file bytes
        u64 memory_size = 0;   // 0: as many as the file bytes
        u64 alignment = PageSize;
        std::optional<u64> offset; // default: the next offset after what is written, congruent to the address
    };
    struct SymbolSpec {
        std::string name;
        u64 address = 0;
        u64 size = 0;
        u8 type = elf::SymbolFunction;
        u16 section = 1;
    };

    // Header fields, valid by default.
    u8 ident_class = elf::Class64;
    u8 ident_data = elf::DataLittleEndian;
    u8 ident_version = elf::CurrentVersion;
    u8 ident_os_abi = elf::OsAbiSystemV;
    u16 type = elf::TypeExecutable;
    u16 machine = elf::MachineX86_64;
    u32 version = elf::CurrentVersion;
    u64 entry = 0;
    u16 header_size = elf::HeaderSize;
    u16 program_header_size = elf::ProgramHeaderSize;
    std::optional<u16> program_header_count;
    std::optional<u64> program_header_offset;
    u16 section_header_size = elf::SectionHeaderSize;

    std::vector<Segment> segments;
    std::vector<SymbolSpec> symbols;

    // A static executable as GNU ld lays one out: read-only data, code, and data with a zero-filled tail, each on
    // pages of its own; the entry is the start of the code.
    static ElfBuilder typical() {
        ElfBuilder b;
        b.entry = 0x401000;
        b.add(elf::FlagRead, 0x400000, filled(0x40, 0x11));
        b.add(elf::FlagRead | elf::FlagExecute, 0x401000, filled(0x100, 0xc3));
        b.add(elf::FlagRead | elf::FlagWrite, 0x402000, filled(0x20, 0x22), 0x1800);
        return b;
    }

    Segment& add(u32 flags, u64 address, std::vector<u8> bytes, u64 memory_size = 0) {
        Segment s;
        s.flags = flags;
        s.address = address;
        s.bytes = std::move(bytes);
        s.memory_size = memory_size;
        segments.push_back(std::move(s));
        return segments.back();
    }

    static std::vector<u8> filled(usize size, u8 value) { return std::vector<u8>(size, value); }

    // The file. Segment bytes start after the program header table, each at the next offset congruent to its
    // address modulo its alignment (or at its given offset).
    std::vector<u8> build() const {
        std::vector<u8> file(elf::HeaderSize + segments.size() * elf::ProgramHeaderSize, 0);
        std::vector<u64> offsets;
        for (Segment const& s : segments) {
            u64 offset = file.size();
            if (s.offset) {
                offset = *s.offset;
            } else if (s.alignment > 1) {
                u64 const mask = s.alignment - 1;
                offset = (offset & ~mask) | (s.address & mask);
                if (offset < file.size()) offset += s.alignment;
            }
            if (file.size() < offset + s.bytes.size()) file.resize(offset + s.bytes.size(), 0);
            std::copy(s.bytes.begin(), s.bytes.end(), file.begin() + static_cast<std::ptrdiff_t>(offset));
            offsets.push_back(offset);
        }
        u64 section_offset = 0;
        u16 section_count = 0;
        if (!symbols.empty()) append_sections(file, section_offset, section_count);

        u8 const ident[elf::IdentSize] = {0x7f, 'E', 'L', 'F', ident_class, ident_data, ident_version, ident_os_abi};
        std::copy(std::begin(ident), std::end(ident), file.begin());
        put(file, 16, type, 2);
        put(file, 18, machine, 2);
        put(file, 20, version, 4);
        put(file, 24, entry, 8);
        put(file, 32, program_header_offset.value_or(elf::HeaderSize), 8);
        put(file, 40, section_offset, 8);
        put(file, 52, header_size, 2);
        put(file, 54, program_header_size, 2);
        put(file, 56, program_header_count.value_or(static_cast<u16>(segments.size())), 2);
        put(file, 58, section_header_size, 2);
        put(file, 60, section_count, 2);
        put(file, 62, section_count == 0 ? 0 : section_count - 1, 2);
        for (usize i = 0; i < segments.size(); ++i) {
            Segment const& s = segments[i];
            usize const at = elf::HeaderSize + i * elf::ProgramHeaderSize;
            put(file, at + 0, s.type, 4);
            put(file, at + 4, s.flags, 4);
            put(file, at + 8, offsets[i], 8);
            put(file, at + 16, s.address, 8);
            put(file, at + 24, s.address, 8);
            put(file, at + 32, s.bytes.size(), 8);
            put(file, at + 40, s.memory_size == 0 ? s.bytes.size() : s.memory_size, 8);
            put(file, at + 48, s.alignment, 8);
        }
        return file;
    }

    static void put(std::vector<u8>& file, usize at, u64 value, usize width) {
        for (usize i = 0; i < width; ++i) file[at + i] = static_cast<u8>(value >> (8 * i));
    }

    // Offsets of the sections build() appends when there are symbols: 0 null, 1 .symtab, 2 .strtab, 3 .shstrtab.
    static constexpr u16 SymbolTableSection = 1;
    static constexpr u16 StringTableSection = 2;

private:
    void append_sections(std::vector<u8>& file, u64& section_offset, u16& section_count) const {
        std::vector<u8> strings(1, 0);
        std::vector<u8> table(elf::SymbolSize, 0); // the null symbol
        for (SymbolSpec const& s : symbols) {
            usize const at = table.size();
            table.resize(at + elf::SymbolSize, 0);
            put(table, at + 0, strings.size(), 4);
            table[at + 4] = static_cast<u8>(0x10 | s.type); // STB_GLOBAL
            put(table, at + 6, s.section, 2);
            put(table, at + 8, s.address, 8);
            put(table, at + 16, s.size, 8);
            strings.insert(strings.end(), s.name.begin(), s.name.end());
            strings.push_back(0);
        }
        std::string const names("\0.symtab\0.strtab\0.shstrtab\0", 27);
        u64 const table_offset = align_up(file.size(), 8);
        file.resize(table_offset, 0);
        file.insert(file.end(), table.begin(), table.end());
        u64 const strings_offset = file.size();
        file.insert(file.end(), strings.begin(), strings.end());
        u64 const names_offset = file.size();
        file.insert(file.end(), names.begin(), names.end());
        section_offset = align_up(file.size(), 8);
        section_count = 4;
        file.resize(section_offset + section_count * elf::SectionHeaderSize, 0);
        auto section = [&](usize index, u32 name, u32 kind, u64 offset, u64 size, u32 link, u64 entry_size) {
            usize const at = section_offset + index * elf::SectionHeaderSize;
            put(file, at + 0, name, 4);
            put(file, at + 4, kind, 4);
            put(file, at + 24, offset, 8);
            put(file, at + 32, size, 8);
            put(file, at + 40, link, 4);
            put(file, at + 56, entry_size, 8);
        };
        section(SymbolTableSection, 1, elf::SectionSymbolTable, table_offset, table.size(), StringTableSection,
                elf::SymbolSize);
        section(StringTableSection, 9, elf::SectionStringTable, strings_offset, strings.size(), 0, 0);
        section(3, 17, elf::SectionStringTable, names_offset, names.size(), 0, 0);
    }

    static u64 align_up(u64 value, u64 alignment) { return (value + alignment - 1) / alignment * alignment; }
};

} // namespace grove::testing

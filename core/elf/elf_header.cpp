#include <core/elf/elf_header.hpp>

namespace grove {

ElfResult<elf::Header> read_elf_header(Span<u8 const> file) {
    if (file.size < elf::HeaderSize) return ElfCheck::FileTooSmall;
    elf::Header const header = elf::decode_header(file);
    if (!equal_bytes(header.ident, elf::Magic, sizeof elf::Magic)) return ElfCheck::Magic;
    if (header.ident[elf::IdentClass] != elf::Class64) return ElfCheck::Class;
    if (header.ident[elf::IdentData] != elf::DataLittleEndian) return ElfCheck::Encoding;
    if (header.ident[elf::IdentVersion] != elf::CurrentVersion || header.version != elf::CurrentVersion)
        return ElfCheck::Version;
    u8 const abi = header.ident[elf::IdentOsAbi];
    if (abi != elf::OsAbiSystemV && abi != elf::OsAbiGnu) return ElfCheck::OsAbi;
    if (header.machine != elf::MachineX86_64) return ElfCheck::Machine;
    if (header.header_size != elf::HeaderSize) return ElfCheck::HeaderSize;
    return header;
}

ElfResult<void> check_section_table(Span<u8 const> file, elf::Header const& header) {
    if (header.section_header_count == 0) return {};
    if (header.section_header_size != elf::SectionHeaderSize) return ElfCheck::SectionHeaderSize;
    if (!elf::table_in_file(file.size, header.section_header_offset, header.section_header_count,
                            elf::SectionHeaderSize))
        return ElfCheck::SectionHeaderBounds;
    return {};
}

} // namespace grove

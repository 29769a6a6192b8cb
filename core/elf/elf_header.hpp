#pragma once
#include <core/elf/elf_format.hpp>
#include <core/elf/elf_result.hpp>

namespace grove {

// The checks every use of an ELF file starts with, shared by validate_elf_image and ElfSymbolTable.

// Decodes the ELF header after checking, in this order: FileTooSmall, Magic, Class, Encoding, Version, OsAbi,
// Machine, HeaderSize. The type (executable or not) is the loader's business and is not checked here.
ElfResult<elf::Header> read_elf_header(Span<u8 const> file);

// Checks the section header table that `header` (from read_elf_header on the same file) declares: SectionHeaderSize
// (e_shentsize is 64 whenever there are sections) and SectionHeaderBounds (the table lies inside the file). A file
// without sections (e_shnum 0) passes.
ElfResult<void> check_section_table(Span<u8 const> file, elf::Header const& header);

} // namespace grove

#pragma once
#include <core/base/enum_count.hpp>

namespace grove {

// Every check an ELF file can fail, in the order validate_elf_image runs them (the first failure is the one
// reported). The last three belong to ElfSymbolTable only: a file needs no symbol table to load.
enum class ElfCheck : u8 {
    FileTooSmall,
    Magic,
    Class,
    Encoding,
    Version,
    OsAbi,
    Machine,
    HeaderSize,
    FileType,
    ProgramHeaderSize,
    ProgramHeaderCount,
    ProgramHeaderBounds,
    Interpreter,
    Dynamic,
    SegmentFileBounds,
    SegmentFileSize,
    SegmentAddressOverflow,
    SegmentAlignment,
    SegmentOutsideWindow,
    SegmentReserved,
    WritableAndExecutable,
    TooManySegments,
    SectionHeaderSize,
    SectionHeaderBounds,
    NoLoadSegment,
    SegmentOverlap,
    EntryPoint,
    MemoryLimit,
    NoSymbolTable,
    SymbolTableBounds,
    SymbolStringTable,
};

inline constexpr usize ElfCheckCount = static_cast<usize>(ElfCheck::SymbolStringTable) + 1;

// A short, stable, snake_case name for reports and tests.
constexpr char const* elf_check_name(ElfCheck check) {
    switch (check) {
    case ElfCheck::FileTooSmall: return "file_too_small";
    case ElfCheck::Magic: return "magic";
    case ElfCheck::Class: return "class";
    case ElfCheck::Encoding: return "encoding";
    case ElfCheck::Version: return "version";
    case ElfCheck::OsAbi: return "os_abi";
    case ElfCheck::Machine: return "machine";
    case ElfCheck::HeaderSize: return "header_size";
    case ElfCheck::FileType: return "file_type";
    case ElfCheck::ProgramHeaderSize: return "program_header_size";
    case ElfCheck::ProgramHeaderCount: return "program_header_count";
    case ElfCheck::ProgramHeaderBounds: return "program_header_bounds";
    case ElfCheck::SectionHeaderSize: return "section_header_size";
    case ElfCheck::SectionHeaderBounds: return "section_header_bounds";
    case ElfCheck::Interpreter: return "interpreter";
    case ElfCheck::Dynamic: return "dynamic";
    case ElfCheck::SegmentFileBounds: return "segment_file_bounds";
    case ElfCheck::SegmentFileSize: return "segment_file_size";
    case ElfCheck::SegmentAddressOverflow: return "segment_address_overflow";
    case ElfCheck::SegmentAlignment: return "segment_alignment";
    case ElfCheck::SegmentOutsideWindow: return "segment_outside_window";
    case ElfCheck::SegmentReserved: return "segment_reserved";
    case ElfCheck::WritableAndExecutable: return "writable_and_executable";
    case ElfCheck::TooManySegments: return "too_many_segments";
    case ElfCheck::NoLoadSegment: return "no_load_segment";
    case ElfCheck::SegmentOverlap: return "segment_overlap";
    case ElfCheck::EntryPoint: return "entry_point";
    case ElfCheck::MemoryLimit: return "memory_limit";
    case ElfCheck::NoSymbolTable: return "no_symbol_table";
    case ElfCheck::SymbolTableBounds: return "symbol_table_bounds";
    case ElfCheck::SymbolStringTable: return "symbol_string_table";
    }
    return "unknown_check";
}

static_assert(count_matches_names<ElfCheck>(ElfCheckCount, elf_check_name, "unknown_check"));

// One line saying what the check demands, for a person reading why a file was rejected.
constexpr char const* elf_check_description(ElfCheck check) {
    switch (check) {
    case ElfCheck::FileTooSmall: return "the file is smaller than an ELF64 header (64 bytes)";
    case ElfCheck::Magic: return "the file does not start with the ELF magic bytes 0x7f 'E' 'L' 'F'";
    case ElfCheck::Class: return "not a 64-bit ELF file (EI_CLASS must be ELFCLASS64)";
    case ElfCheck::Encoding: return "not little-endian (EI_DATA must be ELFDATA2LSB)";
    case ElfCheck::Version: return "unknown ELF version (EI_VERSION and e_version must be 1)";
    case ElfCheck::OsAbi: return "unsupported OS ABI (EI_OSABI must be System V or GNU/Linux)";
    case ElfCheck::Machine: return "not an x86_64 file (e_machine must be EM_X86_64)";
    case ElfCheck::HeaderSize: return "e_ehsize is not the 64 bytes of an ELF64 header";
    case ElfCheck::FileType:
        return "not a static executable (e_type must be ET_EXEC; ET_DYN is position-independent or shared)";
    case ElfCheck::ProgramHeaderSize: return "e_phentsize is not the 56 bytes of an ELF64 program header";
    case ElfCheck::ProgramHeaderCount: return "e_phnum must be between 1 and 64";
    case ElfCheck::ProgramHeaderBounds: return "the program header table does not lie inside the file";
    case ElfCheck::SectionHeaderSize: return "e_shentsize is not the 64 bytes of an ELF64 section header";
    case ElfCheck::SectionHeaderBounds:
        return "the section header table does not lie inside the file (is the file truncated?)";
    case ElfCheck::Interpreter: return "a PT_INTERP segment asks for a dynamic loader: only static executables load";
    case ElfCheck::Dynamic: return "a PT_DYNAMIC segment asks for dynamic linking: only static executables load";
    case ElfCheck::SegmentFileBounds:
        return "a PT_LOAD segment's file bytes (p_offset + p_filesz) do not lie inside the file";
    case ElfCheck::SegmentFileSize: return "a PT_LOAD segment has more file bytes than memory (p_filesz > p_memsz)";
    case ElfCheck::SegmentAddressOverflow:
        return "a PT_LOAD segment's end (p_vaddr + p_memsz, rounded up to a page) overflows 64 bits";
    case ElfCheck::SegmentAlignment:
        return "a PT_LOAD segment's p_align is not a power of two, or p_offset and p_vaddr differ modulo p_align";
    case ElfCheck::SegmentOutsideWindow:
        return "a PT_LOAD segment leaves the grove window [0x400000, 0x7fffffff0000): that memory is not the grove's";
    case ElfCheck::SegmentReserved:
        return "a PT_LOAD segment covers the main stack, its guard page or the arguments page, which the loader maps";
    case ElfCheck::WritableAndExecutable: return "a PT_LOAD segment is both writable and executable (W^X)";
    case ElfCheck::TooManySegments: return "more than 16 non-empty PT_LOAD segments";
    case ElfCheck::NoLoadSegment: return "no non-empty PT_LOAD segment: there is nothing to run";
    case ElfCheck::SegmentOverlap:
        return "two PT_LOAD segments share a page (pages are mapped whole, with one set of permissions each)";
    case ElfCheck::EntryPoint: return "the entry point is not inside the file bytes of an executable PT_LOAD segment";
    case ElfCheck::MemoryLimit: return "the segments' pages add up to more than the grove's memory limit";
    case ElfCheck::NoSymbolTable: return "the file has no SHT_SYMTAB section (it was stripped)";
    case ElfCheck::SymbolTableBounds:
        return "the SHT_SYMTAB section does not lie inside the file or its entries are not 24 bytes";
    case ElfCheck::SymbolStringTable:
        return "the symbol table's string table (sh_link) is missing, not SHT_STRTAB, or not inside the file";
    }
    return "unknown check";
}

} // namespace grove

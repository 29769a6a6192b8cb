#include <core/elf/elf_symbol_table.hpp>

#include <core/elf/elf_header.hpp>

namespace grove {

namespace {

Span<u8 const> section_bytes(Span<u8 const> file, elf::SectionHeader const& section) {
    return Span<u8 const>{file.data + section.offset, section.size};
}

elf::SectionHeader section_at(Span<u8 const> file, elf::Header const& header, usize index) {
    return elf::decode_section_header(file, header.section_header_offset + index * elf::SectionHeaderSize);
}

} // namespace

ElfResult<ElfSymbolTable> ElfSymbolTable::from(Span<u8 const> file) {
    elf::Header const header = TRY(read_elf_header(file));
    TRY(check_section_table(file, header));
    for (usize i = 0; i < header.section_header_count; ++i) {
        elf::SectionHeader const symbols = section_at(file, header, i);
        if (symbols.type != elf::SectionSymbolTable) continue;
        if (symbols.entry_size != elf::SymbolSize || symbols.size % elf::SymbolSize != 0 ||
            !elf::table_in_file(file.size, symbols.offset, symbols.size, 1))
            return ElfCheck::SymbolTableBounds;
        if (symbols.link == 0 || symbols.link >= header.section_header_count) return ElfCheck::SymbolStringTable;
        elf::SectionHeader const strings = section_at(file, header, symbols.link);
        if (strings.type != elf::SectionStringTable || !elf::table_in_file(file.size, strings.offset, strings.size, 1))
            return ElfCheck::SymbolStringTable;
        return ElfSymbolTable(section_bytes(file, symbols), section_bytes(file, strings));
    }
    return ElfCheck::NoSymbolTable;
}

char const* ElfSymbolTable::name_at(u32 offset) const {
    for (usize i = offset; i < m_strings.size; ++i)
        if (m_strings[i] == 0) return reinterpret_cast<char const*>(m_strings.data + offset);
    return "";
}

bool ElfSymbolTable::addressable(usize index, ElfSymbol& out) const {
    if (index >= entry_count()) return false;
    elf::Symbol const symbol = elf::decode_symbol(m_symbols, index * elf::SymbolSize);
    u8 const type = symbol.type();
    if (type != elf::SymbolNoType && type != elf::SymbolObject && type != elf::SymbolFunction) return false;
    if (symbol.section == elf::SectionUndefined) return false;
    char const* name = name_at(symbol.name);
    if (name[0] == '\0') return false;
    out = ElfSymbol{name, VirtAddr{symbol.value}, Bytes(symbol.size)};
    return true;
}

Result<SymbolLocation> ElfSymbolTable::locate(VirtAddr address) const {
    bool found_sized = false;
    bool found_label = false;
    ElfSymbol sized;
    ElfSymbol label;
    for_each([&](ElfSymbol const& symbol) {
        if (symbol.address > address) return;
        u64 const distance = address.value - symbol.address.value;
        if (!symbol.size.is_zero()) {
            if (distance < symbol.size.value && (!found_sized || symbol.address > sized.address)) {
                sized = symbol;
                found_sized = true;
            }
        } else if (!found_label || symbol.address > label.address) {
            label = symbol;
            found_label = true;
        }
    });
    if (!found_sized && !found_label) return Error::NotFound;
    ElfSymbol const& best = found_sized ? sized : label;
    return SymbolLocation{best, Bytes(address.value - best.address.value)};
}

} // namespace grove

#pragma once
#include <core/base/result.hpp>
#include <core/base/units.hpp>
#include <core/elf/elf_format.hpp>
#include <core/elf/elf_result.hpp>

namespace grove {

// One symbol of a file: its name (NUL-terminated, pointing into the file; "" when the file's name is out of
// bounds or unterminated), its address and its size in bytes (0 for a label without size, such as _start in
// assembly).
struct ElfSymbol {
    char const* name = "";
    VirtAddr address{};
    Bytes size{};
};

// Where an address falls: a symbol and the distance from its start ("symbol+offset").
struct SymbolLocation {
    ElfSymbol symbol;
    Bytes offset{};
};

// A view of the symbol table (SHT_SYMTAB) of an ELF file and of its string table, for naming addresses in crash
// reports; never needed for loading. Invariant: both tables lie inside the file they were found in, which the
// view does not own and which must outlive it. Every read of a symbol or a name is bounds-checked again.
class ElfSymbolTable {
public:
    ElfSymbolTable() = default;

    // Finds the symbol table of `file`. On failure: the header checks (read_elf_header), SectionHeaderSize,
    // SectionHeaderBounds, NoSymbolTable (the file is stripped), SymbolTableBounds, SymbolStringTable.
    static ElfResult<ElfSymbolTable> from(Span<u8 const> file);

    // Calls visit(ElfSymbol const&) for every defined function, object or untyped symbol with a name, in table
    // order (section, file and undefined symbols are left out).
    template<typename Visit>
    void for_each(Visit&& visit) const {
        for (usize i = 1; i < entry_count(); ++i) {
            ElfSymbol symbol;
            if (addressable(i, symbol)) visit(static_cast<ElfSymbol const&>(symbol));
        }
    }

    // The symbol `address` falls in: the symbol with a size that contains it (the one starting last when several
    // do), else the nearest label without size at or below it. NotFound when there is neither.
    Result<SymbolLocation> locate(VirtAddr address) const;

    // Entries in the table, the null entry 0 included.
    usize entry_count() const { return m_symbols.size / elf::SymbolSize; }

private:
    ElfSymbolTable(Span<u8 const> symbols, Span<u8 const> strings) : m_symbols(symbols), m_strings(strings) {}

    // Whether entry `index` is a symbol for_each visits; fills `out` when it is.
    bool addressable(usize index, ElfSymbol& out) const;
    char const* name_at(u32 offset) const;

    Span<u8 const> m_symbols;
    Span<u8 const> m_strings;
};

} // namespace grove

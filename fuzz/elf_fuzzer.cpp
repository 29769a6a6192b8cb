// The ELF loader on any bytes: validate_elf_image and the symbol table (core/elf). Neither may read outside the
// file or crash; an accepted image keeps every promise of its plan (image_plan_soundness.hpp); every symbol name
// the table hands out ends inside the file, and locating any address names a symbol at or below it.
#include <fuzz/fuzz_check.hpp>
#include <tests/core/elf/image_plan_soundness.hpp>

#include <core/elf/elf_image.hpp>
#include <core/elf/elf_symbol_table.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace grove;
using grove::fuzz::require;

namespace {

// A name is "" or lies in the file with its NUL.
bool name_in_file(char const* name, Span<u8 const> file) {
    if (*name == '\0') return true;
    auto const* first = reinterpret_cast<u8 const*>(name);
    if (first < file.data || first >= file.data + file.size) return false;
    return std::memchr(first, 0, static_cast<usize>(file.data + file.size - first)) != nullptr;
}

u64 word_at(Span<u8 const> file, usize offset) {
    u64 word = 0;
    if (offset + sizeof word <= file.size) std::memcpy(&word, file.data + offset, sizeof word);
    return word;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    Span<u8 const> const file{data, size};
    // The default grove memory limit, and a small one, so both outcomes of the limit check are reached.
    for (Bytes limit : {Bytes(64u << 20), Bytes(4 * PageSize)}) {
        ElfResult<ImagePlan> const plan = validate_elf_image(file, limit);
        if (plan.has_value()) {
            char const* const problem = testing::image_plan_problem(plan.value(), file, limit);
            require(*problem == '\0', problem);
        }
    }

    ElfResult<ElfSymbolTable> const table = ElfSymbolTable::from(file);
    if (table.is_error()) return 0;
    usize visited = 0;
    table.value().for_each([&](ElfSymbol const& symbol) {
        ++visited;
        require(name_in_file(symbol.name, file), "a symbol's name lies in the file, NUL included");
        Result<SymbolLocation> const at = table.value().locate(symbol.address);
        require(at.has_value(), "a symbol's own address is located");
    });
    require(visited < table.value().entry_count(), "the null entry is never visited");
    for (u64 address : {word_at(file, 0x18), word_at(file, size / 2), u64{0}, ~u64{0}}) {
        Result<SymbolLocation> const at = table.value().locate(VirtAddr{address});
        if (at.has_value()) {
            require(name_in_file(at.value().symbol.name, file), "a located symbol's name lies in the file");
            require(at.value().symbol.address.value <= address, "a located symbol starts at or below the address");
            require(at.value().symbol.address.value + at.value().offset.value == address, "offset = address - start");
        }
    }
    return 0;
}

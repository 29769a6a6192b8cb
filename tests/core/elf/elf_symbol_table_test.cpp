#include <core/elf/elf_symbol_table.hpp>

#include <core/elf/elf_image.hpp>
#include <tests/core/elf/elf_builder.hpp>
#include <tests/core/elf/elf_test_support.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace grove {
namespace {

using testing::ElfBuilder;
using testing::span_of;

struct Named {
    std::string name;
    u64 address;
    u64 size;
    bool operator==(Named const&) const = default;
};

std::vector<Named> symbols_of(ElfSymbolTable const& table) {
    std::vector<Named> out;
    table.for_each([&](ElfSymbol const& s) { out.push_back({s.name, s.address.value, s.size.value}); });
    return out;
}

std::string located(ElfSymbolTable const& table, u64 address) {
    auto const location = table.locate(VirtAddr{address});
    if (location.is_error()) return "?";
    return std::string(location.value().symbol.name) + "+" + std::to_string(location.value().offset.value);
}

ElfBuilder with_symbols() {
    ElfBuilder b = ElfBuilder::typical();
    b.symbols.push_back({"_start", 0x401000, 0, elf::SymbolNoType});
    b.symbols.push_back({"run", 0x401010, 0x40});
    b.symbols.push_back({"helper", 0x401050, 0x10});
    b.symbols.push_back({"table", 0x402000, 0x20, elf::SymbolObject});
    return b;
}

// The section header of `index` in a file built with symbols.
usize section_header_at(std::vector<u8> const& file, usize index) {
    return elf::read_u64(span_of(file), 40) + index * elf::SectionHeaderSize;
}

ElfCheck rejection_of(std::vector<u8> const& file) {
    auto const result = ElfSymbolTable::from(span_of(file));
    EXPECT_TRUE(result.is_error());
    return result.is_error() ? result.error() : ElfCheck::FileTooSmall;
}

TEST(ElfSymbolTable, YieldsNamesAddressesAndSizes) {
    std::vector<u8> const file = with_symbols().build();
    auto const table = ElfSymbolTable::from(span_of(file));
    ASSERT_TRUE(table.has_value()) << elf_check_name(table.error());
    EXPECT_EQ(table.value().entry_count(), 5u);
    std::vector<Named> const expected = {{"_start", 0x401000, 0},
                                         {"run", 0x401010, 0x40},
                                         {"helper", 0x401050, 0x10},
                                         {"table", 0x402000, 0x20}};
    EXPECT_EQ(symbols_of(table.value()), expected);
}

TEST(ElfSymbolTable, LocatesAnAddressAsSymbolPlusOffset) {
    std::vector<u8> const file = with_symbols().build();
    auto const table = ElfSymbolTable::from(span_of(file));
    ASSERT_TRUE(table.has_value());
    EXPECT_EQ(located(table.value(), 0x401010), "run+0");
    EXPECT_EQ(located(table.value(), 0x40104f), "run+63");
    EXPECT_EQ(located(table.value(), 0x401055), "helper+5");
    EXPECT_EQ(located(table.value(), 0x402004), "table+4");
    // Outside every sized symbol: the nearest label below.
    EXPECT_EQ(located(table.value(), 0x401008), "_start+8");
    EXPECT_EQ(located(table.value(), 0x401060), "_start+96");
    // Below every symbol: nothing.
    EXPECT_EQ(located(table.value(), 0x400fff), "?");
}

TEST(ElfSymbolTable, PrefersTheInnermostSizedSymbol) {
    ElfBuilder b = ElfBuilder::typical();
    b.symbols.push_back({"outer", 0x401000, 0x100});
    b.symbols.push_back({"inner", 0x401020, 0x10});
    std::vector<u8> const file = b.build();
    auto const table = ElfSymbolTable::from(span_of(file));
    ASSERT_TRUE(table.has_value());
    EXPECT_EQ(located(table.value(), 0x401024), "inner+4");
    EXPECT_EQ(located(table.value(), 0x401034), "outer+52");
}

TEST(ElfSymbolTable, LeavesOutUndefinedSectionAndFileSymbols) {
    ElfBuilder b = ElfBuilder::typical();
    b.symbols.push_back({"undefined", 0, 0, elf::SymbolFunction, elf::SectionUndefined});
    b.symbols.push_back({".text", 0x401000, 0, 3}); // STT_SECTION
    b.symbols.push_back({"grove.cpp", 0, 0, 4});    // STT_FILE
    b.symbols.push_back({"kept", 0x401000, 4});
    std::vector<u8> const file = b.build();
    auto const table = ElfSymbolTable::from(span_of(file));
    ASSERT_TRUE(table.has_value());
    EXPECT_EQ(symbols_of(table.value()), (std::vector<Named>{{"kept", 0x401000, 4}}));
}

TEST(ElfSymbolTable, SkipsNamesOutsideTheStringTable) {
    ElfBuilder const b = with_symbols();
    std::vector<u8> file = b.build();
    usize const strings = section_header_at(file, ElfBuilder::StringTableSection);
    u64 const strings_size = elf::read_u64(span_of(file), strings + 32);
    usize const symbols = elf::read_u64(span_of(file), section_header_at(file, ElfBuilder::SymbolTableSection) + 24);
    ElfBuilder::put(file, symbols + 1 * elf::SymbolSize, 0xffffffff, 4);   // _start: far outside
    ElfBuilder::put(file, symbols + 2 * elf::SymbolSize, strings_size, 4); // run: one past the end
    // helper: its name runs into the end of the table without a terminating NUL.
    u64 const strings_offset = elf::read_u64(span_of(file), strings + 24);
    file[strings_offset + strings_size - 1] = 'x';
    auto const table = ElfSymbolTable::from(span_of(file));
    ASSERT_TRUE(table.has_value());
    // Only helper keeps a name; "table" lost its terminating NUL.
    EXPECT_EQ(symbols_of(table.value()), (std::vector<Named>{{"helper", 0x401050, 0x10}}));
}

TEST(ElfSymbolTable, RejectsAStrippedFile) {
    std::vector<u8> const file = ElfBuilder::typical().build();
    EXPECT_EQ(rejection_of(file), ElfCheck::NoSymbolTable);
}

TEST(ElfSymbolTable, RejectsWhatTheHeaderChecksReject) {
    std::vector<u8> file = with_symbols().build();
    file[0] = 0;
    EXPECT_EQ(rejection_of(file), ElfCheck::Magic);
    file = with_symbols().build();
    ElfBuilder::put(file, 58, 40, 2);
    EXPECT_EQ(rejection_of(file), ElfCheck::SectionHeaderSize);
    file = with_symbols().build();
    file.pop_back();
    EXPECT_EQ(rejection_of(file), ElfCheck::SectionHeaderBounds);
}

TEST(ElfSymbolTable, RejectsASymbolTableOutsideTheFile) {
    std::vector<u8> file = with_symbols().build();
    usize const symbols = section_header_at(file, ElfBuilder::SymbolTableSection);
    ElfBuilder::put(file, symbols + 24, file.size(), 8); // sh_offset past the end
    EXPECT_EQ(rejection_of(file), ElfCheck::SymbolTableBounds);
    file = with_symbols().build();
    ElfBuilder::put(file, symbols + 32, ~u64{0} - 23, 8); // sh_size wraps the end
    EXPECT_EQ(rejection_of(file), ElfCheck::SymbolTableBounds);
    file = with_symbols().build();
    ElfBuilder::put(file, symbols + 56, 16, 8); // sh_entsize
    EXPECT_EQ(rejection_of(file), ElfCheck::SymbolTableBounds);
    file = with_symbols().build();
    ElfBuilder::put(file, symbols + 32, 5 * elf::SymbolSize - 1, 8); // not whole entries
    EXPECT_EQ(rejection_of(file), ElfCheck::SymbolTableBounds);
}

TEST(ElfSymbolTable, RejectsABrokenStringTableLink) {
    std::vector<u8> const original = with_symbols().build();
    usize const symbols = section_header_at(original, ElfBuilder::SymbolTableSection);
    for (u32 link : {0u, 4u, 1000u, u32{ElfBuilder::SymbolTableSection}}) {
        std::vector<u8> file = original;
        ElfBuilder::put(file, symbols + 40, link, 4);
        EXPECT_EQ(rejection_of(file), ElfCheck::SymbolStringTable) << link;
    }
    std::vector<u8> file = original;
    ElfBuilder::put(file, section_header_at(file, ElfBuilder::StringTableSection) + 32, file.size(), 8);
    EXPECT_EQ(rejection_of(file), ElfCheck::SymbolStringTable);
}

TEST(ElfImage, LoadsAStandardStaticLinkAt0x400000) {
    std::vector<u8> const file = testing::static_grove_fixture();
    auto const result = validate_elf_image(span_of(file), mebibytes(64));
    ASSERT_TRUE(result.has_value()) << elf_check_name(result.error());
    ImagePlan const& plan = result.value();
    testing::expect_plan_sound(plan, file, mebibytes(64));
    EXPECT_EQ(plan.segments[0].address.value, 0x400000u);
    bool code = false;
    bool data = false;
    for (ImageSegment const& s : plan.segments) {
        code = code || s.permissions == (Permissions::Read | Permissions::Execute);
        data = data || (s.permissions == (Permissions::Read | Permissions::Write) &&
                        s.memory_size.value > s.file_bytes.size); // .data and .bss
    }
    EXPECT_TRUE(code);
    EXPECT_TRUE(data);
    // Its symbols name the entry point.
    auto const table = ElfSymbolTable::from(span_of(file));
    ASSERT_TRUE(table.has_value()) << elf_check_name(table.error());
    EXPECT_EQ(located(table.value(), plan.entry.value), "_start+0");
    EXPECT_EQ(located(table.value(), plan.entry.value + 3), "_start+3");
}

} // namespace
} // namespace grove

// The loader and the symbol table on damaged files: truncated at every byte, every header byte set to several
// values, and random bytes changed. Each must either accept an image that keeps every promise of a plan, or reject
// with a named check; nothing may crash or read outside the file (the sanitizer build checks the latter: every
// damaged file is a vector of its exact size).
#include <core/base/prng.hpp>
#include <core/elf/elf_image.hpp>
#include <core/elf/elf_symbol_table.hpp>
#include <tests/core/elf/elf_builder.hpp>
#include <tests/core/elf/elf_test_support.hpp>

#include <gtest/gtest.h>

#include <string>

namespace grove {
namespace {

using testing::ElfBuilder;
using testing::span_of;

constexpr Bytes DefaultLimit = mebibytes(64);

ElfBuilder typical_with_symbols() {
    ElfBuilder b = ElfBuilder::typical();
    b.symbols.push_back({"_start", 0x401000, 0});
    b.symbols.push_back({"main_loop", 0x401010, 0x40});
    b.symbols.push_back({"table", 0x400000, 0x40, elf::SymbolObject});
    return b;
}

// Outcome counts over many damaged files, so that a test can also say it exercised both outcomes.
struct Tally {
    usize accepted = 0;
    usize rejected = 0;
};

// Validates a damaged file; an accepted plan is checked independently, a rejection must name a known check.
// The symbol table is read and queried too: it must not crash either.
void exercise(std::vector<u8> const& file, Tally& tally) {
    auto const result = validate_elf_image(span_of(file), DefaultLimit);
    if (result.has_value()) {
        ++tally.accepted;
        testing::expect_plan_sound(result.value(), file, DefaultLimit);
    } else {
        ++tally.rejected;
        EXPECT_LT(static_cast<usize>(result.error()), ElfCheckCount);
    }
    auto const symbols = ElfSymbolTable::from(span_of(file));
    if (symbols.has_value()) {
        usize names = 0;
        symbols.value().for_each([&](ElfSymbol const& s) { names += std::string(s.name).size(); });
        (void)symbols.value().locate(VirtAddr{0x401008});
        (void)names;
    } else {
        EXPECT_LT(static_cast<usize>(symbols.error()), ElfCheckCount);
    }
}

void expect_every_truncation_rejected(std::vector<u8> const& file) {
    ASSERT_TRUE(validate_elf_image(span_of(file), DefaultLimit).has_value());
    for (usize size = 0; size < file.size(); ++size) {
        std::vector<u8> const prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(size));
        auto const result = validate_elf_image(span_of(prefix), DefaultLimit);
        ASSERT_TRUE(result.is_error()) << "a prefix of " << size << " bytes was accepted";
        EXPECT_LT(static_cast<usize>(result.error()), ElfCheckCount);
        Tally ignored;
        exercise(prefix, ignored);
    }
}

// Sets every byte of the ELF header and of the program header table to several values, one at a time.
Tally corrupt_every_header_byte(std::vector<u8> const& file) {
    usize const phnum = elf::read_u16(span_of(file), 56);
    usize const headers_end = elf::HeaderSize + phnum * elf::ProgramHeaderSize;
    Tally tally;
    for (usize at = 0; at < headers_end && at < file.size(); ++at) {
        u8 const original = file[at];
        for (u8 const value : {u8{0x00}, u8{0xff}, u8{0x01}, u8{0x7f}, u8{0x80}, u8(original ^ 0x01),
                               u8(original ^ 0x10), u8(original ^ 0x80), u8(original + 1), u8(original - 1)}) {
            std::vector<u8> damaged = file;
            damaged[at] = value;
            exercise(damaged, tally);
        }
    }
    return tally;
}

// Changes 1 to 8 random bytes per file, anywhere, `rounds` times, from a fixed seed.
Tally corrupt_randomly(std::vector<u8> const& file, u64 seed, usize rounds) {
    Prng prng(seed);
    Tally tally;
    for (usize round = 0; round < rounds; ++round) {
        std::vector<u8> damaged = file;
        u64 const changes = prng.between(1, 8);
        for (u64 i = 0; i < changes; ++i) {
            // Half of the changes land in the headers, where they matter most.
            u64 const limit = prng.below(2) == 0 ? std::min<u64>(file.size(), 512) : file.size();
            damaged[prng.below(limit)] = static_cast<u8>(prng.next());
        }
        exercise(damaged, tally);
    }
    return tally;
}

TEST(ElfRobustness, EveryTruncationOfABuiltImageIsRejected) {
    expect_every_truncation_rejected(ElfBuilder::typical().build());
    expect_every_truncation_rejected(typical_with_symbols().build());
}

TEST(ElfRobustness, EveryTruncationOfTheLinkedFixtureIsRejected) {
    expect_every_truncation_rejected(testing::static_grove_fixture());
}

TEST(ElfRobustness, CorruptedHeadersOfABuiltImageAreAcceptedSoundlyOrRejected) {
    Tally const tally = corrupt_every_header_byte(typical_with_symbols().build());
    EXPECT_GT(tally.accepted, 0u); // e.g. the padding of e_ident, or p_paddr
    EXPECT_GT(tally.rejected, 0u);
}

TEST(ElfRobustness, CorruptedHeadersOfTheLinkedFixtureAreAcceptedSoundlyOrRejected) {
    Tally const tally = corrupt_every_header_byte(testing::static_grove_fixture());
    EXPECT_GT(tally.accepted, 0u);
    EXPECT_GT(tally.rejected, 0u);
}

TEST(ElfRobustness, RandomDamageIsAcceptedSoundlyOrRejected) {
    Tally const built = corrupt_randomly(typical_with_symbols().build(), 0x5eed, 3000);
    Tally const linked = corrupt_randomly(testing::static_grove_fixture(), 0xe1f, 3000);
    EXPECT_GT(built.rejected + linked.rejected, 0u);
    EXPECT_GT(built.accepted + linked.accepted, 0u);
}

TEST(ElfRobustness, DamagedSectionAndSymbolTablesNeverCrashTheSymbolReader) {
    std::vector<u8> const file = typical_with_symbols().build();
    u64 const section_offset = elf::read_u64(span_of(file), 40);
    ASSERT_GT(section_offset, 0u);
    // Everything after the segments: the symbol table, the strings and the section headers.
    Tally tally;
    for (usize at = 0x3020; at < file.size(); ++at) {
        for (u8 const value : {u8{0x00}, u8{0xff}, u8{0x41}, u8(file[at] ^ 0x80)}) {
            std::vector<u8> damaged = file;
            damaged[at] = value;
            exercise(damaged, tally);
        }
    }
    EXPECT_GT(tally.accepted, 0u);
}

} // namespace
} // namespace grove

#include <core/elf/elf_image.hpp>

#include <core/grove/layout.hpp>
#include <tests/core/elf/elf_builder.hpp>
#include <tests/core/elf/elf_test_support.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace grove {
namespace {

using testing::ElfBuilder;
using testing::span_of;

constexpr Bytes DefaultLimit = mebibytes(64);

// Builds the file and validates it; the check that rejected it, or a test failure when it was accepted.
ElfCheck rejection(ElfBuilder const& builder, Bytes limit = DefaultLimit) {
    std::vector<u8> const file = builder.build();
    auto const result = validate_elf_image(span_of(file), limit);
    EXPECT_TRUE(result.is_error()) << "the image was accepted";
    return result.is_error() ? result.error() : ElfCheck::FileTooSmall;
}

// Builds, validates and checks that the image loads; the number of segments planned (0 when rejected).
usize accepted_segments(ElfBuilder const& builder, Bytes limit = DefaultLimit) {
    std::vector<u8> const file = builder.build();
    auto const result = validate_elf_image(span_of(file), limit);
    EXPECT_TRUE(result.has_value()) << "rejected: " << elf_check_name(result.error());
    if (!result.has_value()) return 0;
    testing::expect_plan_sound(result.value(), file, limit);
    return result.value().segments.size();
}

std::vector<u8> patched(ElfBuilder const& builder, usize at, u64 value, usize width) {
    std::vector<u8> file = builder.build();
    ElfBuilder::put(file, at, value, width);
    return file;
}

ElfCheck rejection_of(std::vector<u8> const& file) {
    auto const result = validate_elf_image(span_of(file), DefaultLimit);
    EXPECT_TRUE(result.is_error()) << "the image was accepted";
    return result.is_error() ? result.error() : ElfCheck::FileTooSmall;
}

TEST(ElfCheck, EveryCheckHasADistinctNameAndADescription) {
    std::set<std::string> names;
    for (usize i = 0; i < ElfCheckCount; ++i) {
        auto const check = static_cast<ElfCheck>(i);
        std::string const name = elf_check_name(check);
        std::string const description = elf_check_description(check);
        EXPECT_NE(name, "unknown_check");
        EXPECT_NE(description, "unknown check");
        EXPECT_GT(description.size(), 20u) << name;
        EXPECT_TRUE(names.insert(name).second) << name;
    }
    EXPECT_STREQ(elf_check_name(ElfCheck::SegmentOverlap), "segment_overlap");
}

TEST(ElfImage, PlansATypicalStaticExecutable) {
    ElfBuilder const builder = ElfBuilder::typical();
    std::vector<u8> const file = builder.build();
    auto const result = validate_elf_image(span_of(file), DefaultLimit);
    ASSERT_TRUE(result.has_value()) << elf_check_name(result.error());
    ImagePlan const& plan = result.value();
    EXPECT_EQ(plan.entry.value, 0x401000u);
    ASSERT_EQ(plan.segments.size(), 3u);
    EXPECT_EQ(plan.segments[0].address.value, 0x400000u);
    EXPECT_EQ(plan.segments[0].memory_size.value, 0x40u);
    EXPECT_EQ(plan.segments[0].permissions, Permissions::Read);
    EXPECT_EQ(plan.segments[1].address.value, 0x401000u);
    EXPECT_EQ(plan.segments[1].permissions, Permissions::Read | Permissions::Execute);
    EXPECT_EQ(plan.segments[1].file_bytes.size, 0x100u);
    EXPECT_EQ(plan.segments[1].file_bytes[0], 0xc3);
    EXPECT_EQ(plan.segments[2].permissions, Permissions::Read | Permissions::Write);
    EXPECT_EQ(plan.segments[2].file_bytes.size, 0x20u);
    EXPECT_EQ(plan.segments[2].memory_size.value, 0x1800u);
    // The file bytes are views into the file itself, at the segment's offset.
    EXPECT_EQ(plan.segments[2].file_bytes.data, file.data() + 0x3000);
    testing::expect_plan_sound(plan, file, DefaultLimit);
}

TEST(ElfImage, ImageMemoryCountsWholePages) {
    std::vector<u8> const file = ElfBuilder::typical().build();
    auto const result = validate_elf_image(span_of(file), DefaultLimit);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(image_memory(result.value()), bytes_of(PageCount(4))); // 1 + 1 + 2 pages (0x1800 of data and bss)
}

TEST(ElfImage, RejectsAFileSmallerThanTheHeader) {
    std::vector<u8> const file = ElfBuilder::typical().build();
    for (usize size = 0; size < elf::HeaderSize; ++size) {
        std::vector<u8> const prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(size));
        EXPECT_EQ(rejection_of(prefix), ElfCheck::FileTooSmall) << size;
    }
    auto const empty = validate_elf_image(Span<u8 const>{}, DefaultLimit);
    ASSERT_TRUE(empty.is_error());
    EXPECT_EQ(empty.error(), ElfCheck::FileTooSmall);
}

TEST(ElfImage, RejectsABadMagic) {
    for (usize i = 0; i < 4; ++i)
        EXPECT_EQ(rejection_of(patched(ElfBuilder::typical(), i, 0x00, 1)), ElfCheck::Magic) << i;
}

TEST(ElfImage, RejectsA32BitFile) {
    ElfBuilder b = ElfBuilder::typical();
    b.ident_class = 1;
    EXPECT_EQ(rejection(b), ElfCheck::Class);
}

TEST(ElfImage, RejectsABigEndianFile) {
    ElfBuilder b = ElfBuilder::typical();
    b.ident_data = 2;
    EXPECT_EQ(rejection(b), ElfCheck::Encoding);
}

TEST(ElfImage, RejectsAnUnknownVersion) {
    ElfBuilder b = ElfBuilder::typical();
    b.ident_version = 2;
    EXPECT_EQ(rejection(b), ElfCheck::Version);
    b = ElfBuilder::typical();
    b.version = 0;
    EXPECT_EQ(rejection(b), ElfCheck::Version);
}

TEST(ElfImage, AcceptsSystemVAndGnuAbisOnly) {
    ElfBuilder b = ElfBuilder::typical();
    b.ident_os_abi = elf::OsAbiGnu;
    EXPECT_EQ(accepted_segments(b), 3u);
    b.ident_os_abi = 9; // FreeBSD
    EXPECT_EQ(rejection(b), ElfCheck::OsAbi);
}

TEST(ElfImage, RejectsAnotherMachine) {
    ElfBuilder b = ElfBuilder::typical();
    b.machine = 3; // EM_386
    EXPECT_EQ(rejection(b), ElfCheck::Machine);
    b.machine = 183; // EM_AARCH64
    EXPECT_EQ(rejection(b), ElfCheck::Machine);
}

TEST(ElfImage, RejectsAWrongHeaderSize) {
    ElfBuilder b = ElfBuilder::typical();
    b.header_size = 52;
    EXPECT_EQ(rejection(b), ElfCheck::HeaderSize);
}

TEST(ElfImage, RejectsEverythingButAStaticExecutable) {
    for (u16 type : {u16{0}, u16{1}, elf::TypeShared, u16{4}, u16{0xfe00}}) {
        ElfBuilder b = ElfBuilder::typical();
        b.type = type;
        EXPECT_EQ(rejection(b), ElfCheck::FileType) << type;
    }
}

TEST(ElfImage, RejectsAWrongProgramHeaderSize) {
    ElfBuilder b = ElfBuilder::typical();
    b.program_header_size = 32;
    EXPECT_EQ(rejection(b), ElfCheck::ProgramHeaderSize);
}

TEST(ElfImage, RejectsNoProgramHeadersOrTooMany) {
    ElfBuilder b = ElfBuilder::typical();
    b.program_header_count = 0;
    EXPECT_EQ(rejection(b), ElfCheck::ProgramHeaderCount);
    b.program_header_count = static_cast<u16>(MaxProgramHeaders + 1);
    EXPECT_EQ(rejection(b), ElfCheck::ProgramHeaderCount);
    b.program_header_count = 0xffff; // PN_XNUM
    EXPECT_EQ(rejection(b), ElfCheck::ProgramHeaderCount);
}

TEST(ElfImage, RejectsAProgramHeaderTableOutsideTheFile) {
    ElfBuilder b = ElfBuilder::typical();
    b.program_header_offset = 0x10000;
    EXPECT_EQ(rejection(b), ElfCheck::ProgramHeaderBounds);
    b.program_header_offset = ~u64{0} - 8; // the end wraps around
    EXPECT_EQ(rejection(b), ElfCheck::ProgramHeaderBounds);
    b.program_header_offset = std::nullopt;
    b.program_header_count = MaxProgramHeaders; // more entries than the file holds past offset 64
    std::vector<u8> file = b.build();
    file.resize(elf::HeaderSize + 10 * elf::ProgramHeaderSize);
    EXPECT_EQ(rejection_of(file), ElfCheck::ProgramHeaderBounds);
}

TEST(ElfImage, RejectsABrokenSectionHeaderTable) {
    ElfBuilder b = ElfBuilder::typical();
    b.symbols.push_back({"_start", 0x401000, 0x10});
    EXPECT_EQ(accepted_segments(b), 3u);
    b.section_header_size = 40;
    EXPECT_EQ(rejection(b), ElfCheck::SectionHeaderSize);
    b.section_header_size = elf::SectionHeaderSize;
    EXPECT_EQ(rejection_of(patched(b, 40, 0xfffffffffffffff0, 8)), ElfCheck::SectionHeaderBounds);
    EXPECT_EQ(rejection_of(patched(b, 60, 0x1000, 2)), ElfCheck::SectionHeaderBounds);
    std::vector<u8> file = b.build();
    file.pop_back(); // the table is the end of the file
    EXPECT_EQ(rejection_of(file), ElfCheck::SectionHeaderBounds);
}

TEST(ElfImage, RejectsAnInterpreter) {
    ElfBuilder b = ElfBuilder::typical();
    ElfBuilder::Segment interpreter;
    interpreter.type = elf::SegmentInterpreter;
    interpreter.bytes = {'/', 'l', 'd', 0};
    interpreter.alignment = 1;
    b.segments.insert(b.segments.begin(), interpreter);
    EXPECT_EQ(rejection(b), ElfCheck::Interpreter);
}

TEST(ElfImage, RejectsADynamicSegment) {
    ElfBuilder b = ElfBuilder::typical();
    ElfBuilder::Segment dynamic;
    dynamic.type = elf::SegmentDynamic;
    dynamic.address = 0x402000;
    dynamic.bytes = ElfBuilder::filled(16, 0);
    b.segments.push_back(dynamic);
    EXPECT_EQ(rejection(b), ElfCheck::Dynamic);
}

TEST(ElfImage, IgnoresOtherProgramHeaders) {
    ElfBuilder b = ElfBuilder::typical();
    ElfBuilder::Segment note;
    note.type = 4; // PT_NOTE
    note.bytes = ElfBuilder::filled(8, 1);
    note.alignment = 4;
    note.offset = 0x1000;
    ElfBuilder::Segment stack;
    stack.type = 0x6474e551; // PT_GNU_STACK, read-write
    stack.flags = elf::FlagRead | elf::FlagWrite;
    stack.alignment = 16;
    stack.offset = 0;
    b.segments.push_back(note);
    b.segments.push_back(stack);
    EXPECT_EQ(accepted_segments(b), 3u);
}

TEST(ElfImage, RejectsSegmentBytesOutsideTheFile) {
    EXPECT_EQ(rejection_of(patched(ElfBuilder::typical(), elf::HeaderSize + 8, 0x100000, 8)),
              ElfCheck::SegmentFileBounds);
    std::vector<u8> file = ElfBuilder::typical().build();
    ElfBuilder::put(file, elf::HeaderSize + 8, ~u64{0} - 0x10, 8); // p_offset + p_filesz wraps
    EXPECT_EQ(rejection_of(file), ElfCheck::SegmentFileBounds);
    file = ElfBuilder::typical().build();
    file.resize(file.size() - 1); // the last segment loses its last byte
    EXPECT_EQ(rejection_of(file), ElfCheck::SegmentFileBounds);
}

TEST(ElfImage, RejectsMoreFileBytesThanMemory) {
    // The code segment's p_memsz becomes 0xff, one byte less than its p_filesz.
    std::vector<u8> const file = patched(ElfBuilder::typical(), elf::HeaderSize + elf::ProgramHeaderSize + 40, 0xff, 8);
    EXPECT_EQ(rejection_of(file), ElfCheck::SegmentFileSize);
}

TEST(ElfImage, RejectsAnEndAddressThatOverflows) {
    ElfBuilder b = ElfBuilder::typical();
    b.add(elf::FlagRead, 0xfffffffffffff000, {}, 0x2000);
    EXPECT_EQ(rejection(b), ElfCheck::SegmentAddressOverflow);
    b.segments.back().address = ~u64{0} - 10; // the end fits, rounding it up to a page does not
    b.segments.back().memory_size = 5;
    b.segments.back().alignment = 1;
    EXPECT_EQ(rejection(b), ElfCheck::SegmentAddressOverflow);
}

TEST(ElfImage, RejectsABadAlignment) {
    ElfBuilder b = ElfBuilder::typical();
    b.segments[2].alignment = 0x3000;
    b.segments[2].offset = 0x3000;
    EXPECT_EQ(rejection(b), ElfCheck::SegmentAlignment);
    b = ElfBuilder::typical();
    b.segments[2].offset = 0x3010; // offset and address differ modulo 4 KiB
    EXPECT_EQ(rejection(b), ElfCheck::SegmentAlignment);
}

TEST(ElfImage, AcceptsNoAlignmentAndLargePowersOfTwo) {
    ElfBuilder b = ElfBuilder::typical();
    b.segments[0].alignment = 0;
    b.segments[1].alignment = 1;
    b.segments[2].alignment = 0x200000;
    b.segments[2].address = 0x600000;
    EXPECT_EQ(accepted_segments(b), 3u);
}

TEST(ElfImage, RejectsSegmentsOutsideTheGroveWindow) {
    for (u64 address : {u64{0}, u64{0x1000}, u64{0x3ff000}, layout::WindowBase - 1, layout::WindowEnd - 0x1000,
                        layout::WindowEnd, u64{0xffff800000000000}, u64{0xffffffff80000000}}) {
        ElfBuilder b = ElfBuilder::typical();
        b.add(elf::FlagRead, address, ElfBuilder::filled(8, 0), 0x2000).alignment = 1;
        EXPECT_EQ(rejection(b), ElfCheck::SegmentOutsideWindow) << std::hex << address;
    }
}

TEST(ElfImage, AcceptsTheEdgesOfTheWindow) {
    ElfBuilder b = ElfBuilder::typical();
    b.add(elf::FlagRead, layout::WindowEnd - 0x1000, ElfBuilder::filled(8, 0), 0x1000);
    EXPECT_EQ(accepted_segments(b), 4u);
}

TEST(ElfImage, RejectsSegmentsOnTheStackOrTheArgumentsPage) {
    for (u64 address : {layout::MainStackGuard, layout::MainStackBase, layout::MainStackTop - 8, layout::ArgumentsPage,
                        layout::MainStackGuard - 0x1000 + 0x800}) {
        ElfBuilder b = ElfBuilder::typical();
        b.add(elf::FlagRead, address, {}, 0x1000).alignment = 1;
        EXPECT_EQ(rejection(b), ElfCheck::SegmentReserved) << std::hex << address;
    }
    ElfBuilder b = ElfBuilder::typical();
    b.add(elf::FlagRead, layout::MainStackGuard - 0x1000, {}, 0x1000); // the page just below the guard is free
    EXPECT_EQ(accepted_segments(b), 4u);
}

TEST(ElfImage, RejectsAWritableAndExecutableSegment) {
    ElfBuilder b = ElfBuilder::typical();
    b.segments[1].flags = elf::FlagRead | elf::FlagWrite | elf::FlagExecute;
    EXPECT_EQ(rejection(b), ElfCheck::WritableAndExecutable);
    b.segments[1].flags = elf::FlagWrite | elf::FlagExecute;
    EXPECT_EQ(rejection(b), ElfCheck::WritableAndExecutable);
}

ElfBuilder with_load_segments(usize count) {
    ElfBuilder b;
    b.entry = 0x400000;
    for (usize i = 0; i < count; ++i)
        b.add(i == 0 ? elf::FlagRead | elf::FlagExecute : elf::FlagRead, 0x400000 + i * 0x1000,
              ElfBuilder::filled(16, 0x90));
    return b;
}

TEST(ElfImage, AcceptsAsManySegmentsAsAPlanHolds) {
    EXPECT_EQ(accepted_segments(with_load_segments(MaxImageSegments)), MaxImageSegments);
}

TEST(ElfImage, RejectsMoreSegmentsThanAPlanHolds) {
    EXPECT_EQ(rejection(with_load_segments(MaxImageSegments + 1)), ElfCheck::TooManySegments);
}

TEST(ElfImage, RejectsAFileWithNothingToLoad) {
    ElfBuilder b;
    b.entry = 0x401000;
    ElfBuilder::Segment note;
    note.type = 4; // PT_NOTE
    note.bytes = ElfBuilder::filled(8, 1);
    b.segments.push_back(note);
    EXPECT_EQ(rejection(b), ElfCheck::NoLoadSegment);
    b.segments.clear();
    b.add(elf::FlagRead | elf::FlagExecute, 0x401000, {}); // p_memsz 0: maps nothing
    EXPECT_EQ(rejection(b), ElfCheck::NoLoadSegment);
}

TEST(ElfImage, LeavesEmptyLoadSegmentsOutOfThePlan) {
    ElfBuilder b = ElfBuilder::typical();
    b.add(elf::FlagRead | elf::FlagWrite | elf::FlagExecute, 0x401000, {}); // empty: neither W^X nor overlap apply
    EXPECT_EQ(accepted_segments(b), 3u);
}

TEST(ElfImage, RejectsSegmentsSharingAPage) {
    ElfBuilder b = ElfBuilder::typical();
    b.add(elf::FlagRead, 0x401800, ElfBuilder::filled(0x10, 0)); // bytes apart, same page as the code
    EXPECT_EQ(rejection(b), ElfCheck::SegmentOverlap);
    b = ElfBuilder::typical();
    b.segments[2].address = 0x401000; // the very same bytes
    EXPECT_EQ(rejection(b), ElfCheck::SegmentOverlap);
    b = ElfBuilder::typical();
    b.segments[0].memory_size = 0x1001; // reaches one byte into the code's page
    EXPECT_EQ(rejection(b), ElfCheck::SegmentOverlap);
}

TEST(ElfImage, AcceptsSegmentsOnAdjacentPages) {
    ElfBuilder b = ElfBuilder::typical();
    b.segments[0].memory_size = 0x1000; // ends exactly where the code's page starts
    EXPECT_EQ(accepted_segments(b), 3u);
}

TEST(ElfImage, RejectsAnEntryOutsideTheCode) {
    for (u64 entry : {u64{0}, u64{0x400000}, u64{0x402000}, u64{0x401100}, u64{0x500000}, ~u64{0}}) {
        ElfBuilder b = ElfBuilder::typical();
        b.entry = entry;
        EXPECT_EQ(rejection(b), ElfCheck::EntryPoint) << std::hex << entry;
    }
    ElfBuilder b = ElfBuilder::typical();
    b.segments[1].memory_size = 0x800;
    b.entry = 0x401200; // in the code segment's zero-filled tail
    EXPECT_EQ(rejection(b), ElfCheck::EntryPoint);
}

TEST(ElfImage, AcceptsAnEntryAnywhereInTheCodeBytes) {
    ElfBuilder b = ElfBuilder::typical();
    b.entry = 0x4010ff;
    EXPECT_EQ(accepted_segments(b), 3u);
}

TEST(ElfImage, RejectsAnImageLargerThanTheMemoryLimit) {
    ElfBuilder const b = ElfBuilder::typical();
    EXPECT_EQ(accepted_segments(b, bytes_of(PageCount(4))), 3u);
    EXPECT_EQ(rejection(b, bytes_of(PageCount(4)) - Bytes(1)), ElfCheck::MemoryLimit);
    EXPECT_EQ(rejection(b, Bytes(0)), ElfCheck::MemoryLimit);
    ElfBuilder huge = ElfBuilder::typical();
    huge.segments[2].memory_size = mebibytes(65).value; // bss alone beyond the default 64 MiB
    EXPECT_EQ(rejection(huge), ElfCheck::MemoryLimit);
}

TEST(ElfImage, ReportsTheFirstFailedCheck) {
    ElfBuilder b = ElfBuilder::typical();
    b.machine = 3;
    b.type = elf::TypeShared;
    EXPECT_EQ(rejection(b), ElfCheck::Machine);
    b = ElfBuilder::typical();
    b.segments[0].flags = elf::FlagWrite | elf::FlagExecute; // first segment: W^X
    // The second segment's bytes leave the file.
    std::vector<u8> const file = patched(b, elf::HeaderSize + elf::ProgramHeaderSize + 8, 0x100000, 8);
    EXPECT_EQ(rejection_of(file), ElfCheck::WritableAndExecutable);
}

} // namespace
} // namespace grove

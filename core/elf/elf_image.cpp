#include <core/elf/elf_image.hpp>

#include <core/elf/elf_format.hpp>
#include <core/elf/elf_header.hpp>
#include <core/grove/layout.hpp>

namespace grove {

namespace {

using layout::PageRange;

Permissions permissions_of(u32 flags) {
    Permissions p = Permissions::None;
    if ((flags & elf::FlagRead) != 0) p = p | Permissions::Read;
    if ((flags & elf::FlagWrite) != 0) p = p | Permissions::Write;
    if ((flags & elf::FlagExecute) != 0) p = p | Permissions::Execute;
    return p;
}

ElfResult<void> check_program_header_table(Span<u8 const> file, elf::Header const& header) {
    if (header.type != elf::TypeExecutable) return ElfCheck::FileType;
    if (header.program_header_size != elf::ProgramHeaderSize) return ElfCheck::ProgramHeaderSize;
    if (header.program_header_count == 0 || header.program_header_count > MaxProgramHeaders)
        return ElfCheck::ProgramHeaderCount;
    if (!elf::table_in_file(file.size, header.program_header_offset, header.program_header_count,
                            elf::ProgramHeaderSize))
        return ElfCheck::ProgramHeaderBounds;
    return {};
}

// The checks of one PT_LOAD segment on its own (before it is compared with the others).
ElfResult<void> check_load_segment(Span<u8 const> file, elf::ProgramHeader const& segment) {
    if (!elf::table_in_file(file.size, segment.offset, segment.file_size, 1)) return ElfCheck::SegmentFileBounds;
    if (segment.file_size > segment.memory_size) return ElfCheck::SegmentFileSize;
    u64 end = 0;
    if (!checked_add(segment.virtual_address, segment.memory_size, end) || end > ~u64{0} - (PageSize - 1))
        return ElfCheck::SegmentAddressOverflow;
    u64 const align = segment.alignment;
    if (align > 1 &&
        (!std::has_single_bit(align) || (segment.offset & (align - 1)) != (segment.virtual_address & (align - 1))))
        return ElfCheck::SegmentAlignment;
    if (segment.memory_size == 0) return {};
    PageRange const pages = PageRange::covering(segment.virtual_address, segment.memory_size);
    if (!pages.is_in_window()) return ElfCheck::SegmentOutsideWindow;
    for (PageRange const reserved : layout::ReservedRanges)
        if (pages.overlaps(reserved)) return ElfCheck::SegmentReserved;
    if ((segment.flags & elf::FlagWrite) != 0 && (segment.flags & elf::FlagExecute) != 0)
        return ElfCheck::WritableAndExecutable;
    return {};
}

ElfResult<void> check_overlaps(ImagePlan const& plan) {
    auto const& segments = plan.segments;
    for (usize i = 0; i < segments.size(); ++i) {
        PageRange const a = PageRange::covering(segments[i].address.value, segments[i].memory_size.value);
        for (usize j = i + 1; j < segments.size(); ++j)
            if (a.overlaps(PageRange::covering(segments[j].address.value, segments[j].memory_size.value)))
                return ElfCheck::SegmentOverlap;
    }
    return {};
}

ElfResult<void> check_entry(ImagePlan const& plan) {
    u64 const entry = plan.entry.value;
    for (ImageSegment const& segment : plan.segments) {
        if (!has(segment.permissions, Permissions::Execute)) continue;
        u64 const start = segment.address.value;
        if (entry >= start && entry - start < segment.file_bytes.size) return {};
    }
    return ElfCheck::EntryPoint;
}

} // namespace

Bytes image_memory(ImagePlan const& plan) {
    Bytes total{};
    for (ImageSegment const& segment : plan.segments) {
        PageRange const pages = PageRange::covering(segment.address.value, segment.memory_size.value);
        total += pages.size();
    }
    return total;
}

ElfResult<ImagePlan> validate_elf_image(Span<u8 const> file, Bytes memory_limit) {
    elf::Header const header = TRY(read_elf_header(file));
    TRY(check_program_header_table(file, header));

    ImagePlan plan;
    plan.entry = VirtAddr{header.entry};
    for (usize i = 0; i < header.program_header_count; ++i) {
        elf::ProgramHeader const segment =
            elf::decode_program_header(file, header.program_header_offset + i * elf::ProgramHeaderSize);
        if (segment.type == elf::SegmentInterpreter) return ElfCheck::Interpreter;
        if (segment.type == elf::SegmentDynamic) return ElfCheck::Dynamic;
        if (segment.type != elf::SegmentLoad) continue;
        TRY(check_load_segment(file, segment));
        if (segment.memory_size == 0) continue;
        ImageSegment const planned{VirtAddr{segment.virtual_address}, Bytes(segment.memory_size),
                                   Span<u8 const>{file.data + segment.offset, segment.file_size},
                                   permissions_of(segment.flags)};
        if (!plan.segments.push_back(planned)) return ElfCheck::TooManySegments;
    }
    TRY(check_section_table(file, header));
    if (plan.segments.is_empty()) return ElfCheck::NoLoadSegment;
    TRY(check_overlaps(plan));
    TRY(check_entry(plan));
    if (image_memory(plan) > memory_limit) return ElfCheck::MemoryLimit;
    return plan;
}

} // namespace grove

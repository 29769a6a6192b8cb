#include <forge/elf_writer.hpp>

#include <forge/image_layout.hpp>

namespace grove::forge {

namespace {

constexpr u32 SegmentLoad = 1;
constexpr u32 FlagExecute = 1;
constexpr u32 FlagWrite = 2;
constexpr u32 FlagRead = 4;

void put(u8* out, usize offset, u64 value, usize width) {
    for (usize i = 0; i < width; ++i) out[offset + i] = static_cast<u8>(value >> (8 * i));
}

struct Segment {
    u32 flags;
    u64 offset;
    u64 address;
    u64 file_size;
    u64 memory_size;
};

void put_segment(u8* out, usize index, Segment const& s) {
    usize const at = ElfHeaderBytes + index * ProgramHeaderBytes;
    put(out, at + 0, SegmentLoad, 4);
    put(out, at + 4, s.flags, 4);
    put(out, at + 8, s.offset, 8);
    put(out, at + 16, s.address, 8);
    put(out, at + 24, s.address, 8);
    put(out, at + 32, s.file_size, 8);
    put(out, at + 40, s.memory_size, 8);
    put(out, at + 48, ImagePageSize, 8);
}

} // namespace

usize write_elf_image(u8 const* texts, usize texts_size, u8 const* code, usize code_size, u8* out, usize capacity) {
    usize const code_offset = align_to_page(TextsOffset + texts_size);
    usize const file_size = code_offset + code_size;
    if (file_size > capacity || code_size == 0) return 0;
    fill_bytes(out, 0, code_offset);

    // The ELF header (System V gABI, x86_64 psABI).
    out[0] = 0x7f;
    out[1] = 'E';
    out[2] = 'L';
    out[3] = 'F';
    out[4] = 2;          // ELFCLASS64
    out[5] = 1;          // little-endian
    out[6] = 1;          // EV_CURRENT
    out[7] = 0;          // System V
    put(out, 16, 2, 2);  // ET_EXEC
    put(out, 18, 62, 2); // EM_X86_64
    put(out, 20, 1, 4);
    put(out, 24, ImageBase + code_offset, 8); // entry: _start, the code's first byte
    put(out, 32, ElfHeaderBytes, 8);          // program headers
    put(out, 40, 0, 8);                       // no section headers
    put(out, 48, 0, 4);
    put(out, 52, ElfHeaderBytes, 2);
    put(out, 54, ProgramHeaderBytes, 2);
    put(out, 56, SegmentCount, 2);
    put(out, 58, 64, 2); // e_shentsize, though there are none
    put(out, 60, 0, 2);
    put(out, 62, 0, 2);

    put_segment(out, 0, Segment{FlagRead, 0, ImageBase, TextsOffset + texts_size, TextsOffset + texts_size});
    put_segment(out, 1, Segment{FlagRead | FlagExecute, code_offset, ImageBase + code_offset, code_size, code_size});
    put_segment(out, 2, Segment{FlagRead | FlagWrite, 0, DataAddress, 0, DataBytes});

    copy_bytes(out + TextsOffset, texts, texts_size);
    copy_bytes(out + code_offset, code, code_size);
    return file_size;
}

} // namespace grove::forge

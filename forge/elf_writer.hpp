#pragma once
#include <forge/limits.hpp>

namespace grove::forge {

// Writes a static x86_64 ELF64 executable in the grove layout (forge/image_layout.hpp): three PT_LOAD segments,
// R (headers and texts), R+X (code, entry at its first byte) and R+W (DataBytes of zeros, no file bytes), each
// starting on a page of its own. No section table: nothing needs one to load. Returns the file's size, or 0 when
// it does not fit in `capacity` bytes.
usize write_elf_image(u8 const* texts, usize texts_size, u8 const* code, usize code_size, u8* out, usize capacity);

} // namespace grove::forge

#pragma once
#include <core/elf/elf_symbol_table.hpp>
#include <core/grove/image.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace grove::runner {

// The directory the build put the grove images in (GROVE_IMAGE_DIR), compiled in.
std::filesystem::path default_image_directory();

// A symbol's name as a crash report shows it: demangled ("(anonymous namespace)::crash_null()") when the mangled
// name has at most MaxDemangledInput bytes and MaxDemangledReferences places where the demangler repeats text (and
// no pack expansion), so that its output stays under 64 KiB; else the mangled name. Either way cut after
// MaxShownSymbol bytes, every byte outside printable ASCII written \xNN (the name comes from the ELF file).
inline constexpr usize MaxDemangledInput = 256;
inline constexpr usize MaxDemangledReferences = 8;
inline constexpr usize MaxShownSymbol = 256;
std::string demangled_symbol(char const* name);

// One grove image read from disk: its bytes, the plan validate_elf_image made of them and its symbol table.
// The plan's segments and the symbols point into `bytes`, which never moves (the image is held by pointer).
struct GroveImage {
    std::string name;
    std::filesystem::path path;
    std::vector<u8> bytes;
    ImagePlan plan;
    ElfSymbolTable symbols;
    bool has_symbols = false;

    // "symbol+0x12" for an address of this image, or "" when no symbol covers it.
    std::string locate(u64 address) const;
};

// The images of one run, read once each from a directory and kept alive for as long as this object lives (the
// kernel loads them again at every respawn). Not copyable: the plans point into the images it owns.
class GroveImages {
public:
    explicit GroveImages(std::filesystem::path directory) : m_directory(std::move(directory)) {}
    GroveImages(GroveImages const&) = delete;
    GroveImages& operator=(GroveImages const&) = delete;

    // The image `<directory>/<name>.elf`, read and validated on first use. Null when it cannot be read or is not
    // a valid grove image; error() then says which file and why.
    GroveImage const* get(std::string const& name);
    std::string const& error() const { return m_error; }
    std::filesystem::path const& directory() const { return m_directory; }

private:
    std::filesystem::path m_directory;
    std::map<std::string, std::unique_ptr<GroveImage>> m_images;
    std::string m_error;
};

} // namespace grove::runner

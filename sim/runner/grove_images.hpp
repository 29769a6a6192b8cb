#pragma once
#include <core/elf/elf_symbol_table.hpp>
#include <core/grove/image.hpp>
#include <sim/scenario/image_search.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace grove::runner {

// The directory the build put the grove images in (GROVE_IMAGE_DIR), compiled in.
std::filesystem::path default_image_directory();

// Where a run looks for its images: the `directories` given (grovesim --images, in order), then the build's own.
scenario::ImageSearch image_search(std::vector<std::filesystem::path> directories = {});

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

// The images of one run, found by name through an ImageSearch, read once each and kept alive for as long as this
// object lives (the kernel loads them again at every respawn). Not copyable: the plans point into the images it owns.
class GroveImages {
public:
    explicit GroveImages(scenario::ImageSearch search) : m_search(std::move(search)) {}
    GroveImages(GroveImages const&) = delete;
    GroveImages& operator=(GroveImages const&) = delete;

    // The image `<name>.elf` of the first search directory that holds it, read and validated on first use. Null
    // when no directory holds it (error() names the directories tried), or it cannot be read or is not a valid
    // grove image (error() says which file and why).
    GroveImage const* get(std::string const& name);
    std::string const& error() const { return m_error; }

private:
    scenario::ImageSearch m_search;
    std::map<std::string, std::unique_ptr<GroveImage>> m_images;
    std::string m_error;
};

} // namespace grove::runner

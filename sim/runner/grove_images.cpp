#include <sim/runner/grove_images.hpp>

#include <core/elf/elf_image.hpp>
#include <sim/scenario/untrusted_text.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <cxxabi.h>
#include <fstream>
#include <iterator>
#include <memory>

namespace grove::runner {

namespace {

// No grove image is larger than this; a larger file is refused before it is read.
constexpr std::uintmax_t MaxImageFileSize = std::uintmax_t{256} << 20;

// Substitutions (S_, S0_...), template parameters (T_, T0_...) and pack expansions (Dp, sp) in a mangled name: the
// places where the demangler copies text it has already written. A candidate is counted wherever one could start,
// so the count is never too low.
usize repeating_references(std::string_view name) {
    usize count = 0;
    for (usize i = 0; i + 1 < name.size(); ++i) {
        char const c = name[i];
        if ((c == 'D' || c == 's') && name[i + 1] == 'p') count += MaxDemangledReferences + 1; // never demangled
        if (c != 'S' && c != 'T') continue;
        usize j = i + 1;
        while (j < name.size() && ((name[j] >= '0' && name[j] <= '9') || (name[j] >= 'A' && name[j] <= 'Z'))) ++j;
        if (j < name.size() && name[j] == '_') ++count;
    }
    return count;
}

} // namespace

std::string demangled_symbol(char const* name) {
    std::string_view const mangled(name);
    // Each reference at most doubles what was written before it: at most 256 bytes x 2^8 = 64 KiB of output.
    if (mangled.size() > MaxDemangledInput || repeating_references(mangled) > MaxDemangledReferences)
        return scenario::printable(mangled, MaxShownSymbol);
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> text(::abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
    std::string_view const shown = status == 0 && text ? std::string_view(text.get()) : mangled;
    return scenario::printable(shown, MaxShownSymbol);
}

std::filesystem::path default_image_directory() { return GROVE_DEFAULT_IMAGE_DIR; }

scenario::ImageSearch image_search(std::vector<std::filesystem::path> directories) {
    directories.push_back(default_image_directory());
    return scenario::ImageSearch(std::move(directories));
}

std::string GroveImage::locate(u64 address) const {
    if (!has_symbols) return "";
    auto const location = symbols.locate(VirtAddr{address});
    if (location.is_error()) return "";
    return fmt::format("{}+{:#x}", demangled_symbol(location.value().symbol.name), location.value().offset.value);
}

GroveImage const* GroveImages::get(std::string const& name) {
    if (auto found = m_images.find(name); found != m_images.end()) return found->second.get();
    auto image = std::make_unique<GroveImage>();
    image->name = name;
    auto const path = m_search.find(name);
    if (!path) {
        m_error = m_search.missing(name);
        return nullptr;
    }
    image->path = *path;
    std::error_code error;
    std::uintmax_t const size = std::filesystem::file_size(image->path, error);
    if (error || size > MaxImageFileSize) {
        m_error = fmt::format("{}: cannot read the grove image (too large or unreadable)", image->path.string());
        return nullptr;
    }
    std::ifstream file(image->path, std::ios::binary);
    image->bytes.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    if (!file.good() && !file.eof()) {
        m_error = fmt::format("{}: cannot read the grove image", image->path.string());
        return nullptr;
    }
    Span<u8 const> const bytes{image->bytes.data(), image->bytes.size()};
    // The grove's own memory limit is checked when the kernel loads it; here only the file itself.
    auto plan = validate_elf_image(bytes, Bytes(~u64{0}));
    if (plan.is_error()) {
        m_error = fmt::format("{}: not a valid grove image: {}: {}", image->path.string(), elf_check_name(plan.error()),
                              elf_check_description(plan.error()));
        return nullptr;
    }
    image->plan = plan.value();
    auto symbols = ElfSymbolTable::from(bytes);
    if (symbols.has_value()) {
        image->symbols = symbols.value();
        image->has_symbols = true;
    }
    GroveImage const* stored = image.get();
    m_images.emplace(name, std::move(image));
    return stored;
}

} // namespace grove::runner

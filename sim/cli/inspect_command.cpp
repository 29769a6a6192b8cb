// grovesim inspect FILE: runs the core's ELF validation on a grove image and prints what loading it would map.
#include <sim/cli/commands.hpp>
#include <sim/cli/exit_status.hpp>
#include <sim/cli/read_file.hpp>

#include <core/arch/arch.hpp>
#include <core/elf/elf_image.hpp>
#include <core/elf/elf_symbol_table.hpp>
#include <sim/scenario/untrusted_text.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace grove::sim {

namespace {

// No grove image is larger than this; a larger file is refused before it is read.
constexpr std::uint64_t MaxImageFileSize = std::uint64_t{256} << 20;
// The default memory limit of a grove (DESIGN.md §2).
constexpr std::uint64_t DefaultMemoryLimit = std::uint64_t{64} << 20;

struct InspectOptions {
    std::string path;
    std::uint64_t memory_limit = DefaultMemoryLimit;
    bool list_symbols = false;
};

std::string permissions_text(Permissions p) {
    std::string text = "---";
    if (has(p, Permissions::Read)) text[0] = 'r';
    if (has(p, Permissions::Write)) text[1] = 'w';
    if (has(p, Permissions::Execute)) text[2] = 'x';
    return text;
}

// "symbol+offset" for an address, or nothing when the file has no symbols or none fits.
std::string symbol_text(ElfResult<ElfSymbolTable> const& symbols, VirtAddr address) {
    if (symbols.is_error()) return "";
    auto const location = symbols.value().locate(address);
    if (location.is_error()) return "";
    return fmt::format("  ({}+{:#x})", location.value().symbol.name, location.value().offset.value);
}

void print_plan(ImagePlan const& plan, ElfResult<ElfSymbolTable> const& symbols, std::uint64_t memory_limit) {
    fmt::print("entry      {:#x}{}\n", plan.entry.value, symbol_text(symbols, plan.entry));
    fmt::print("segments   {}\n", plan.segments.size());
    fmt::print("  {:<18}  {:>12}  {:>12}  {}\n", "address", "memory size", "file size", "permissions");
    for (ImageSegment const& s : plan.segments)
        fmt::print("  {:#018x}  {:>#12x}  {:>#12x}  {}\n", s.address.value, s.memory_size.value, s.file_bytes.size,
                   permissions_text(s.permissions));
    Bytes const memory = image_memory(plan);
    fmt::print("memory     {} bytes in {} pages, limit {} bytes\n", memory.value, pages_for(memory).value,
               memory_limit);
}

void print_symbols(ElfResult<ElfSymbolTable> const& symbols) {
    if (symbols.is_error()) {
        fmt::print("symbols    none: {}\n", elf_check_description(symbols.error()));
        return;
    }
    fmt::print("symbols\n");
    symbols.value().for_each(
        [](ElfSymbol const& s) { fmt::print("  {:#018x}  {:>#10x}  {}\n", s.address.value, s.size.value, s.name); });
}

// Whether the entry point is a function that can run as a grove's first: with a symbol table, a sized symbol must
// start exactly at the entry, be named _start (the runtime's start code, which calls main and then exits with its
// result; a link without it makes the linker pick the start of .text, whose function returns into nothing), and lie
// wholly inside one executable segment. Nothing on failure, else why not. Without a symbol table (a stripped
// image) it cannot be checked, which `checked` reports.
std::optional<std::string> entry_function_problem(ImagePlan const& plan, ElfResult<ElfSymbolTable> const& symbols,
                                                  bool& checked) {
    checked = symbols.has_value();
    if (!checked) return std::nullopt;
    auto const location = symbols.value().locate(plan.entry);
    if (location.is_error() || location.value().offset.value != 0 || location.value().symbol.size.value == 0)
        return fmt::format("no function starts at the entry point {:#x}", plan.entry.value);
    ElfSymbol const& function = location.value().symbol;
    if (std::string_view(function.name) != "_start")
        return fmt::format("the entry point {:#x} is {}, not _start: link the runtime library's start code (its "
                           "_start calls main and exits with its result)",
                           plan.entry.value, scenario::printable(function.name, 128));
    u64 const begin = function.address.value;
    u64 const end = begin + function.size.value;
    for (ImageSegment const& segment : plan.segments) {
        bool const executable = (static_cast<u8>(segment.permissions) & static_cast<u8>(Permissions::Execute)) != 0;
        if (executable && begin >= segment.address.value && end >= begin &&
            end <= segment.address.value + segment.memory_size.value)
            return std::nullopt;
    }
    return fmt::format("_start ({:#x}..{:#x}) is not wholly inside an executable segment", begin, end);
}

int inspect(InspectOptions const& options) {
    FileContents const file = read_regular_file(options.path, MaxImageFileSize);
    if (!file.ok()) {
        fmt::print(stderr, "grovesim inspect: {}\n", file.error);
        return ExitBadInput;
    }
    Span<u8 const> const bytes{file.bytes.data(), file.bytes.size()};
    fmt::print("file       {} ({} bytes)\n", options.path, file.bytes.size());

    auto const plan = validate_elf_image(bytes, Bytes(options.memory_limit));
    auto const symbols = ElfSymbolTable::from(bytes);
    if (plan.has_value()) print_plan(plan.value(), symbols, options.memory_limit);
    if (options.list_symbols) print_symbols(symbols);
    if (plan.is_error()) {
        fmt::print("verdict    rejected: {}: {}\n", elf_check_name(plan.error()), elf_check_description(plan.error()));
        return ExitBadInput;
    }
    bool checked = false;
    if (auto problem = entry_function_problem(plan.value(), symbols, checked)) {
        fmt::print("verdict    rejected: entry_function: {}\n", *problem);
        return ExitBadInput;
    }
    fmt::print("entry fn   {}\n", checked ? "_start, a function inside an executable segment"
                                          : "not checked: no symbol table (a stripped image)");
    fmt::print("verdict    valid: a static x86_64 grove image\n");
    return ExitSuccess;
}

} // namespace

void add_inspect_command(CLI::App& app, int& exit_status) {
    auto options = std::make_shared<InspectOptions>();
    CLI::App* command = app.add_subcommand(
        "inspect", "Validate a grove image (a static x86_64 ELF executable) and print its entry point and segments. "
                   "Exits 0 when it would load, 2 with the failed check when not.");
    command->add_option("file", options->path, "The ELF file to inspect")->required();
    command
        ->add_option("--memory-limit", options->memory_limit,
                     "The grove's memory limit the image must fit in, in bytes (suffixes KiB, MiB, GiB work)")
        ->transform(CLI::AsSizeValue(false))
        ->capture_default_str();
    command->add_flag("--symbols", options->list_symbols, "Also list the symbol table");
    command->callback([options, &exit_status] { exit_status = inspect(*options); });
}

} // namespace grove::sim

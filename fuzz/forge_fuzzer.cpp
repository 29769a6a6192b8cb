// The Runic Forge compiler (forge/) on any bytes as a source: it never crashes or hangs; it either gives errors,
// each with a line and column inside the source, or an image that passes the grove loader's checks
// (validate_elf_image) at the memory limit a grove gets by default.
#include <fuzz/fuzz_check.hpp>

#include <core/elf/elf_image.hpp>
#include <forge/compiler.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>

using namespace grove;
using grove::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static std::unique_ptr<forge::Compiler> const compiler = std::make_unique<forge::Compiler>();
    char const* const source = reinterpret_cast<char const*>(data);
    if (compiler->compile(source, size)) {
        require(compiler->diagnostics().is_empty(), "a compiled program has errors");
        ElfResult<ImagePlan> const plan = validate_elf_image(compiler->image(), Bytes(1536 * 1024));
        require(plan.has_value(), "the loader refuses an image the compiler emitted");
        return 0;
    }
    forge::Diagnostics const& errors = compiler->diagnostics();
    require(!errors.is_empty(), "a refused program has no error");
    usize lines = 1;
    for (usize i = 0; i < size; ++i)
        if (data[i] == '\n') ++lines;
    for (usize i = 0; i < errors.count(); ++i) {
        require(errors[i].position.line >= 1 && errors[i].position.line <= lines, "an error's line is outside");
        require(errors[i].position.column >= 1, "an error's column is 0");
        require(errors[i].length > 0 && errors[i].message[errors[i].length] == '\0', "an error has no text");
    }
    return 0;
}

#pragma once
#include <forge/code_generator.hpp>
#include <forge/diagnostics.hpp>
#include <forge/syntax_tree.hpp>

namespace grove::forge {

// The Runic Forge: compiles a Glimmer-Weave program (forge/README.md) to a grove image, a static x86_64 ELF that
// the grove loader accepts. Everything it needs is inside the object (about 600 KiB: keep it in static storage or
// allocate it, not on a grove's stack); a Compiler is reused for any number of compilations, each independent.
//
// compile() returns true and the image when the source compiles; otherwise false and the errors, each with its
// line and column, in diagnostics(). Any input of any length gives one or the other, in time bounded by its length.
class Compiler {
public:
    bool compile(char const* source, usize length);

    Span<u8 const> image() const { return Span<u8 const>{m_image, m_image_size}; }
    Diagnostics const& diagnostics() const { return m_diagnostics; }

private:
    SyntaxTree m_tree;
    Diagnostics m_diagnostics;
    GeneratorTables m_tables;
    u8 m_code[MaxCodeBytes]{};
    u8 m_texts[MaxTextBytes]{};
    u8 m_image[MaxImageBytes]{};
    usize m_image_size = 0;
};

} // namespace grove::forge

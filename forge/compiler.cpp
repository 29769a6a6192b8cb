#include <forge/compiler.hpp>

#include <forge/elf_writer.hpp>
#include <forge/parser.hpp>

namespace grove::forge {

bool Compiler::compile(char const* source, usize length) {
    m_tree.clear();
    m_diagnostics.clear();
    m_image_size = 0;
    if (length > MaxSourceBytes) {
        m_diagnostics.add(Position{}, MessageBuilder{}
                                          .text("the source has ")
                                          .number(length)
                                          .text(" bytes: at most ")
                                          .number(MaxSourceBytes)
                                          .text(" are compiled"));
        return false;
    }
    Parser parser(source, length, m_tree, m_diagnostics);
    NodeIndex const program = parser.parse_program();
    if (!m_diagnostics.is_empty()) return false;

    CodeGenerator generator(source, m_tree, m_diagnostics, m_tables, m_code, m_texts);
    if (!generator.generate(program)) return false;
    m_image_size =
        write_elf_image(m_texts, generator.texts_size(), m_code, generator.code_size(), m_image, MaxImageBytes);
    if (m_image_size == 0) {
        m_diagnostics.add(Position{}, MessageBuilder{}
                                          .text("the image would exceed ")
                                          .number(MaxImageBytes)
                                          .text(" bytes: the program is too large"));
        return false;
    }
    return true;
}

} // namespace grove::forge

#pragma once
#include <forge/lexer.hpp>
#include <forge/syntax_tree.hpp>

namespace grove::forge {

// A recursive-descent parser for the Glimmer-Weave subset (forge/README.md gives the grammar). It fills `tree`
// and returns the program's first top-level statement (the rest linked by `next`), or 0 for an empty program.
//
// Errors go to `diagnostics` with their line and column and what was expected there. After an error in a statement
// the parser skips to the next token that starts a line (or to a block's `end`, `otherwise` or `when`) and goes on,
// so one run reports the independent errors of a source. Blocks and parentheses nested more than MaxNesting deep,
// expressions deeper than MaxExpressionDepth, more than MaxNodes nodes, or MaxDiagnostics errors end the parse at
// once: the parser's own recursion is bounded by MaxNesting, so no input exhausts its stack. Every loop consumes
// a token or ends, so every input ends.
class Parser {
public:
    Parser(char const* source, usize length, SyntaxTree& tree, Diagnostics& diagnostics);
    NodeIndex parse_program();

private:
    enum class Context : u8 { TopLevel, Chant };
    enum class Level : u8 { Or, And, Sum, Product }; // the left-associative binary levels, loosest first

    NodeIndex parse_statement();
    NodeIndex parse_statements(TokenKind end_a, TokenKind end_b, TokenKind end_c);
    NodeIndex parse_named_value(NodeKind kind, TokenKind joiner);
    NodeIndex parse_should();
    NodeIndex parse_whilst();
    NodeIndex parse_for_each();
    NodeIndex parse_match();
    NodeIndex parse_chant();
    NodeIndex parse_expression();
    NodeIndex parse_level(Level level);
    NodeIndex parse_operand(Level level);
    static bool is_operator_of(Level level, TokenKind kind, BinaryOp& op);
    NodeIndex parse_not();
    NodeIndex parse_comparison();
    NodeIndex parse_unary();
    NodeIndex prefix(NodeKind kind, Position position);
    NodeIndex parse_primary();
    NodeIndex parse_call(Token name);
    NodeIndex parse_match_key(i64& key);

    // A new node with its children, or 0 (and the parse stopped) when the tree is full.
    NodeIndex node(NodeKind kind, Position position, NodeIndex first = 0, NodeIndex second = 0, NodeIndex third = 0);
    NodeIndex binary(BinaryOp op, Position position, NodeIndex left, NodeIndex right);
    NodeIndex with_name(NodeIndex index, Token const& name);
    bool enter();
    void leave() { --m_nesting; }
    bool accept(TokenKind kind);
    bool expect(TokenKind kind, char const* where);
    [[gnu::noinline, gnu::cold]] void expected(TokenKind kind, char const* where);
    // The error paths, out of line and cold: the recursive parse functions' frames hold no message, so that their
    // depth (MaxNesting) bounds the stack they take on a grove's stack too.
    [[gnu::noinline, gnu::cold]] void error_here(char const* expected);
    // "<before><limit><after>" at `position`, and the parse ends.
    [[gnu::noinline, gnu::cold]] void stop_past_limit(Position position, char const* before, usize limit,
                                                      char const* after);
    void synchronize(u32 statement_offset);
    bool is_stopped() const { return m_stopped || m_diagnostics.is_full(); }
    void advance();

    Lexer m_lexer;
    char const* m_source;
    SyntaxTree& m_tree;
    Diagnostics& m_diagnostics;
    Token m_current;
    Token m_next;
    usize m_nesting = 0;
    Context m_context = Context::TopLevel;
    bool m_stopped = false;
};

} // namespace grove::forge
